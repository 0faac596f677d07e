"""Server-wide faults set on the command line: latency, random errors, Truto's own rate limits.

All off by default. The random choices come from one generator seeded with the mock's --seed, so a
run is repeatable request by request. The rate limiter reads an injectable clock, so tests can move
time instead of waiting for it.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from contracts.limits import TRUTO_LIMITS
from mockserver.config import MockConfig
from mockserver.scenarios import Scenario

WINDOW_SECONDS = TRUTO_LIMITS.per_account.seconds
RANDOM_ERROR_CODES = (500, 502, 503)


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
    """At most `limit` events per key in any WINDOW_SECONDS."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def _events_now(self, key: str) -> tuple[float, deque[float]]:
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= WINDOW_SECONDS:
            events.popleft()
        return now, events

    def hit(self, key: str) -> int | None:
        """Record an event; None when allowed, else the seconds until the next one is."""
        budget = self.take(key, "")
        return budget.reset if budget.limited else None

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
        self.latency_ms = config.latency_ms
        self.error_rate = config.error_rate
        self._limits = (config.rate_limit_token, config.rate_limit_account, clock)
        self._given = (config.latency_ms, config.error_rate)
        """The faults given at start, which `reset()` restores (they can be changed while serving)."""
        self.sleep: Callable[[float], None] = time.sleep
        """How latency is served (a test's fake clock can stand in)."""
        self.reset()

    def reset(self) -> None:
        """Back to the start: the faults given at start, the random sequence from the seed again,
        rate-limit windows empty."""
        token_limit, account_limit, clock = self._limits
        with self._lock:
            self.latency_ms, self.error_rate = self._given
            self._rng = random.Random(self._seed)
            self._per_token = SlidingWindow(token_limit, clock) if token_limit else None
            self._per_account = SlidingWindow(account_limit, clock) if account_limit else None

    def delay_seconds(self) -> float:
        if self.latency_ms is None:
            return 0.0
        with self._lock:
            return self._rng.randint(*self.latency_ms) / 1000

    def random_error(self) -> Scenario | None:
        if not self.error_rate:
            return None
        with self._lock:
            if self._rng.random() >= self.error_rate:
                return None
            return Scenario(code=self._rng.choice(RANDOM_ERROR_CODES))

    @property
    def rate_limited(self) -> bool:
        return self._per_token is not None or self._per_account is not None

    def use_clock(self, clock: Callable[[], float], sleep: Callable[[float], None] | None = None) -> None:
        """Read time from `clock` (and wait with `sleep`) from now on: tests move a fake clock
        instead of waiting. Resets the rate-limit windows."""
        token_limit, account_limit, _ = self._limits
        self._limits = (token_limit, account_limit, clock)
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
