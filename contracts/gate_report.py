"""The gate's reports, both fed from the same list of results: a terminal summary and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from contracts.gate import CaseResult, GateRun

Redact = Callable[[str], str]


def _rows(run: GateRun) -> dict[tuple[str, str], list[CaseResult]]:
    rows: dict[tuple[str, str], list[CaseResult]] = defaultdict(list)
    for result in run.results:
        rows[(result.case.provider, result.case.check)].append(result)
    return rows


def print_summary(run: GateRun, seconds: float, out: TextIO, redact: Redact) -> None:
    """Per provider and check: passed and failed; then each violation with the request behind it."""
    rows = _rows(run)
    width = max([len(check) for _, check in rows] + [5])
    out.write(f"\n{'provider':<10} {'check':<{width}} {'passed':>6} {'failed':>6}\n")
    out.write(f"{'-' * 10} {'-' * width} {'-' * 6} {'-' * 6}\n")
    for (provider, check), results in rows.items():
        failed = sum(not r.passed for r in results)
        out.write(f"{provider:<10} {check:<{width}} {len(results) - failed:>6} {failed:>6}\n")
    failures = [r for r in run.results if not r.passed]
    if failures:
        count = sum(len(r.violations) for r in failures)
        out.write(f"\n{count} violation(s) in {len(failures)} response(s):\n")
        for result in failures:
            status = result.status if result.status is not None else "no response"
            out.write(redact(f"  GET {result.case.target} -> {status}\n"))
            for violation in result.violations:
                out.write(redact(f"      {violation}\n"))
    total = len(run.results)
    verdict = "FAILED" if failures or run.fatal else "PASSED"
    rate = total / seconds if seconds else 0.0
    out.write(f"\n{verdict}: {total - len(failures)} passed, {len(failures)} failed ({seconds:.1f}s, {rate:.0f}/s)\n")


def write_junit(run: GateRun, path: str, seconds: float, redact: Redact) -> None:
    """JUnit XML: one testsuite per provider, one testcase per request, failures with every violation."""
    root = ET.Element("testsuites", name="truto-contract-gate", time=f"{seconds:.3f}")
    by_provider: dict[str, list[CaseResult]] = defaultdict(list)
    for result in run.results:
        by_provider[result.case.provider].append(result)
    for provider, results in by_provider.items():
        failures = sum(not r.passed for r in results)
        suite = ET.SubElement(
            root, "testsuite", name=provider, tests=str(len(results)), failures=str(failures), errors="0"
        )
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{provider}.{result.case.check}",
                name=redact(f"GET {result.case.target}"),
                time=f"{result.seconds:.4f}",
            )
            if not result.passed:
                text = "\n".join(redact(str(v)) for v in result.violations)
                failure = ET.SubElement(case, "failure", message=redact(str(result.violations[0])), type="contract")
                failure.text = text
    if run.fatal:
        suite = ET.SubElement(root, "testsuite", name="gate", tests="1", failures="0", errors="1")
        case = ET.SubElement(suite, "testcase", classname="gate", name="connection")
        ET.SubElement(case, "error", message=redact(run.fatal))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
