"""The outage breaker: when the API stops answering, stop sending, probe it, and tell it once.

Consecutive availability failures (no answer, a cut connection, 502/503/504) across every request of a
run open the breaker at `threshold`. While it is open, requests wait instead of failing, and one at a
time sends the probe: the run's first request, which answered (so a 503 that only some queries get
is not taken for an outage: the probe answers at once and nothing is recorded). A failed probe makes
it an outage; probes go on at a doubling backoff for at most `budget` seconds. The first answer
closes it and the waiting requests go on, so a short outage costs time, not results. An outage that
outlasts the budget is given up: what waits and what comes after is not sent. Either way the run
holds one `Outage` (from, to, cause, the checks it held back), which every report shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from contracts.live.clock import Clock, Stop

THRESHOLD = 3
"""Consecutive availability failures that open the breaker (one flaky 503 does not)."""
AVAILABILITY_STATUSES = frozenset({502, 503, 504})


@dataclass
class Outage:
    """One stretch of time the API did not answer."""

    cause: str  # the failure that opened the breaker, e.g. "cannot connect (...)" or "HTTP 503"
    started: float  # the run's clock
    started_at: datetime
    ended: float | None = None
    ended_at: datetime | None = None
    over: bool = False  # the API answered again (False: given up after the budget, or the run stopped)
    probes: int = 0
    held: list[str] = field(default_factory=list)
    """The requests it held back or refused (their targets; the runner names the checks)."""

    @property
    def seconds(self) -> float:
        return (self.ended or self.started) - self.started


class Turn(Enum):
    SEND = "send"  # closed: send as usual
    PROBE = "probe"  # open: this request is the probe
    REFUSED = "refused"  # given up: do not send
    STOPPED = "stopped"  # the run stopped while waiting


class Breaker:
    """Shared by every request of a run (thread-safe); see the module docstring."""

    def __init__(self, clock: Clock, budget: float, *, threshold: int = THRESHOLD, backoff: float = 0.5,
                 max_backoff: float = 8.0) -> None:  # fmt: skip
        self.clock, self.budget, self.threshold = clock, budget, threshold
        self.backoff, self.max_backoff = backoff, max_backoff
        self.outages: list[Outage] = []
        self._lock = threading.Lock()
        self._failures = 0
        self._open: Outage | None = None
        self._probing = False
        self._next_probe = 0.0
        self._given_up: Outage | None = None
        self._confirmed = False  # a probe failed too: the open breaker is an outage

    def turn(self, stop: Stop, target: str) -> tuple[Turn, Outage | None]:
        """Wait while the breaker is open; then send, probe, or (given up, stopped) do not send."""
        held: Outage | None = None
        while True:
            with self._lock:
                if self._given_up is not None:
                    self._given_up.held.append(target)
                    return Turn.REFUSED, self._given_up
                outage = self._open
                if outage is None:
                    return Turn.SEND, held
                if held is None:
                    held = outage
                    outage.held.append(target)
                now = self.clock.now()
                if now - outage.started >= self.budget and self._confirmed:
                    self._give_up(outage, now)
                    continue
                if not self._probing and now >= self._next_probe:
                    self._probing = True
                    outage.probes += 1
                    return Turn.PROBE, outage
                wait = max(0.0, min(self._next_probe - now, outage.started + self.budget - now)) or 0.05
            if not stop.sleep(min(wait, 0.25)):
                return Turn.STOPPED, held

    def _give_up(self, outage: Outage, now: float) -> None:
        outage.ended, outage.ended_at = now, datetime.now(UTC)
        self._given_up, self._open = outage, None

    def failed(self, cause: str, turn: Turn) -> None:
        """An availability failure (no answer, 502/503/504)."""
        with self._lock:
            now = self.clock.now()
            if turn is Turn.PROBE:
                self._probing = False
            self._failures += 1
            outage = self._open
            if outage is None and self._given_up is None and self._failures >= self.threshold:
                outage = Outage(cause, now, datetime.now(UTC))
                self._open, self._confirmed, self._next_probe = outage, False, now  # probe at once
                return
            if outage is not None and turn is Turn.PROBE:
                if not self._confirmed:
                    self._confirmed = True
                    self.outages.append(outage)
                step = min(self.max_backoff, self.backoff * 2.0 ** max(outage.probes - 1, 0))
                self._next_probe = now + step

    def answered(self, turn: Turn) -> None:
        """Any answer that is not an availability failure: the API is back."""
        with self._lock:
            if turn is Turn.PROBE:
                self._probing = False
            self._failures = 0
            outage = self._open
            if outage is not None and turn is Turn.PROBE:
                outage.ended, outage.ended_at, outage.over = self.clock.now(), datetime.now(UTC), True
                self._open = None

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open is not None

    def close_all(self) -> None:
        """The run ended (or stopped) with an outage still open: it ends now, not over."""
        with self._lock:
            outage = self._open
            if outage is not None and outage.ended is None:
                outage.ended, outage.ended_at = self.clock.now(), datetime.now(UTC)
