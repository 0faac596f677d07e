"""An HTTP client for a Truto-shaped API: retries with backoff and jitter, 429s after `Retry-After`,
pacing by rate-limit headers. Used by the gate; reusable by anything else that reads the API.

It never raises for what the server does: every call returns a `Fetched` holding either a response
or the reason there is none. A request this side cannot even send (an illegal header, a bad URL) is
never retried: it raises `LocalRequestError`, and the caller stops the run as a usage error.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from contracts.accounts import Account
from contracts.limits import RateLimit
from contracts.live.clock import SYSTEM_CLOCK, Clock
from contracts.live.pacing import Pacer, pacer_for

LOCAL_ERRORS: tuple[type[Exception], ...] = (
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    UnicodeEncodeError,
)
"""Raised before anything is sent: trying again cannot help."""


class LocalRequestError(Exception):
    """A request could not be sent at all; the message says so without the request's headers."""


@dataclass(frozen=True)
class RetryPolicy:
    """5xx answers, timeouts and broken connections are tried again, up to `retries` more times and
    within `budget` seconds per request (waits included); a 429 waits for its `Retry-After`."""

    retries: int = 3
    budget: float = 60.0
    backoff: float = 0.5  # first wait; doubles each attempt, with jitter, up to max_backoff
    max_backoff: float = 8.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Equal jitter: half the exponential step fixed, half random (AWS's recommendation)."""
        step = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass
class Fetched:
    """The outcome of one logical request, after retries."""

    url: str
    response: httpx.Response | None = None
    error: str | None = None  # why there is no response (transport failure)
    connect_failed: bool = False  # the server could not be reached at all
    attempts: int = 0
    throttled: int = 0  # 429 answers received
    rate_limit_wait: float = 0.0  # seconds waited for a rate limit (pacing and Retry-After)
    seconds: float = 0.0
    started: float = 0.0  # the client's clock when the request began (reports span suites with it)

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds or as an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _describe(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection ({exc or type(exc).__name__})"
    return f"the request failed: {type(exc).__name__} {exc}".strip()


@dataclass(frozen=True)
class Connection:
    """Where the API is and how to talk to it: the settings the gate and the recorder share."""

    base_url: str
    accounts: tuple[Account, ...]
    token: str = field(repr=False)
    timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimit | str = "auto"
    """"auto" (Truto's published limits on Truto's host, the API's headers everywhere), "off", or a limit."""

    @contextmanager
    def client(self, clock: Clock = SYSTEM_CLOCK, *, given: ApiClient | None = None) -> Iterator[ApiClient]:
        """A paced, retrying client for this connection, closed afterwards (`given` is used as it is and
        left open). LocalRequestError when the settings cannot even be sent (e.g. the token)."""
        if given is not None:
            yield given
            return
        api = ApiClient(
            self.base_url,
            self.token,
            timeout=self.timeout,
            retry=self.retry,
            pacer=pacer_for(self.base_url, self.rate_limit, clock),
            clock=clock,
        )
        try:
            yield api
        finally:
            api.close()


@dataclass
class ApiClient:
    """GETs against `base_url` with the token as a bearer header; see the module docstring."""

    base_url: str
    token: str = field(repr=False)
    timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pacer: Pacer | None = None
    clock: Clock = SYSTEM_CLOCK
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    transport: httpx.BaseTransport | None = None
    http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            self.http = self._client()
        except LOCAL_ERRORS as exc:
            raise LocalRequestError(f"the token cannot be sent as an HTTP header ({type(exc).__name__})") from None

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            timeout=self.timeout,
            # Certificates are loaded only for https (verified); loading them for http costs 0.1 s.
            verify=self.base_url.startswith("https://"),
            transport=self.transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def url(self, target: str) -> str:
        return f"{self.base_url}{target}"

    def get(self, target: str, *, account: str | None = None) -> Fetched:
        """GET `target` (path and query), paced for `account`, retried as the policy says."""
        started = self.clock.now()
        out = Fetched(self.url(target), started=started)
        while True:
            out.attempts += 1
            response, out.error, out.connect_failed = self._once(target, account, out)
            out.response = response
            wait = self._retry_wait(response, out)
            if wait is None:
                break
            spent = self.clock.now() - started
            if out.attempts > self.retry.retries or spent + wait > self.retry.budget:
                break
            if response is not None and response.status_code == 429:
                out.rate_limit_wait += wait
                if self.pacer is not None:
                    self.pacer.block(account, wait)
            self.clock.sleep(wait)
        out.seconds = self.clock.now() - started
        return out

    def _once(self, target: str, account: str | None, out: Fetched) -> tuple[httpx.Response | None, str | None, bool]:
        permit = self.pacer.acquire(account) if self.pacer is not None else None
        if permit is not None:
            out.rate_limit_wait += permit.waited
        response: httpx.Response | None = None
        try:
            response = self.http.get(target)
            return response, None, False
        except LOCAL_ERRORS as exc:  # its text may quote the Authorization header: left out
            raise LocalRequestError(
                f"a request to {self.base_url} could not be sent ({type(exc).__name__}: refused by the HTTP "
                "client before anything was sent; check the token and --base-url)"
            ) from None
        except httpx.HTTPError as exc:
            return None, _describe(exc, self.timeout), isinstance(exc, httpx.ConnectError)
        finally:
            if permit is not None and self.pacer is not None:
                self.pacer.release(permit, response.headers if response is not None else None)

    def _retry_wait(self, response: httpx.Response | None, out: Fetched) -> float | None:
        """Seconds to wait before trying again, or None when the answer is final."""
        if response is None or response.status_code >= 500:
            return self.retry.delay(out.attempts, self.rng)
        if response.status_code == 429:
            out.throttled += 1
            waited = retry_after(response.headers.get("retry-after"))
            return waited if waited is not None else self.retry.delay(out.attempts, self.rng)
        return None
