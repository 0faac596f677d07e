"""The gate's reports, all fed from one `GateRun`: the terminal summary, JUnit XML and JSON.

Every text passes through `redact` (the token never appears, even when a server echoes it).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from contracts.live.results import CheckResult, GateRun, Outcome

Redact = Callable[[str], str]
REPORT_VERSION = 1
VERDICTS = {0: "PASSED", 1: "FAILED", 2: "NOT RUN", 3: "ERRORED"}
_SHARD_OR_CHOICE = ("another shard", "--check", "--exclude-check")


class Redactor:
    """Replaces the token wherever it would appear in output."""

    def __init__(self, secret: str) -> None:
        self.secret = secret if len(secret) >= 4 else ""

    def __call__(self, text: str) -> str:
        return text.replace(self.secret, "[REDACTED]") if self.secret else text


def _request_line(result: CheckResult, base_url: str = "") -> str:
    url = result.url[len(base_url) :] if base_url and result.url.startswith(base_url) else result.url
    answer = str(result.status) if result.status is not None else "no answer"
    return f"{result.method} {url} -> {answer}"


def details(result: CheckResult, base_url: str = "") -> list[str]:
    """What a person needs to see about one result: the request, the answer, Truto's message, why."""
    lines = [_request_line(result, base_url)]
    if result.error:
        lines.append(f"error: {result.error}")
    if result.message:
        lines.append(f"Truto's message: {result.message}")
    if result.rate_limit_wait or result.throttled:
        lines.append(f"waited {result.rate_limit_wait:.1f} s for the rate limit ({result.throttled} answer(s) 429)")
    lines += [str(v) for v in result.violations]
    return lines


def _rows(run: GateRun) -> dict[tuple[str, str], Counter[Outcome]]:
    rows: dict[tuple[str, str], Counter[Outcome]] = defaultdict(Counter)
    for result in run.results:
        rows[(result.account, result.check)][result.outcome] += 1
    return rows


def verdict_line(run: GateRun) -> str:
    counts = run.counts()
    parts = ", ".join(f"{counts[o]} {o.value}" for o in Outcome)
    drift = f", {len(run.drift)} drift" if run.drift else ""
    rate = len(run.results) / run.seconds if run.seconds else 0.0
    return f"{VERDICTS[run.exit_code]}: {parts}{drift} ({run.seconds:.1f}s, {rate:.0f}/s)"


def print_summary(run: GateRun, out: TextIO, redact: Redact, base_url: str = "") -> None:
    """Per account and check: passed, violated, errored; then each finding with its request."""
    write: Callable[[str], Any] = lambda text: out.write(redact(text))  # noqa: E731
    rows = _rows(run)
    if rows:
        label_w = max([len(a) for a, _ in rows] + [7])
        check_w = max([len(c) for _, c in rows] + [5])
        write(f"\n{'account':<{label_w}} {'check':<{check_w}} {'passed':>6} {'violated':>8} {'errored':>7}\n")
        write(f"{'-' * label_w} {'-' * check_w} {'-' * 6} {'-' * 8} {'-' * 7}\n")
        for (account, check), c in rows.items():
            write(f"{account:<{label_w}} {check:<{check_w}} {c[Outcome.PASSED]:>6} "
                  f"{c[Outcome.VIOLATED]:>8} {c[Outcome.ERRORED]:>7}\n")  # fmt: skip
    for outcome, title in ((Outcome.VIOLATED, "broke the contract"), (Outcome.ERRORED, "had no usable answer")):
        found = [r for r in run.results if r.outcome == outcome]
        if not found:
            continue
        extra = f", {sum(len(r.violations) for r in found)} violation(s)" if outcome == Outcome.VIOLATED else ""
        write(f"\n{len(found)} check(s) {title}{extra}:\n")
        for result in found:
            lines = details(result, base_url)
            write(f"  [{result.account}] {result.name}: {lines[0]}\n")
            for line in lines[1:]:
                write(f"      {line}\n")
    skipped: Counter[tuple[str, str]] = Counter((s.account, s.why) for s in run.skipped)
    if skipped:
        write("\nNot checked:\n")
        for (account, why), count in skipped.items():
            write(f"  {account}: {count} check(s) {why}\n" if any(k in why for k in _SHARD_OR_CHOICE)
                  else f"  {account}: {count} check(s): {why}\n")  # fmt: skip
    if run.notes:
        write("\nNotes:\n" + "".join(f"  {note}\n" for note in run.notes))
    if run.drift:
        write(f"\nDrift from the baseline ({len(run.drift)}):\n" + "".join(f"  {line}\n" for line in run.drift))
    waited = [r for r in run.results if r.rate_limit_wait > 0]
    if waited or run.throttled:
        total = sum(r.rate_limit_wait for r in waited)
        write(f"\nRate limit: {len(waited)} request(s) waited {total:.1f} s in all; {run.throttled} answer(s) 429\n")
    write(f"\n{verdict_line(run)}\n")


