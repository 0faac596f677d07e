"""What one logical request came back with (`Fetched`): a response, or the typed reason there is none
(`Failure`), with its attempts and waits. Reports and the runner read these values, never messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from contracts.live.breaker import Outage
from contracts.live.clock import StopReason
from contracts.responses import parse_body


class LocalRequestError(Exception):
    """A request could not be sent at all; the message says so without the request's headers."""


class Failure(StrEnum):
    """Why a `Fetched` holds no usable answer (a typed value: reports never parse the message)."""

    CONNECT = "connect"  # the server could not be reached
    TIMEOUT = "timeout"  # no complete answer within --timeout
    BROKEN = "broken"  # the connection broke or the body could not be decoded
    TOO_LARGE = "too-large"  # more than --max-body after decompression
    UNAVAILABLE = "unavailable"  # 5xx or 429 after the retries
    RATE_LIMIT = "rate-limit"  # the rate limit asked for a wait beyond the budget
    OUTAGE = "outage"  # not sent: an outage outlasted --retry-budget
    INTERRUPTED = "interrupted"  # a stop signal
    DEADLINE = "deadline"  # the run's --deadline


STOPPED = {StopReason.INTERRUPTED: Failure.INTERRUPTED, StopReason.DEADLINE: Failure.DEADLINE}
FINAL = frozenset(Failure) - {Failure.UNAVAILABLE, Failure.BROKEN, Failure.CONNECT}
"""Failures whose message says all (reports append no attempt count)."""


@dataclass
class Fetched:
    """The outcome of one logical request, after retries."""

    url: str
    response: httpx.Response | None = None
    error: str | None = None  # why there is no usable response
    failure: Failure | None = None
    connect_failed: bool = False  # the server could not be reached at all
    attempts: int = 0
    throttled: int = 0  # 429 answers received
    rate_limit_wait: float = 0.0  # seconds waited for a rate limit (pacing and Retry-After)
    seconds: float = 0.0
    started: float = 0.0  # the client's clock when the request began (reports span suites with it)
    outage: Outage | None = None  # the outage that held this request back (or refused it)
    garbled: bool = False  # the last answer was a 200 whose body is not JSON or was cut short
    _parsed: tuple[Any, Any] | None = field(default=None, repr=False)

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    def json(self) -> tuple[Any, Any]:
        """(parsed body, None) or (None, the `not-json` violation); parsed once."""
        if self._parsed is None:
            self._parsed = parse_body(self.response.content if self.response is not None else b"")
        return self._parsed


def describe(exc: Exception, timeout: float) -> tuple[str, Failure]:
    """An exception of the HTTP client as a line a person reads, and its `Failure`."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no complete answer within {timeout:g} s (--timeout)", Failure.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc or type(exc).__name__})", Failure.CONNECT
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection ({exc or type(exc).__name__})", Failure.BROKEN
    if isinstance(exc, httpx.DecodingError):
        return str(exc), Failure.BROKEN
    return f"the request failed: {type(exc).__name__} {exc}".strip(), Failure.BROKEN
