"""Scripted answers: "the next request to page 3 gets a 503", "the first two get a 429".

A test adds scripts (`truto_mock.script(503, when={"page": 3})`); the core asks `Scripts.take` for
every authenticated API request, and the first unconsumed script whose `When` matches answers it
instead of the mock's usual answer. Scripts are state of `MockState`, consumed under their lock, so
the live mock and the in-process router (which share one state) behave alike; a reset clears them.
"""

from __future__ import annotations

import enum
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypedDict, Unpack

from contracts.errors import error_body
from contracts.params import GET, LIST
from contracts.providers import provider_module
from mockserver.scenarios import MAX_DELAY_MS, REMOTE_CODES, TRUTO_CODES, Scenario, rate_limit_headers, scenario_error


class Interruption(enum.StrEnum):
    """A network failure instead of (part of) an answer: `MockResponse.interrupt`, honoured by each adapter."""

    DROP = "drop"
    """The connection closes before any byte of the answer (httpx: `RemoteProtocolError`)."""
    CUT = "cut"
    """Status, headers and the first half of the body, then the connection closes (httpx: `RemoteProtocolError`
    while reading the body)."""
    CONNECT_TIMEOUT = "connect-timeout"
    """In-process: `httpx.ConnectTimeout`. The live mock has already accepted the connection, so it drops it."""


class ScriptError(ValueError):
    """A script the mock cannot play; the message says which argument and what it takes."""