def _iso(run: GateRun) -> str:
    return run.started_at.isoformat(timespec="seconds") if run.started_at else ""


def junit_xml(run: GateRun, redact: Redact) -> bytes:
    """One testsuite per account (its label in the name), one testcase per check instance with a
    stable name; violations are <failure>, errors are <error>."""
    counts = run.counts()
    root = ET.Element(
        "testsuites",
        name="truto-contract-gate",
        tests=str(len(run.results)),
        failures=str(counts[Outcome.VIOLATED]),
        errors=str(counts[Outcome.ERRORED] + (1 if run.fatal else 0)),
        time=f"{run.seconds:.3f}",
        timestamp=_iso(run),
    )
    by_account: dict[str, list[CheckResult]] = {a.label: [] for a in run.accounts}
    for result in run.results:
        by_account.setdefault(result.account, []).append(result)
    no_ids = defaultdict(list)
    for skip in run.skipped:
        if not any(k in skip.why for k in _SHARD_OR_CHOICE):
            no_ids[skip.account].append(skip)
    providers = {a.label: a for a in run.accounts}
    for label, results in by_account.items():
        if not results and not no_ids[label] and not run.fatal:
            continue
        c = Counter(r.outcome for r in results)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"truto-contract.{label}",
            tests=str(len(results) + len(no_ids[label])),
            failures=str(c[Outcome.VIOLATED]),
            errors=str(c[Outcome.ERRORED]),
            skipped=str(len(no_ids[label])),
            time=f"{sum(r.seconds for r in results):.3f}",
            timestamp=_iso(run),
        )
        if label in providers:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="provider", value=providers[label].provider)
            ET.SubElement(props, "property", name="integrated_account_id", value=providers[label].id)
        for result in results:
            case = ET.SubElement(
                suite, "testcase", classname=f"truto-contract.{label}", name=result.name, time=f"{result.seconds:.4f}"
            )
            text = redact("\n".join(details(result)))
            if result.outcome == Outcome.VIOLATED:
                first = str(result.violations[0]) if result.violations else "violated"
                ET.SubElement(case, "failure", message=redact(first), type="contract").text = text
            elif result.outcome == Outcome.ERRORED:
                ET.SubElement(case, "error", message=redact(result.error or "no usable answer"),
                              type="availability").text = text  # fmt: skip
            elif result.rate_limit_wait or result.throttled:
                ET.SubElement(case, "system-out").text = text
        for skip in no_ids[label]:
            case = ET.SubElement(suite, "testcase", classname=f"truto-contract.{label}", name=skip.what, time="0")
            ET.SubElement(case, "skipped", message=skip.why)
    if run.fatal:
        suite = ET.SubElement(root, "testsuite", name="truto-contract.gate", tests="1", failures="0", errors="1",
                              time=f"{run.seconds:.3f}", timestamp=_iso(run))  # fmt: skip
        case = ET.SubElement(suite, "testcase", classname="truto-contract.gate", name="probe")
        ET.SubElement(case, "error", message=redact(run.fatal), type="usage")
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def json_report(run: GateRun, redact: Redact) -> str:
    """The same results as JSON (shape documented in the README)."""
    document: dict[str, Any] = {
        "version": REPORT_VERSION,
        "exit_code": run.exit_code,
        "verdict": VERDICTS[run.exit_code],
        "started_at": _iso(run),
        "seconds": round(run.seconds, 3),
        "totals": {o.value: n for o, n in run.counts().items()},
        "throttled": run.throttled,
        "fatal": run.fatal,
        "accounts": [{"label": a.label, "provider": a.provider, "id": a.id} for a in run.accounts],
        "results": [
            {
                "account": r.account,
                "provider": r.provider,
                "check": r.check,
                "name": r.name,
                "outcome": r.outcome.value,
                "request": {"method": r.method, "url": r.url},
                "status": r.status,
                "message": r.message,
                "error": r.error,
                "violations": [{"pointer": v.pointer, "rule": v.rule, "message": v.message} for v in r.violations],
                "seconds": round(r.seconds, 4),
                "attempts": r.attempts,
                "throttled": r.throttled,
                "rate_limit_wait": round(r.rate_limit_wait, 3),
            }
            for r in run.results
        ],
        "not_checked": [{"account": s.account, "check": s.what, "why": s.why} for s in run.skipped],
        "notes": run.notes,
        "drift": run.drift,
    }
    return redact(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def write_text(path: str | Path, content: str | bytes) -> str | None:
    """Write a report; None, or the one line saying why it could not be written."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None
