"""Server-wide faults set on the command line: latency, random errors, Truto's own rate limits.

All off by default. The random choices come from one generator seeded with the mock's --seed, so a
run is repeatable request by request.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from mockserver.config import MockConfig
from mockserver.scenarios import Scenario

WINDOW_SECONDS = 10.0
RANDOM_ERROR_CODES = (500, 502, 503)


@dataclass(frozen=True)
class RateLimited:
    limit: int
    retry_after: int
    scope: str  # "token" or "integrated account"


class SlidingWindow:
    """At most `limit` events per key in any WINDOW_SECONDS."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def hit(self, key: str) -> int | None:
        """Record an event; None when allowed, else the seconds until the next one is."""
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= WINDOW_SECONDS:
            events.popleft()
        if len(events) >= self.limit:
            return max(1, math.ceil(WINDOW_SECONDS - (now - events[0])))
        events.append(now)
        return None


class Faults:
    """Decides, per request, the extra latency and any injected error."""

    def __init__(self, config: MockConfig, clock: Callable[[], float] = time.monotonic) -> None:
        """The faults `config` asks for (seed, latency, error rate, rate limits); `clock` times the windows."""
        self._seed = config.seed
        self._lock = threading.Lock()
        self.latency_ms = config.latency_ms
        self.error_rate = config.error_rate
        self._limits = (config.rate_limit_token, config.rate_limit_account, clock)
        self.reset()

    def reset(self) -> None:
        """Back to the start: the random sequence from the seed again, rate-limit windows empty."""
        token_limit, account_limit, clock = self._limits
        with self._lock:
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

    def rate_limit(self, token: str, account: str | None) -> RateLimited | None:
        with self._lock:
            if self._per_token is not None and (wait := self._per_token.hit(token)) is not None:
                return RateLimited(self._per_token.limit, wait, "token")
            if self._per_account is not None and account and (wait := self._per_account.hit(account)) is not None:
                return RateLimited(self._per_account.limit, wait, "integrated account")
        return None
