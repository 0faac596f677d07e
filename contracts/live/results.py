"""What a gate run found: one result per check instance, each with one outcome, fed to every report.

Outcomes are an enum so a new kind is one member, not a change to every report. *Unconfirmed* is a
check whose every finding rests on an assumption (`contracts.basis`): the kit may have guessed wrong,
so it exits 0 unless `--strict-assumptions` is given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from contracts.checker import Violation
from contracts.live.accounts import Account
from contracts.live.calibration import Calibration


class Outcome(StrEnum):
    PASSED = "passed"
    VIOLATED = "violated"  # an answer that breaks the contract
    ERRORED = "errored"  # no usable answer: transport failure, timeout, 5xx or 429 after retries
    UNCONFIRMED = "unconfirmed"  # an answer that breaks only assumptions of the kit


class ExitCode:
    """The gate's exit codes (documented in docs/gate.md)."""

    PASSED = 0  # unconfirmed assumptions alone still pass
    VIOLATED = 1  # or drift with --fail-on-drift, or unconfirmed assumptions with --strict-assumptions
    USAGE = 2  # bad usage, or nothing checkable (found by the first probe)
    ERRORED = 3  # no violation, but some checks had no usable answer: CI may retry


@dataclass
class CheckResult:
    """One request the gate sent and what became of it."""

    account: str  # the account's label
    provider: str
    check: str  # the check's name, e.g. "get format=debug"
    name: str  # this instance's stable name, e.g. "get#2 format=debug"
    url: str  # the request's URL (never holds the token)
    outcome: Outcome
    status: int | None = None
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None  # why the check errored
    message: str | None = None  # Truto's error message, when the answer had one
    seconds: float = 0.0
    started: float = 0.0  # the gate's clock when the request began (a suite's span is first start to last end)
    attempts: int = 1
    throttled: int = 0  # 429 answers received on the way
    rate_limit_wait: float = 0.0
    method: str = "GET"
    confirmed: tuple[str, ...] = ()  # assumptions this answer bore out
    contradicted: tuple[str, ...] = ()  # assumptions this answer broke

    def seen(self, assumption_id: str) -> list[str]:
        """What was seen instead of `assumption_id`, one line per finding."""
        return [f"{self.name}: {v.message}" for v in self.violations if v.basis == assumption_id]


@dataclass(frozen=True)
class Skipped:
    """Something the run did not check, and why (the summary never shows silently fewer checks)."""

    account: str
    what: str
    why: str


@dataclass
class GateRun:
    accounts: list[Account] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    fatal: str | None = None  # usage error or nothing checkable: exit 2
    fail_on_drift: bool = False
    strict_assumptions: bool = False
    started_at: datetime | None = None
    seconds: float = 0.0

    def counts(self) -> Counter[Outcome]:
        counts = Counter({outcome: 0 for outcome in Outcome})
        counts.update(r.outcome for r in self.results)
        return counts

    @property
    def throttled(self) -> int:
        return sum(r.throttled for r in self.results)

    def calibration(self) -> dict[str, Calibration]:
        """Per account label: which assumptions its answers confirmed or contradicted."""
        out = {a.label: Calibration() for a in self.accounts}
        for result in self.results:
            tally = out.setdefault(result.account, Calibration())
            for assumption_id in result.confirmed:
                tally.confirm(assumption_id)
            for assumption_id in result.contradicted:  # once per check; the first finding says what was seen
                tally.contradict(assumption_id, next(iter(result.seen(assumption_id)), result.name))
        return out

    @property
    def exit_code(self) -> int:
        """2 before 1 before 3 before 0 (see ExitCode)."""
        counts = self.counts()
        if self.fatal is not None:
            return ExitCode.USAGE
        strict = self.strict_assumptions and counts[Outcome.UNCONFIRMED]
        if counts[Outcome.VIOLATED] or (self.fail_on_drift and self.drift) or strict:
            return ExitCode.VIOLATED
        if counts[Outcome.ERRORED]:
            return ExitCode.ERRORED
        return ExitCode.PASSED
