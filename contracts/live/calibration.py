"""Which assumptions an account confirmed or contradicted: one small shape, written by the gate (per
check) and by the recorder (per mapped field), so a team sees at a glance what the kit still guesses.

    {assumption id: {"confirmed": n, "contradicted": n, "seen": ["what was seen instead", ...]}}

Ids are those of `contracts.basis` marked assumed (docs/assumptions.md); `seen` keeps the first few
distinct contradictions (never a value of a record: callers write names, statuses and pointers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.basis import basis

SEEN_KEPT = 5
"""Distinct contradictions kept per assumption."""
CONFIRMED, CONTRADICTED, MIXED = "confirmed", "contradicted", "mixed"


def _assumption(assumption_id: str) -> str:
    if not basis(assumption_id).assumed:
        raise ValueError(f"{assumption_id} is a documented fact, not an assumption: it cannot be calibrated")
    return assumption_id


@dataclass
class Tally:
    confirmed: int = 0
    contradicted: int = 0
    seen: list[str] = field(default_factory=list)


class Calibration:
    """The tally of one account (or of every account of a provider). Not thread-safe: fill it from
    finished results."""

    def __init__(self) -> None:
        self._tallies: dict[str, Tally] = {}

    def _tally(self, assumption_id: str) -> Tally:
        if assumption_id not in self._tallies:
            self._tallies[_assumption(assumption_id)] = Tally()
        return self._tallies[assumption_id]

    def confirm(self, assumption_id: str, count: int = 1) -> None:
        """The API behaved as `assumption_id` says (`count` times). ValueError for an id that is not an assumption."""
        self._tally(assumption_id).confirmed += count

    def contradict(self, assumption_id: str, seen: str) -> None:
        """The API did otherwise; `seen` says what it did instead (e.g. "expected HTTP 400, got 200")."""
        tally = self._tally(assumption_id)
        tally.contradicted += 1
        if seen not in tally.seen and len(tally.seen) < SEEN_KEPT:
            tally.seen.append(seen)

    def update(self, other: Calibration) -> None:
        """Add `other`'s counts (e.g. several accounts of one provider)."""
        for assumption_id, tally in other._tallies.items():
            mine = self._tally(assumption_id)
            mine.confirmed += tally.confirmed
            mine.contradicted += tally.contradicted
            mine.seen += [s for s in tally.seen if s not in mine.seen][: SEEN_KEPT - len(mine.seen)]

    def status(self, assumption_id: str) -> str | None:
        """confirmed, contradicted (never confirmed), mixed (both), or None when not exercised."""
        tally = self._tallies.get(assumption_id)
        if tally is None or not (tally.confirmed or tally.contradicted):
            return None
        if tally.contradicted and tally.confirmed:
            return MIXED
        return CONTRADICTED if tally.contradicted else CONFIRMED

    def ids(self) -> list[str]:
        return sorted(self._tallies)

    def contradicted(self) -> list[str]:
        return [i for i in self.ids() if self._tallies[i].contradicted]

    def confirmed(self) -> list[str]:
        return [i for i in self.ids() if self.status(i) == CONFIRMED]

    def tally(self, assumption_id: str) -> Tally:
        return self._tallies.get(assumption_id, Tally())

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The shared shape, ids sorted."""
        return {
            i: {"confirmed": t.confirmed, "contradicted": t.contradicted, "seen": list(t.seen)}
            for i, t in sorted(self._tallies.items())
        }


def per_account_json(calibrations: Mapping[str, Calibration]) -> dict[str, dict[str, dict[str, Any]]]:
    """{account label: calibration shape}, labels sorted."""
    return {label: c.to_json() for label, c in sorted(calibrations.items())}


def merged(calibrations: Iterable[Calibration]) -> Calibration:
    out = Calibration()
    for calibration in calibrations:
        out.update(calibration)
    return out
