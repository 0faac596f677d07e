"""What the reports say about the run itself rather than the contract: how it ended (a stop signal,
the `--deadline`), the outages it rode out or gave up on, and its slowest requests. The summary,
JUnit and JSON reports each take their part from here, so they tell the same thing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from typing import Any

from contracts.live.clock import StopReason
from contracts.live.fetched import Failure
from contracts.live.results import CheckResult, GateRun

Redact = Callable[[str], str]
SLOWEST = 5
"""Requests listed in the summary's "Slowest requests"."""
UNFINISHED = frozenset({Failure.INTERRUPTED, Failure.DEADLINE})


def unfinished(run: GateRun) -> list[CheckResult]:
    return [r for r in run.results if r.failure in UNFINISHED]


def stopped_line(run: GateRun) -> str | None:
    """How the run ended early, or None when it ran to its end."""
    if run.stopped is None:
        return None
    count = len(unfinished(run))
    if run.stopped is StopReason.INTERRUPTED:
        return f"Interrupted by a stop signal: {count} unfinished check(s) errored 'interrupted'"
    return f"Stopped at the --deadline: {count} unfinished check(s) errored 'not run: deadline'"


def slowest(run: GateRun, count: int = SLOWEST) -> list[CheckResult]:
    sent = [r for r in run.results if r.seconds > 0 and r.failure not in UNFINISHED]
    return sorted(sent, key=lambda r: -r.seconds)[:count]


def summary_text(run: GateRun) -> str:
    """The summary's part: outages, how the run ended, the slowest requests."""
    out = ""
    if run.outages:
        out += f"\nOutages ({len(run.outages)}):\n"
        for finding in run.outages:
            out += f"  {finding.line()}\n"
            shown = ", ".join(finding.checks[:5]) + (f", and {len(finding.checks) - 5} more" if
                                                     len(finding.checks) > 5 else "")  # fmt: skip
            out += f"      checks affected: {shown}\n" if finding.checks else ""
    line = stopped_line(run)
    if line is not None:
        out += f"\n{line}\n"
    slow = slowest(run)
    if slow:
        out += "\nSlowest requests:\n" + "".join(f"  {r.seconds:7.2f} s  [{r.account}] {r.name}\n" for r in slow)
    return out


def json_part(run: GateRun) -> dict[str, Any]:
    """The JSON report's part (keys `stopped`, `outages`, `slowest`)."""
    return {
        "stopped": run.stopped.value if run.stopped is not None else None,
        "outages": [
            {
                "from": f.outage.started_at.isoformat(timespec="seconds"),
                "to": f.outage.ended_at.isoformat(timespec="seconds") if f.outage.ended_at else None,
                "seconds": round(f.outage.seconds, 3),
                "cause": f.outage.cause,
                "over": f.over,
                "checks": list(f.checks),
            }
            for f in run.outages
        ],
        "slowest": [{"account": r.account, "name": r.name, "seconds": round(r.seconds, 4)} for r in slowest(run)],
    }


def junit_part(root: ET.Element, run: GateRun, redact: Redact, totals: Counter[str]) -> None:
    """A testsuite `truto-contract.availability` with one testcase per outage: an <error> when the
    outage outlasted the budget, else passed with the outage in <system-out>."""
    if not run.outages:
        return
    errors = sum(not f.over for f in run.outages)
    suite = ET.SubElement(root, "testsuite", name="truto-contract.availability", tests=str(len(run.outages)),
                          failures="0", errors=str(errors), skipped="0", time="0")  # fmt: skip
    totals.update(tests=len(run.outages), errors=errors)
    for n, finding in enumerate(run.outages, start=1):
        case = ET.SubElement(suite, "testcase", classname="truto-contract.availability", name=f"outage {n}",
                             time=f"{finding.outage.seconds:.3f}")  # fmt: skip
        text = redact("\n".join([finding.line(), *finding.checks]))
        if finding.over:
            ET.SubElement(case, "system-out").text = text
        else:
            ET.SubElement(case, "error", message=redact(finding.line()), type="outage").text = text
