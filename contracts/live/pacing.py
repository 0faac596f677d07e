"""Pacing: send no request the API would refuse for its rate limit.

Two sources of limits, per key (the API token, each integrated account): limits known in advance
(Truto's published ones on Truto's host, or `--rate-limit N/SECONDS`) and what the API says in its
`ratelimit-limit` (`50;w=10`), `ratelimit-remaining` and `ratelimit-reset` headers. A request counts
against a window from its start until `seconds` after its answer arrived (the server counted it at
some point in between), so the client never outruns a server's sliding window.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from contracts.limits import TRUTO_LIMITS, RateLimit
from contracts.live.clock import Clock
from contracts.truto import TRUTO_API_HOST

TOKEN_KEY = "\0token"
POLL_SECONDS = 0.02
"""How long to wait when every slot is taken by a request still in flight."""
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+(?:\.\d+)?))?")


def parse_limit(value: str | None) -> RateLimit | None:
    """`ratelimit-limit` in Truto's form `50;w=10` (a bare `50` means per 10 s)."""
    match = _LIMIT.match(value or "")
    if not match or int(match.group(1)) < 1 or len(match.group(1)) > 9:
        return None
    window = float(match.group(2) or 10)
    return RateLimit(int(match.group(1)), window) if 0 < window < MAX_SECONDS else None


def number(value: str | None) -> float | None:
    """A header's non-negative finite number of seconds or requests; None when absent or unreadable
    (`inf`, `nan`, `1e400`, `-5`, `soon`)."""
    try:
        parsed = float(value) if value is not None else None
    except ValueError:
        return None
    return parsed if parsed is not None and 0 <= parsed < MAX_SECONDS else None


MAX_SECONDS = 10.0**9
"""Beyond any wait or count a header can mean (about 31 years): taken as unreadable."""


@dataclass
class _Key:
    limit: RateLimit | None = None  # known in advance
    learned: RateLimit | None = None  # from ratelimit-limit
    done: deque[float] = field(default_factory=deque)  # answer times of requests still in the window
    in_flight: int = 0
    server_remaining: int | None = None  # from ratelimit-remaining, minus what was sent since
    server_reset_at: float = 0.0
    blocked_by: str = ""  # why server_remaining is 0 (a 429's Retry-After, or the headers)

    @property
    def window(self) -> RateLimit | None:
        limits = [x for x in (self.limit, self.learned) if x is not None]
        return min(limits, key=lambda x: x.per_second) if limits else None

    def wait(self, now: float) -> tuple[float, str]:
        """Seconds until one more request may start (0: now), and why."""
        out, why = 0.0, ""
        window = self.window
        horizon = window.seconds if window else 10.0
        while self.done and self.done[0] + horizon <= now:
            self.done.popleft()
        if window is not None and len(self.done) + self.in_flight >= window.requests:
            out = self.done[0] + window.seconds - now if self.done else POLL_SECONDS
            why = f"a limit of {window.requests} request(s) per {window.seconds:g} s"
        spent = self.server_remaining is not None and self.server_remaining <= 0
        if spent and now < self.server_reset_at and self.server_reset_at - now > out:
            out, why = self.server_reset_at - now, self.blocked_by or "ratelimit-remaining: 0 until ratelimit-reset"
        return out, why


@dataclass(frozen=True)
class Permit:
    keys: tuple[str, ...]
    waited: float


@dataclass(frozen=True)
class TooLong:
    """The rate limit asks for a wait longer than the caller may spend: nothing was counted."""

    seconds: float
    why: str


