"""The gate's reports, all fed from one `GateRun`: the terminal summary, JUnit XML and JSON.

Every text passes through `redact` (the token never appears, even when a server echoes it).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, TextIO

from contracts.live import availability
from contracts.live.calibration import per_account_json
from contracts.live.findings import evidence, finding_line, group_findings, reproduce, request_line
from contracts.live.results import CheckResult, Finding, FindingKind, GateRun, Outcome, Skipped, SkipReason

Redact = Callable[[str], str]
REPORT_VERSION = 3
"""2: the unconfirmed outcome, each violation's basis, the assumptions per account. 3: findings located
and grouped (field, interview id, JSON type, kind), drift-only findings (not in the contract, outside
--fields), each failed check's reproduce command, body snippet and request id, the plan (shard, skipped
checks with a typed reason), drift as objects."""
JUNIT_FORMAT = 1
"""The JUnit file's own format version, the property `truto-contract.format` of every `<testsuite>`
(raised when a consumer parsing its names, properties or messages must change)."""
JUNIT_FORMAT_PROPERTY = "truto-contract.format"
VERDICTS = {0: "PASSED", 1: "FAILED", 2: "NOT RUN", 3: "ERRORED"}
_ASIDE_TITLES = {
    FindingKind.NOT_IN_CONTRACT: "Not in the contract (additive changes, not violations; --strict-fields: they are)",
    FindingKind.OUTSIDE_FIELDS: "Outside --fields (drift only: fields this consumer does not read)",
}


def details(result: CheckResult, token_env: str = "TRUTO_API_TOKEN", base_url: str = "") -> list[str]:
    """What a person needs to see about one result: the request, the answer, the evidence, the findings."""
    lines = [request_line(result, base_url), *evidence(result, token_env)]
    return lines + [finding_line(f) for f in result.findings if f.kind is FindingKind.VIOLATION]


def _rows(run: GateRun) -> dict[tuple[str, str], Counter[str]]:
    rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for result in run.results:
        rows[(result.account, result.check)][result.outcome.value] += 1
    for skip in run.planned_skips():
        rows[(skip.account, _check_of(skip.what))]["skipped"] += 1
    return rows


def _check_of(instance: str) -> str:
    """`get#2 format=raw` -> `get format=raw`."""
    head, sep, rest = instance.partition(" ")
    return f"{head.split('#', 1)[0]}{sep}{rest}"


def verdict_line(run: GateRun) -> str:
    counts = run.counts()
    parts = ", ".join(f"{counts[o]} {o.value}" for o in Outcome)
    skipped = f", {len(run.planned_skips())} skipped" if run.planned_skips() else ""
    drift = f", {len(run.drift)} drift" if run.drift else ""
    rate = len(run.results) / run.seconds if run.seconds else 0.0
    return f"{verdict(run)}: {parts}{skipped}{drift} ({run.seconds:.1f}s, {rate:.0f}/s)"


def verdict(run: GateRun) -> str:
    """PASSED, FAILED, NOT RUN, ERRORED; INTERRUPTED for a run a stop signal ended (exit 130, 143)."""
    return VERDICTS.get(run.exit_code, "INTERRUPTED")


def _table(run: GateRun, write: Callable[[str], Any]) -> None:
    rows = _rows(run)
    if not rows:
        return
    label_w = max([len(a) for a, _ in rows] + [7])
    check_w = max([len(c) for _, c in rows] + [5])
    columns = [*(o.value for o in Outcome), "skipped"]
    write(f"\n{'account':<{label_w}} {'check':<{check_w}} " + " ".join(f"{c:>{len(c)}}" for c in columns) + "\n")
    write(f"{'-' * label_w} {'-' * check_w} " + " ".join("-" * len(c) for c in columns) + "\n")
    for (account, check), c in rows.items():
        write(f"{account:<{label_w}} {check:<{check_w}} " + " ".join(f"{c[k]:>{len(k)}}" for k in columns) + "\n")


def print_summary(run: GateRun, out: TextIO, redact: Redact, base_url: str = "") -> None:
    """Per account and check: the outcomes; then the findings grouped by rule and field, each failed
    check with its evidence and reproduce command, what is not in the contract, drift, the verdict."""
    write: Callable[[str], Any] = lambda text: out.write(redact(text))  # noqa: E731
    _table(run, write)
    strict = " (--strict-assumptions: they fail the run)" if run.strict_assumptions else " (not a failure)"
    grouped = (
        (Outcome.VIOLATED, "Violations by rule and field"),
        (Outcome.UNCONFIRMED, f"Unconfirmed: findings resting only on the kit's assumptions{strict}"),
    )
    for outcome, title in grouped:
        groups = group_findings(run.results, kind=FindingKind.VIOLATION, outcome=outcome)
        if groups:
            write(f"\n{title} ({sum(g.count for g in groups)} finding(s)):\n")
            write("".join(f"  {g.line()}\n" for g in groups))
    titles: tuple[tuple[Outcome, str], ...] = (
        (Outcome.VIOLATED, "broke the contract"),
        (Outcome.UNCONFIRMED, "broke only assumptions of the kit"),
        (Outcome.ERRORED, "had no usable answer"),
    )
    listed = {o for o, _ in titles}
    titles += tuple((o, f"ended {o.value}") for o in Outcome if o is not Outcome.PASSED and o not in listed)
    for outcome, title in titles:
        found = [r for r in run.results if r.outcome == outcome]
        if not found:
            continue
        write(f"\n{len(found)} check(s) {title}:\n")
        for result in found:
            write(f"  [{result.account}] {result.name}: {request_line(result, base_url)}\n")
            write("".join(f"      {line}\n" for line in evidence(result, run.token_env)))
    for kind, title in _ASIDE_TITLES.items():
        groups = group_findings(run.results, kind=kind)
        if groups:
            write(f"\n{title}:\n" + "".join(f"  {g.line()}\n" for g in groups))
    _print_not_checked(run, write)
    if run.notes:
        write("\nNotes:\n" + "".join(f"  {note}\n" for note in run.notes))
    _print_assumptions(run, write)
    if run.drift:
        write(f"\nDrift from the baseline ({len(run.drift)}):\n" + "".join(f"  {d.line}\n" for d in run.drift))
    waited = [r for r in run.results if r.rate_limit_wait > 0]
    if waited or run.throttled:
        total = sum(r.rate_limit_wait for r in waited)
        write(f"\nRate limit: {len(waited)} request(s) waited {total:.1f} s in all; {run.throttled} answer(s) 429\n")
    write(availability.summary_text(run))
    write(f"\n{verdict_line(run)}\n")


def _print_not_checked(run: GateRun, write: Callable[[str], Any]) -> None:
    skipped: Counter[tuple[str, SkipReason, str]] = Counter((s.account, s.reason, s.detail) for s in run.skipped)
    if not skipped:
        return
    write("\nNot checked:\n")
    k, n = run.shard
    for (account, reason, detail), count in skipped.items():
        why = f"in another shard than {k}/{n}" if reason is SkipReason.OTHER_SHARD else reason.value
        if reason.in_plan:
            write(f"  {account}: {count} check(s) skipped: {why}{': ' + detail if detail else ''}\n")
        else:
            write(f"  {account}: {count} check(s) {why}\n")


def _print_assumptions(run: GateRun, write: Callable[[str], Any]) -> None:
    """Per account: the assumptions the API contradicted (with what it did), then those it confirmed."""
    calibrations = run.calibration()
    contradicted = [(label, c, i) for label, c in calibrations.items() for i in c.contradicted()]
    if contradicted:
        write("\nAssumptions the API contradicted (see docs/assumptions.md):\n")
        for label, c, assumption_id in contradicted:
            tally = c.tally(assumption_id)
            write(f"  [{label}] {assumption_id}: {tally.contradicted} check(s) contradicted, {tally.confirmed} "
                  f"confirmed; e.g. {tally.seen[0] if tally.seen else '?'}\n")  # fmt: skip
    against = {i for _, _, i in contradicted}
    confirmed = sorted({i for c in calibrations.values() for i in c.confirmed()} - against)
    if confirmed:
        lead = "" if contradicted else "\n"
        write(f"{lead}Assumptions confirmed (by every account that tested them): {', '.join(confirmed)}\n")


def _iso(run: GateRun) -> str:
    return run.started_at.isoformat(timespec="seconds") if run.started_at else ""


def _span(results: list[CheckResult]) -> float:
    """A suite's wall-clock time: its first request's start to its last one's end (requests run
    concurrently, so their sum would exceed the run's own time)."""
    if not results:
        return 0.0
    return max(r.started + r.seconds for r in results) - min(r.started for r in results)


