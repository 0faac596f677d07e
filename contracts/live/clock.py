"""Time as a dependency: the gate reads and waits on a `Clock`, so tests move time instead of waiting.

`Stop` is the run's other clock-bound fact: a stop signal (SIGINT, SIGTERM) or the run's `--deadline`.
Every wait and every request looks at it, so a stopped run ends within a fraction of a second and
still writes its reports.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from enum import StrEnum
from typing import Protocol

SLICE = 0.25
"""The longest a wait or a socket read goes without looking at the `Stop`."""
GRACE = 1.0
"""Seconds a stopped run waits for requests in flight before it reports without them."""


class Clock(Protocol):
    """Monotonic seconds and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.monotonic` and `time.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class StopReason(StrEnum):
    """Why a run ended before its work was done (reports show the value)."""

    INTERRUPTED = "interrupted"  # SIGINT or SIGTERM
    DEADLINE = "deadline"  # --deadline SECONDS passed


class Stop:
    """A run's stop: set by a signal handler (any thread may look), or reached at `deadline` seconds
    after it was made. Thread-safe; `event` is set once the run must stop."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK, deadline: float | None = None) -> None:
        self.clock = clock
        self.deadline = deadline
        self.at = clock.now() + deadline if deadline is not None else None
        self.event = threading.Event()
        self.signal: int | None = None
        self._reason: StopReason | None = None

    def interrupt(self, signum: int) -> None:
        """A stop signal arrived: nothing more is sent (safe to call from a signal handler)."""
        if self.signal is None:  # a signal outranks a deadline already reached
            self.signal, self._reason = signum, StopReason.INTERRUPTED
        self.event.set()

    @property
    def reason(self) -> StopReason | None:
        if self._reason is None and self.at is not None and self.clock.now() >= self.at:
            self._reason = StopReason.DEADLINE
            self.event.set()
        return self._reason

    def left(self) -> float:
        """Seconds until the deadline (infinite without one, 0 once stopped)."""
        if self.reason is not None:
            return 0.0
        return self.at - self.clock.now() if self.at is not None else float("inf")

    def sleep(self, seconds: float) -> bool:
        """Wait `seconds` on the clock, looking at the stop every `SLICE`; False when it stopped the wait."""
        end = self.clock.now() + seconds
        while self.reason is None:
            left = min(end - self.clock.now(), self.left())
            if left <= 0:
                return self.reason is None
            if self.clock is SYSTEM_CLOCK:
                self.event.wait(min(left, SLICE))
            else:
                self.clock.sleep(min(left, SLICE))
        return False


def await_accounts(futures: list[Future[None]], stop: Stop, clock: Clock) -> None:
    """Wait until every account's work is done, raising the first error; once the run stops, wait at
    most GRACE seconds more (the gate and the recorder share this)."""
    stopped_at: float | None = None
    while True:
        done, pending = wait(futures, timeout=0.1, return_when=FIRST_EXCEPTION)
        for future in done:
            if (error := future.exception()) is not None:
                raise error
        if not pending:
            return
        if stop.event.is_set():
            stopped_at = stopped_at if stopped_at is not None else clock.now()
            if clock.now() - stopped_at >= GRACE:
                return
