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

from contracts.accounts import Account
from contracts.checker import Violation
from contracts.live.breaker import Outage
from contracts.live.calibration import Calibration
from contracts.live.clock import StopReason
from contracts.live.fetched import Failure


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
    SIGNAL_BASE = 128  # stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM), reports written


class FindingKind(StrEnum):
    """What a finding counts as: a violation, or drift only (never failing the run by itself)."""

    VIOLATION = "violation"
    NOT_IN_CONTRACT = "not in the contract"  # an additive change: a field or key the contract does not name
    OUTSIDE_FIELDS = "outside --fields"  # on a field the consumer does not read


@dataclass(frozen=True)
class Finding:
    """One finding of one answer, located for people: the top-level field (or key path) it is on,
    the interview it is in, and the JSON type of the value found there (never the value)."""

    violation: Violation
    kind: FindingKind = FindingKind.VIOLATION
    field: str = ""  # e.g. "created_at", "candidate.id", "next_cursor"; "" for the answer itself
    interview_id: str | None = None
    value_type: str = ""  # JSON type of the value at the pointer; "absent" when there is none


class SkipReason(StrEnum):
    """Why a check of the gate's matrix did not run (a typed value: reports never parse messages)."""

    NOT_SELECTED = "not selected by --check"
    EXCLUDED = "excluded by --exclude-check"
    OTHER_SHARD = "in another shard"
    NO_IDS = "no interview ids"  # the list walk found none (or failed)
    FEWER_IDS = "fewer interview ids than instances"  # the walk found fewer ids than --max-ids

    @property
    def in_plan(self) -> bool:
        """True for a check of this run's plan that could not run (reported as skipped), False for
        one the options left out of the plan."""
        return self not in (SkipReason.NOT_SELECTED, SkipReason.EXCLUDED, SkipReason.OTHER_SHARD)


@dataclass
class CheckResult:
    """One check instance of the plan and what became of it."""

    account: str  # the account's label
    provider: str
    check: str  # the check's name, e.g. "get format=debug"
    name: str  # this instance's stable name, e.g. "get#2 format=debug"
    url: str  # the request's URL (never holds the token)
    outcome: Outcome
    status: int | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # why the check errored
    failure: Failure | None = None  # the same, typed (interrupted, deadline, outage, timeout...)
    message: str | None = None  # Truto's error message, when the answer had one
    snippet: str | None = None  # the first bytes of a body that is not JSON
    request_id: str | None = None  # a request-id header of the answer, when it had one
    seconds: float = 0.0
    started: float = 0.0  # the gate's clock when the request began (a suite's span is first start to last end)
    attempts: int = 1
    throttled: int = 0  # 429 answers received on the way
    rate_limit_wait: float = 0.0
    method: str = "GET"
    pages: int = 1  # the list walk: pages read
    confirmed: tuple[str, ...] = ()  # assumptions this answer bore out
    contradicted: tuple[str, ...] = ()  # assumptions this answer broke

    @property
    def violations(self) -> list[Violation]:
        """The findings that count as violations (drift-only findings left out)."""
        return [f.violation for f in self.findings if f.kind is FindingKind.VIOLATION]

    @property
    def aside(self) -> list[Finding]:
        """The drift-only findings: not in the contract, or outside --fields."""
        return [f for f in self.findings if f.kind is not FindingKind.VIOLATION]

    def seen(self, assumption_id: str) -> list[str]:
        """What was seen instead of `assumption_id`, one line per finding."""
        return [f"{self.name}: {v.message}" for v in self.violations if v.basis == assumption_id]


@dataclass(frozen=True)
class Skipped:
    """A check the run did not run, and why (the summary never shows silently fewer checks)."""

    account: str
    what: str
    reason: SkipReason
    detail: str = ""  # e.g. "list walk failed: HTTP 503 (after 4 attempts)"

    @property
    def why(self) -> str:
        return f"{self.reason.value}: {self.detail}" if self.detail else self.reason.value


class DriftKind(StrEnum):
    APPEARED = "appeared"
    VANISHED = "vanished"
    CHANGED_TYPE = "changed type"
    NEW_VALUE = "new value"
    ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Drift:
    """One change from the baseline: `subject` is what changed (`field meeting_url`, `remote_data key
    a.b`, `header x-foo`, `status`, an assumption id), `line` the sentence people read."""

    provider: str
    kind: DriftKind
    subject: str
    line: str

    @property
    def is_field(self) -> bool:
        return self.subject.startswith("field ")

    def __str__(self) -> str:
        return self.line


@dataclass(frozen=True)
class OutageFinding:
    """One outage as every report tells it: when, why, whether it ended, and the checks it held back."""

    outage: Outage
    checks: tuple[str, ...]  # "[account] check instance" of each check it held back or refused

    @property
    def over(self) -> bool:
        return self.outage.over

    def line(self) -> str:
        """One line for a person: from, to, cause, checks affected."""
        o = self.outage
        start = o.started_at.strftime("%H:%M:%S")
        end = o.ended_at.strftime("%H:%M:%S") if o.ended_at else "?"
        how = "the API answered again; the checks it held back ran after it" if o.over else (
            "the API did not answer again within --retry-budget; the checks it held back errored")  # fmt: skip
        return (f"outage from {start} to {end} UTC ({o.seconds:.1f} s), cause: {o.cause}; {len(self.checks)} "
                f"check(s) affected; {how}")  # fmt: skip


@dataclass
class GateRun:
    accounts: list[Account] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    fatal: str | None = None  # usage error or nothing checkable: exit 2
    fail_on_drift: bool = False
    strict_assumptions: bool = False
    strict_fields: bool = False  # a documented optional field that vanished is a violation
    token_env: str = "TRUTO_API_TOKEN"  # named in the reproduce commands, never its value
    shard: tuple[int, int] = (1, 1)
    started_at: datetime | None = None
    seconds: float = 0.0
    stopped: StopReason | None = None  # the run ended early: a stop signal or its --deadline
    signal: int | None = None  # the signal that stopped it
    outages: list[OutageFinding] = field(default_factory=list)

    def planned_skips(self) -> list[Skipped]:
        """Checks of the plan that could not run (reported as skipped testcases)."""
        return [s for s in self.skipped if s.reason.in_plan]

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
        """128 + the signal that stopped the run; else 2 before 1 before 3 before 0 (see ExitCode)."""
        counts = self.counts()
        if self.stopped is StopReason.INTERRUPTED:
            return ExitCode.SIGNAL_BASE + (self.signal or 2)
        if self.fatal is not None:
            return ExitCode.USAGE
        strict = self.strict_assumptions and counts[Outcome.UNCONFIRMED]
        vanished = self.strict_fields and any(d.kind is DriftKind.VANISHED and d.is_field for d in self.drift)
        if counts[Outcome.VIOLATED] or (self.fail_on_drift and self.drift) or strict or vanished:
            return ExitCode.VIOLATED
        if counts[Outcome.ERRORED]:
            return ExitCode.ERRORED
        return ExitCode.PASSED