def junit_xml(run: GateRun, redact: Redact) -> bytes:
    """One testsuite per account (its label in the name), one testcase per check of the plan with a
    stable name; violations are <failure>, errors are <error>, checks that could not run <skipped>
    with their reason. `testsuites tests` is the sum of the suites'."""
    unconfirmed_fail = run.strict_assumptions
    root = ET.Element("testsuites", name="truto-contract-gate", time=f"{run.seconds:.3f}", timestamp=_iso(run))
    by_account: dict[str, list[CheckResult]] = {a.label: [] for a in run.accounts}
    for result in run.results:
        by_account.setdefault(result.account, []).append(result)
    skips: dict[str, list[Skipped]] = defaultdict(list)
    for skip in run.planned_skips():
        skips[skip.account].append(skip)
    providers = {a.label: a for a in run.accounts}
    totals: Counter[str] = Counter()
    for label, results in by_account.items():
        if not results and not skips[label] and not run.fatal:
            continue
        c = Counter(r.outcome for r in results)
        counts = {
            "tests": len(results) + len(skips[label]),
            "failures": c[Outcome.VIOLATED] + (c[Outcome.UNCONFIRMED] if unconfirmed_fail else 0),
            "errors": c[Outcome.ERRORED],
            "skipped": len(skips[label]) + (0 if unconfirmed_fail else c[Outcome.UNCONFIRMED]),
        }
        totals.update(counts)
        attributes = {k: str(v) for k, v in counts.items()}
        suite = ET.SubElement(root, "testsuite", attributes, name=f"truto-contract.{label}",
                              time=f"{_span(results):.3f}", timestamp=_iso(run))  # fmt: skip
        if label in providers:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="provider", value=providers[label].provider)
            ET.SubElement(props, "property", name="integrated_account_id", value=providers[label].id)
        for result in results:
            _testcase(suite, label, result, run, redact)
        for skip in skips[label]:
            case = ET.SubElement(suite, "testcase", classname=f"truto-contract.{label}", name=skip.what, time="0")
            ET.SubElement(case, "skipped", message=redact(skip.why))
    if run.fatal:
        totals.update(tests=1, errors=1)
        suite = ET.SubElement(root, "testsuite", name="truto-contract.gate", tests="1", failures="0", errors="1",
                              skipped="0", time=f"{run.seconds:.3f}", timestamp=_iso(run))  # fmt: skip
        case = ET.SubElement(suite, "testcase", classname="truto-contract.gate", name="probe")
        ET.SubElement(case, "error", message=redact(run.fatal), type="usage")
    availability.junit_part(root, run, redact, totals)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    for suite in root.iter("testsuite"):
        _format_property(suite)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _format_property(suite: ET.Element) -> None:
    """`truto-contract.format` first in the suite's `<properties>` (its first child, created if
    missing). On each `<testsuite>`, where the JUnit schema (Ant, Jenkins, Maven Surefire) has
    `<properties>`, not on `<testsuites>`, which the schema allows only suites under: strict readers
    and validators accept it, and the others (GitLab) skip properties."""
    props = suite.find("properties")
    if props is None:
        props = ET.Element("properties")
        suite.insert(0, props)
    props.insert(0, ET.Element("property", name=JUNIT_FORMAT_PROPERTY, value=str(JUNIT_FORMAT)))


