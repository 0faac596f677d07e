"""The mock's clock: real time plus whatever a test has skipped with `advance()`.

Rate-limit windows read it, so a test moves time past a `Retry-After` instead of waiting for it.
The live mock and the in-process router answer from one `MockState`, so they share one clock.
"""

from __future__ import annotations

import math
import threading
import time


class MockClock:
    """Monotonic seconds, moved forward on demand (`truto_mock.clock.advance(10)`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    def now(self) -> float:
        """The mock's time: `time.monotonic()` plus every `advance` since the last reset."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the mock's time `seconds` forward (fractions allowed): rate-limit windows and
        `Retry-After` waits pass at once. Pass it as your client's `sleep` to test its retries
        without waiting.

        Args:
            seconds: how far to move, a finite number, 0 or more.

        Raises:
            TypeError: when `seconds` is not a number.
            ValueError: when `seconds` is negative (the mock's time never goes back but by a reset).
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise TypeError(f"clock.advance takes seconds as a number, got {seconds!r}")
        if seconds < 0:
            raise ValueError(f"clock.advance moves time forward only, got {seconds!r} seconds")
        with self._lock:
            self._offset += seconds

    @property
    def advanced(self) -> float:
        """Seconds skipped since the last reset."""
        return self._offset

    def reset(self) -> None:
        """Back to real time (the mock's reset empties the rate-limit windows at the same moment)."""
        with self._lock:
            self._offset = 0.0