class Pacer:
    """Blocks each request until the token's and its account's budgets allow it. Thread-safe."""

    def __init__(
        self,
        clock: Clock,
        *,
        per_token: RateLimit | None = None,
        per_account: RateLimit | None = None,
        follow_headers: bool = True,
    ) -> None:
        self.clock = clock
        self.per_account = per_account
        self.follow_headers = follow_headers
        self._lock = threading.Lock()
        self._keys: dict[str, _Key] = {TOKEN_KEY: _Key(per_token)}
        self.unreadable: dict[str, str] = {}
        """Rate-limit headers whose value could not be read (name -> first such value), ignored."""

    def _key(self, name: str) -> _Key:
        if name not in self._keys:
            self._keys[name] = _Key(self.per_account)
        return self._keys[name]

    def acquire(
        self,
        account: str | None,
        *,
        limit: float = float("inf"),
        sleep: Callable[[float], bool] | None = None,
        announce: Callable[[float, str], None] | None = None,
    ) -> Permit | TooLong | None:
        """Wait until a request for `account` may start, and count it. A single wait beyond `limit`
        seconds is not made (`TooLong`); `sleep` waits (False: the run stopped, None is returned);
        `announce(seconds, why)` hears of each wait before it is made."""
        names = (TOKEN_KEY, account) if account else (TOKEN_KEY,)
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock.now()
                keys = [self._key(n) for n in names]
                wait, why = max((k.wait(now) for k in keys), key=lambda pair: pair[0])
                if wait <= 0:
                    for key in keys:
                        key.in_flight += 1
                        if key.server_remaining is not None:
                            key.server_remaining -= 1
                    return Permit(names, waited)
            if wait > limit:  # one wait beyond the budget (a queue of short ones is pacing, not a refusal)
                return TooLong(wait, why)
            if announce is not None and wait > POLL_SECONDS:
                announce(wait, why)
            if sleep is not None:
                if not sleep(wait):
                    return None
            else:
                self.clock.sleep(wait)
            waited += wait

    def release(self, permit: Permit, headers: Mapping[str, str] | None) -> None:
        """The answer arrived (headers None: no answer); learn from its ratelimit-* headers."""
        with self._lock:
            now = self.clock.now()
            keys = [self._key(n) for n in permit.keys]
            for key in keys:
                key.in_flight -= 1
                key.done.append(now)
            if not headers or not self.follow_headers:
                return
            # The headers describe the tighter scope; the account is the scope we can attribute.
            key = keys[-1]
            raw_limit = headers.get("ratelimit-limit")
            learned = parse_limit(raw_limit)
            if learned is not None:
                key.learned = learned
            elif raw_limit is not None:
                self._unreadable("ratelimit-limit", raw_limit)
            remaining, reset = self._read(headers, "ratelimit-remaining"), self._read(headers, "ratelimit-reset")
            if remaining is not None and reset is not None:
                key.server_remaining = int(remaining) - key.in_flight  # those in flight may not be counted yet
                key.server_reset_at = now + reset
                key.blocked_by = f"ratelimit-remaining: {int(remaining)}, ratelimit-reset: {reset:g} s"

    def _read(self, headers: Mapping[str, str], name: str) -> float | None:
        value = headers.get(name)
        parsed = number(value)
        if parsed is None and value is not None:
            self._unreadable(name, value)
        return parsed

    def _unreadable(self, name: str, value: str) -> None:
        self.unreadable.setdefault(name, value[:40])

    def block(self, account: str | None, seconds: float, why: str = "") -> None:
        """A 429 said to wait `seconds`: no request for this account starts before then."""
        with self._lock:
            key = self._key(account or TOKEN_KEY)
            key.server_remaining = 0
            key.server_reset_at = max(key.server_reset_at, self.clock.now() + seconds)
            key.blocked_by = why or key.blocked_by


def pacer_for(base_url: str, rate_limit: RateLimit | str, clock: Clock) -> Pacer | None:
    """`auto`: Truto's published limits on Truto's host, the API's headers everywhere; `off`: none.
    (The gate and the recorder pace alike.)"""
    if rate_limit == "off":
        return None
    if isinstance(rate_limit, RateLimit):
        return Pacer(clock, per_token=rate_limit)
    if urlsplit(base_url).hostname == TRUTO_API_HOST:
        return Pacer(clock, per_token=TRUTO_LIMITS.per_token, per_account=TRUTO_LIMITS.per_account)
    return Pacer(clock)