def _testcase(suite: ET.Element, label: str, result: CheckResult, run: GateRun, redact: Redact) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"truto-contract.{label}", name=result.name,
                         time=f"{result.seconds:.4f}")  # fmt: skip
    text = redact("\n".join(details(result, run.token_env)))
    if result.outcome == Outcome.VIOLATED:
        first = str(result.violations[0]) if result.violations else "violated"
        ET.SubElement(case, "failure", message=redact(first), type="contract").text = text
    elif result.outcome == Outcome.ERRORED:
        ET.SubElement(case, "error", message=redact(result.error or "no usable answer"),
                      type="availability").text = text  # fmt: skip
    elif result.outcome == Outcome.UNCONFIRMED:
        v = result.violations[0]
        why = redact(f"unconfirmed assumption {v.basis}: {v.message}")
        if run.strict_assumptions:
            ET.SubElement(case, "failure", message=why, type="assumption").text = text
        else:
            ET.SubElement(case, "skipped", message=why).text = text
    elif result.rate_limit_wait or result.throttled or result.aside:
        lines = [request_line(result)] + [f"{f.kind.value}: {finding_line(f)}" for f in result.aside]
        ET.SubElement(case, "system-out").text = redact("\n".join(lines))


def _finding_json(f: Finding) -> dict[str, Any]:
    v = f.violation
    return {
        **{"pointer": v.pointer, "rule": v.rule, "message": v.message, "basis": v.basis, "assumed": v.assumed},
        **{"kind": f.kind.value, "field": f.field, "interview_id": f.interview_id, "value_type": f.value_type},
    }