@dataclass(frozen=True)
class When:
    """Which requests a script answers; every field given must match (none given: any request)."""

    method: str | None = None
    """`GET`, `HEAD`, ... (any case)."""
    path: str | None = None
    """The exact request path, e.g. `/unified/ats/interviews/412`."""
    endpoint: str | None = None
    """`get` (one interview) or `list`."""
    account: str | None = None
    """An integrated account id (any case), or a provider name (`pinpoint`): any of its accounts."""
    page: int | None = None
    """The list page, counting from 1 (the page a cursor points at, with the request's `limit`)."""
    cursor: str | None = None
    """The exact `next_cursor` the request sends."""
    nth: int | None = None
    """The n-th API request since the test started (or the mock's last reset), counting from 1."""

    def __post_init__(self) -> None:
        for name in ("method", "path", "endpoint", "account", "cursor"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ScriptError(f"when: {name} must be a non-empty string, got {value!r}")
        for name in ("page", "nth"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ScriptError(f"when: {name} must be a whole number from 1, got {value!r}")
        if self.endpoint is not None and self.endpoint not in (GET, LIST):
            raise ScriptError(f"when: endpoint must be {GET!r} or {LIST!r}, got {self.endpoint!r}")
        if self.path is not None and not self.path.startswith("/"):
            raise ScriptError(f"when: path must start with '/', got {self.path!r}")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    @classmethod
    def of(cls, when: When | Mapping[str, Any] | None) -> When:
        """A `When` from what `script(when=...)` takes, checked.

        Args:
            when: a `When` (returned as it is), a mapping of its fields, or None (any request).

        Raises:
            ScriptError: naming an unknown key or a bad value.
        """
        if when is None:
            return cls()
        if isinstance(when, When):
            return when
        if not isinstance(when, Mapping):
            raise ScriptError(f"when takes a dict of {', '.join(cls.keys())} (or a When), got {type(when).__name__}")
        unknown = sorted(str(k) for k in set(when) - set(cls.keys()))
        if unknown:
            raise ScriptError(f"when: unknown key(s) {', '.join(unknown)}; known: {', '.join(cls.keys())}")
        return cls(**when)

    @staticmethod
    def keys() -> tuple[str, ...]:
        """The keys `when=` takes, in order: for messages naming them."""
        return tuple(f.name for f in fields(When))

    def matches(self, request: RequestFacts) -> bool:
        """True when every field given equals the request's (an account also matches its provider).

        Args:
            request: what the mock's core worked out of the request.
        """
        return (
            (self.method is None or self.method == request.method)
            and (self.path is None or self.path == request.path)
            and (self.endpoint is None or self.endpoint == request.endpoint)
            and (self.account is None or self.account.lower() in (request.account, request.provider))
            and (self.page is None or self.page == request.page)
            and (self.cursor is None or self.cursor == request.cursor)
            and (self.nth is None or self.nth == request.nth)
        )

    def __str__(self) -> str:
        given = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in given.items()) + "}" if given else "any request"


@dataclass(frozen=True)
class RequestFacts:
    """What a script can match on, worked out by the core for a request (account and provider lower-case)."""

    method: str
    path: str
    endpoint: str
    account: str | None
    provider: str | None
    cursor: str | None
    page: int | None
    nth: int


@dataclass
class Script:
    """One scripted answer, played `times` times for requests matching `when`."""

    status: int | None
    """The error status answered (400-599), or None for the usual answer with the rest applied."""
    times: int
    """How many matching requests it answers."""
    when: When
    """Which requests it answers."""
    remote: bool = False
    """The error is a provider's, passed through Truto (`truto_is_remote_error`, `raw_response`)."""
    message: str | None = None
    """The error's `message`; None: the default one for the status."""
    retry_after: float | None = None
    """Seconds sent as `Retry-After` (and `ratelimit-reset` on a 429)."""
    headers: dict[str, str] = field(default_factory=dict)
    """More response headers."""
    latency_ms: int | None = None
    """The answer waits this long."""
    fail: Interruption | None = None
    """A broken connection instead of (part of) the answer."""
    used: int = 0
    """How many requests it has answered so far."""

    @property
    def consumed(self) -> bool:
        """Played as often as asked (`used >= times`): it answers no more requests."""
        return self.used >= self.times

    def __str__(self) -> str:
        parts = [f"status={self.status}"] if self.status is not None else []
        for name in ("remote", "retry_after", "latency_ms", "fail"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={str(value) if name == 'fail' else value!r}")
        return f"script({', '.join(parts)}, when={self.when}) played {self.used} of {self.times} time(s)"

    def error(self, provider: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, Truto-shaped body, headers) of this script's error answer.

        Args:
            provider: the provider behind the request, whose error shape a `remote` error takes; None:
                unknown (a generic provider body).
        """
        assert self.status is not None and self.status >= 400
        code = self.status
        table = REMOTE_CODES if self.remote else TRUTO_CODES
        if code in table:
            status, body, headers = scenario_error(Scenario(code=code, remote=self.remote), provider)
        else:
            message = f"The provider answered HTTP {code}." if self.remote else f"Truto answered HTTP {code}."
            extra: dict[str, Any] = {}
            if self.remote:
                raw = provider_module(provider).remote_error_body(code, message) if provider else {"message": message}
                remote_insight = {"remote_error": {"description": message, "value": {"status": code}}}
                extra = {"truto_is_remote_error": True, "raw_response": raw, "truto_error_insight": remote_insight}
            status, body, headers = code, error_body(code, message, **extra), {}
        if self.message is not None:
            body = {**body, "message": self.message}
        if self.retry_after is not None:
            seconds = f"{self.retry_after:g}"
            headers = {**(rate_limit_headers(100, 0, 0) if code == 429 else {}), **headers}
            headers.update({"Retry-After": seconds, **({"ratelimit-reset": seconds} if code == 429 else {})})
            rate_insight: Any = body.get("truto_error_insight")
            if isinstance(rate_insight, dict) and "rate_limit_error" in rate_insight:
                rate_insight["rate_limit_error"]["value"]["retry_after"] = self.retry_after
        return status, body, {**headers, **self.headers}


class ScriptOptions(TypedDict, total=False):
    """The keywords of a script besides its status (`truto_mock.script(503, **options)`), each
    checked by `make_script`: the one place they are listed."""

    times: int
    when: When | Mapping[str, Any] | None
    remote: bool
    message: str | None
    retry_after: float | None
    headers: Mapping[str, str] | None
    latency_ms: int | None
    fail: str | Interruption | None


def make_script(status: int | None = None, **options: Unpack[ScriptOptions]) -> Script:
    """A checked `Script`; ScriptError naming the argument for anything the mock cannot play."""
    unknown = sorted(set(options) - ScriptOptions.__optional_keys__)
    if unknown:
        known = ", ".join(sorted(ScriptOptions.__optional_keys__))
        raise ScriptError(f"script: unknown keyword(s) {', '.join(unknown)}; known: status, {known}")
    times = options.get("times", 1)
    remote = options.get("remote", False)
    message = options.get("message")
    retry_after = options.get("retry_after")
    headers = options.get("headers")
    latency_ms = options.get("latency_ms")
    fail = options.get("fail")
    if status is not None and (
        not isinstance(status, int) or isinstance(status, bool) or not (status == 200 or 400 <= status <= 599)
    ):
        raise ScriptError(f"status must be 200 (the usual answer) or an error status 400-599, got {status!r}")
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ScriptError(f"times must be a whole number from 1, got {times!r}")
    if not isinstance(remote, bool):
        raise ScriptError(f"remote must be True or False, got {remote!r}")
    if message is not None and not isinstance(message, str):
        raise ScriptError(f"message must be a string, got {message!r}")
    error = status is not None and status >= 400
    if (remote or message is not None) and not error:
        raise ScriptError("remote= and message= shape an error answer: give an error status too, e.g. status=503")
    if retry_after is not None:
        ok = isinstance(retry_after, int | float) and not isinstance(retry_after, bool)
        if not ok or not math.isfinite(retry_after) or retry_after < 0:
            raise ScriptError(f"retry_after takes seconds (0 or more, fractions allowed), got {retry_after!r}")
        if not error:
            raise ScriptError("retry_after= goes with an error status, e.g. status=429 or status=503")
    if latency_ms is not None and (
        not isinstance(latency_ms, int) or isinstance(latency_ms, bool) or not 0 <= latency_ms <= MAX_DELAY_MS
    ):
        raise ScriptError(f"latency_ms must be a whole number 0-{MAX_DELAY_MS}, got {latency_ms!r}")
    try:
        interruption = None if fail is None else Interruption(fail)
    except ValueError:
        known = ", ".join(repr(str(i)) for i in Interruption)
        raise ScriptError(f"fail must be one of {known}, got {fail!r}") from None
    if interruption is not None and error and interruption is not Interruption.CUT:
        raise ScriptError(f"fail={str(interruption)!r} sends no answer at all: leave status= out")
    if headers is not None and (
        not isinstance(headers, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise ScriptError(f"headers must map names to strings, got {headers!r}")
    if status in (None, 200) and latency_ms is None and interruption is None and not headers:
        raise ScriptError("a script needs something to do: an error status, latency_ms=, fail= or headers=")
    return Script(
        status=status if error else None,
        times=times,
        when=When.of(options.get("when")),
        remote=remote,
        message=message,
        retry_after=retry_after,
        headers=dict(headers or {}),
        latency_ms=latency_ms,
        fail=interruption,
    )


class Scripts:
    """A mock's scripts, in the order they were added, and its count of API requests since the reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: list[Script] = []
        self._requests = 0

    def add(self, script: Script) -> Script:
        with self._lock:
            self._scripts.append(script)
        return script

    def count_request(self) -> int:
        """Number this API request (1 for the first since the reset)."""
        with self._lock:
            self._requests += 1
            return self._requests

    def active(self) -> bool:
        """Whether any script is left to play (read without the lock: a hint for skipping work)."""
        return any(not s.consumed for s in self._scripts)

    def take(self, request: RequestFacts) -> Script | None:
        """The first unconsumed script matching `request`, counted as played once (a snapshot of it)."""
        with self._lock:
            for script in self._scripts:
                if not script.consumed and script.when.matches(request):
                    script.used += 1
                    return replace(script, headers=dict(script.headers))
        return None

    def pending(self) -> list[Script]:
        """Scripts not played as many times as asked (copies)."""
        with self._lock:
            return [replace(s) for s in self._scripts if not s.consumed]

    def all(self) -> list[Script]:
        with self._lock:
            return [replace(s) for s in self._scripts]

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._requests = 0
