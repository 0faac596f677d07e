"""Server-wide faults: latency, random errors, Truto's own rate limits; set on the command line and
changeable while serving (`PUT /__mock__/faults`, the page).

All off by default. The random choices come from one generator seeded with the mock's --seed, so a
run is repeatable request by request. The rate limiter reads an injectable clock, so tests can move
time instead of waiting for it, and tracks at most `MAX_TRACKED_KEYS` tokens (and as many accounts):
windows that expired are dropped, and past the cap the least recently seen key goes.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from contracts.limits import TRUTO_LIMITS
from mockserver.config import MockConfig, check_setting, from_text
from mockserver.scenarios import Scenario

log = logging.getLogger("mockserver")
WINDOW_SECONDS = TRUTO_LIMITS.per_account.seconds
RANDOM_ERROR_CODES = (500, 502, 503)
MAX_TRACKED_KEYS = 10_000
"""Rate-limit windows kept per scope (tokens, accounts): past this, the least recently seen key's
window is dropped (that key starts afresh), so random tokens cannot grow the mock's memory."""


@dataclass(frozen=True)
class FaultSettings:
    """The faults in force: what `GET /__mock__/faults` shows and `PUT` changes (same names and
    checks as the `MockConfig` settings they start from)."""

    latency_ms: tuple[int, int] | None = None
    error_rate: float = 0.0
    rate_limit_token: int = 0
    rate_limit_account: int = 0

    @classmethod
    def from_config(cls, config: MockConfig) -> FaultSettings:
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})

    def changed(self, changes: Mapping[str, Any]) -> FaultSettings:
        """These settings with `changes` applied, each checked as its command-line flag is (numbers,
        or text as on the command line: `"50-300"`); ValueError naming the setting and the problem."""
        known = [f.name for f in fields(self)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError(f"unknown fault setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            try:
                checked[name] = check_setting(name, from_text(value) if isinstance(value, str) else value)
            except ValueError as exc:
                raise ValueError(f"{name} {exc}") from None
        return replace(self, **checked)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["latency_ms"] = list(self.latency_ms) if self.latency_ms else None
        out["window_seconds"] = WINDOW_SECONDS
        return out

    def describe(self) -> list[str]:
        """The faults that are on, in words (empty when none is): for the banner and the page."""
        out = []
        if self.latency_ms:
            low, high = self.latency_ms
            out.append(f"latency {low} ms" if low == high else f"latency {low}-{high} ms")
        if self.error_rate:
            out.append(f"error rate {self.error_rate:.0%} (random {'/'.join(map(str, RANDOM_ERROR_CODES))})")
        if self.rate_limit_token:
            out.append(f"rate limit {self.rate_limit_token} requests per {WINDOW_SECONDS:g} s per token")
        if self.rate_limit_account:
            out.append(f"rate limit {self.rate_limit_account} requests per {WINDOW_SECONDS:g} s per integrated account")
        return out


@dataclass(frozen=True)
class RateBudget:
    """Where a request stands against the tighter of the limits that apply to it (Truto sends this
    as `ratelimit-*` headers on every response): `limited` means it is answered 429."""

    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the window
    scope: str  # "token" or "integrated account"
    limited: bool = False

    @property
    def retry_after(self) -> int:
        return self.reset


class SlidingWindow:
    """At most `limit` events per key in any WINDOW_SECONDS, for at most `max_keys` keys at once."""

    def __init__(self, limit: int, clock: Callable[[], float], max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.limit = limit
        self.clock = clock
        self.max_keys = max_keys
        self._events: OrderedDict[str, array[float]] = OrderedDict()  # least recently seen first; compact times
        self._warned = False

    def __len__(self) -> int:
        """How many keys have a window."""
        return len(self._events)

    def _events_now(self, key: str) -> tuple[float, array[float]]:
        now = self.clock()
        self._drop_expired(now)
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._events.popitem(last=False)
                if not self._warned:
                    self._warned = True
                    log.warning(
                        "rate limits: tracking %d keys at once, the most kept; the least recently seen "
                        "one's window is dropped for each new one (it starts afresh)",
                        self.max_keys,
                    )
            events = self._events[key] = array("d")
        else:
            self._events.move_to_end(key)
        del events[: bisect_right(events, now - WINDOW_SECONDS)]  # those a window ago or earlier
        return now, events

    def _drop_expired(self, now: float) -> None:
        """Drop the windows, least recently seen first, whose every event is over."""
        while self._events:
            events = next(iter(self._events.values()))
            if events and now - events[-1] < WINDOW_SECONDS:
                return
            self._events.popitem(last=False)

    def take(self, key: str, scope: str) -> RateBudget:
        """Count one request when the window has room; the budget left either way."""
        now, events = self._events_now(key)
        limited = len(events) >= self.limit
        if not limited:
            events.append(now)
        reset = max(1, math.ceil(WINDOW_SECONDS - (now - events[0])))
        return RateBudget(self.limit, self.limit - len(events), reset, scope, limited)

    def refund(self, key: str) -> None:
        events = self._events.get(key)
        if events:
            events.pop()


class Faults:
    """Decides, per request, the extra latency and any injected error."""

    def __init__(self, config: MockConfig, clock: Callable[[], float] = time.monotonic) -> None:
        """The faults `config` asks for (seed, latency, error rate, rate limits); `clock` times the windows."""
        self._seed = config.seed
        self._lock = threading.Lock()
        self._initial = FaultSettings.from_config(config)
        self._settings = self._initial
        self._clock = clock
        self._per_token: SlidingWindow | None = None
        self._per_account: SlidingWindow | None = None
        self.sleep: Callable[[float], None] = time.sleep
        """How latency is served (a test's fake clock can stand in)."""
        self.reset()

    @property
    def settings(self) -> FaultSettings:
        """The faults in force now."""
        return self._settings

    @property
    def latency_ms(self) -> tuple[int, int] | None:
        return self._settings.latency_ms

    @property
    def error_rate(self) -> float:
        return self._settings.error_rate

    def reset(self) -> None:
        """Back to the start: the faults the mock was started with, the random sequence from the seed
        again, rate-limit windows empty."""
        with self._lock:
            self._rng = random.Random(self._seed)
            self._per_token = self._per_account = None
            self._apply(self._initial)

    def update(self, changes: Mapping[str, Any]) -> FaultSettings:
        """Change some faults while serving (ValueError naming a bad one, and nothing changes). A rate
        limit that stays on keeps the requests its window has counted."""
        with self._lock:
            self._apply(self._settings.changed(changes))
            return self._settings

    def _apply(self, settings: FaultSettings) -> None:
        self._settings = settings
        self._per_token = self._window(self._per_token, settings.rate_limit_token)
        self._per_account = self._window(self._per_account, settings.rate_limit_account)

    def _window(self, current: SlidingWindow | None, limit: int) -> SlidingWindow | None:
        if not limit:
            return None
        if current is None:
            return SlidingWindow(limit, self._clock)
        current.limit = limit
        return current

    def delay_seconds(self) -> float:
        latency = self._settings.latency_ms
        if latency is None:
            return 0.0
        with self._lock:
            return self._rng.randint(*latency) / 1000

    def random_error(self) -> Scenario | None:
        rate = self._settings.error_rate
        if not rate:
            return None
        with self._lock:
            if self._rng.random() >= rate:
                return None
            return Scenario(code=self._rng.choice(RANDOM_ERROR_CODES))

    def tracked_keys(self) -> int:
        """How many tokens and accounts have a rate-limit window now (bounded: `MAX_TRACKED_KEYS` each)."""
        with self._lock:
            return sum(len(w) for w in (self._per_token, self._per_account) if w is not None)

    def use_clock(self, clock: Callable[[], float], sleep: Callable[[float], None] | None = None) -> None:
        """Read time from `clock` (and wait with `sleep`) from now on: tests move a fake clock
        instead of waiting. Resets the rate-limit windows."""
        self._clock = clock
        if sleep is not None:
            self.sleep = sleep
        self.reset()

    def rate_limit(self, token: str, account: str | None) -> RateBudget | None:
        """Count the request against the token's and the account's windows; None when no limit is on.

        A request refused by one scope is not counted by the other (Truto counts what it serves).
        """
        with self._lock:
            budgets: list[RateBudget] = []
            if self._per_token is not None:
                budgets.append(self._per_token.take(token, "token"))
                if budgets[-1].limited:
                    return budgets[-1]
            if self._per_account is not None and account:
                budgets.append(self._per_account.take(account, "integrated account"))
                if budgets[-1].limited:
                    if self._per_token is not None:  # give the token's slot back: this one is refused
                        self._per_token.refund(token)
                    return budgets[-1]
        if not budgets:
            return None
        return min(budgets, key=lambda b: (b.remaining, -b.reset))