def _result_json(r: CheckResult, token_env: str) -> dict[str, Any]:
    failed = r.outcome != Outcome.PASSED
    return {
        "account": r.account,
        "provider": r.provider,
        "check": r.check,
        "name": r.name,
        "outcome": r.outcome.value,
        "request": {"method": r.method, "url": r.url},
        "reproduce": reproduce(r, token_env) if failed else None,
        "status": r.status,
        "message": r.message,
        "error": r.error,
        "failure": r.failure.value if r.failure is not None else None,
        "body_snippet": r.snippet,
        "request_id": r.request_id,
        "pages": r.pages,
        "violations": [_finding_json(f) for f in r.findings if f.kind is FindingKind.VIOLATION],
        "aside": [_finding_json(f) for f in r.aside],
        "confirmed": list(r.confirmed),
        "contradicted": list(r.contradicted),
        "seconds": round(r.seconds, 4),
        "attempts": r.attempts,
        "throttled": r.throttled,
        "rate_limit_wait": round(r.rate_limit_wait, 3),
    }


def json_report(run: GateRun, redact: Redact) -> str:
    """The same results as JSON (shape documented in docs/gate.md)."""
    groups = {
        o.value: [g.to_json() for g in group_findings(run.results, kind=FindingKind.VIOLATION, outcome=o)]
        for o in (Outcome.VIOLATED, Outcome.UNCONFIRMED)
    }
    document: dict[str, Any] = {
        "version": REPORT_VERSION,
        "exit_code": run.exit_code,
        "verdict": verdict(run),
        "started_at": _iso(run),
        "seconds": round(run.seconds, 3),
        "strict_assumptions": run.strict_assumptions,
        "strict_fields": run.strict_fields,
        "shard": f"{run.shard[0]}/{run.shard[1]}",
        "totals": {**{o.value: n for o, n in run.counts().items()}, "skipped": len(run.planned_skips())},
        "throttled": run.throttled,
        "fatal": run.fatal,
        "accounts": [{"label": a.label, "provider": a.provider, "id": a.id} for a in run.accounts],
        "findings_by_rule": groups,
        "not_in_contract": [g.to_json() for g in group_findings(run.results, kind=FindingKind.NOT_IN_CONTRACT)],
        "outside_fields": [g.to_json() for g in group_findings(run.results, kind=FindingKind.OUTSIDE_FIELDS)],
        "results": [_result_json(r, run.token_env) for r in run.results],
        "not_checked": [
            {
                "account": s.account,
                "check": s.what,
                "reason": s.reason.name.lower(),
                "why": s.why,
                "in_plan": s.reason.in_plan,
            }
            for s in run.skipped
        ],
        "notes": run.notes,
        **availability.json_part(run),
        "drift": [
            {"provider": d.provider, "kind": d.kind.value, "subject": d.subject, "line": d.line} for d in run.drift
        ],
        "assumptions": per_account_json(run.calibration()),
    }
    return redact(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
