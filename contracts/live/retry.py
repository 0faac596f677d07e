"""How often and how long a request is tried again: the retry policy (backoff with jitter, a budget
in seconds) and `Retry-After` read safely (unreadable values are None, never an exception)."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.live.pacing import MAX_SECONDS


@dataclass(frozen=True)
class RetryPolicy:
    """5xx answers, broken connections and garbled 200s are tried again, up to `retries` more times
    and within `budget` seconds per request (waits included); a 429 waits for its `Retry-After`.
    In an outage (see `contracts.live.breaker`) `budget` bounds the outage instead."""

    retries: int = 3
    budget: float = 60.0
    backoff: float = 0.5  # first wait; doubles each attempt, with jitter, up to max_backoff
    max_backoff: float = 8.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Equal jitter: half the exponential step fixed, half random (AWS's recommendation)."""
        step = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return step / 2 + rng.uniform(0, step / 2)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds or as an HTTP date; None when absent or unreadable (`inf`, `nan`,
    negative or absurd numbers)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < MAX_SECONDS else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
