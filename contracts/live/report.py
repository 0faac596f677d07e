"""The gate's reports, all fed from one `GateRun`: the terminal summary, JUnit XML and JSON.

Every text passes through `redact` (the token never appears, even when a server echoes it).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from contracts.live.calibration import per_account_json
from contracts.live.results import CheckResult, GateRun, Outcome

Redact = Callable[[str], str]
REPORT_VERSION = 2  # 2: the unconfirmed outcome, each violation's basis, the assumptions per account
VERDICTS = {0: "PASSED", 1: "FAILED", 2: "NOT RUN", 3: "ERRORED"}
_SHARD_OR_CHOICE = ("another shard", "--check", "--exclude-check")


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
    if result.outcome == Outcome.UNCONFIRMED:  # what the kit assumed, and what the API did instead
        lines += [
            f"{v.basis}: {v.pointer + ': ' if v.pointer else ''}{v.message} [{v.rule}]" for v in result.violations
        ]
    else:
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
        write(f"\n{'account':<{label_w}} {'check':<{check_w}} {'passed':>6} {'violated':>8} {'errored':>7} "
              f"{'unconfirmed':>11}\n")  # fmt: skip
        write(f"{'-' * label_w} {'-' * check_w} {'-' * 6} {'-' * 8} {'-' * 7} {'-' * 11}\n")
        for (account, check), c in rows.items():
            write(f"{account:<{label_w}} {check:<{check_w}} {c[Outcome.PASSED]:>6} "
                  f"{c[Outcome.VIOLATED]:>8} {c[Outcome.ERRORED]:>7} {c[Outcome.UNCONFIRMED]:>11}\n")  # fmt: skip
    strict = " (--strict-assumptions: they fail the run)" if run.strict_assumptions else " (not a failure)"
    titles = (
        (Outcome.VIOLATED, "broke the contract"),
        (Outcome.UNCONFIRMED, f"broke only assumptions of the kit, unconfirmed{strict}"),
        (Outcome.ERRORED, "had no usable answer"),
    )
    for outcome, title in titles:
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
    _print_assumptions(run, write)
    if run.drift:
        write(f"\nDrift from the baseline ({len(run.drift)}):\n" + "".join(f"  {line}\n" for line in run.drift))
    waited = [r for r in run.results if r.rate_limit_wait > 0]
    if waited or run.throttled:
        total = sum(r.rate_limit_wait for r in waited)
        write(f"\nRate limit: {len(waited)} request(s) waited {total:.1f} s in all; {run.throttled} answer(s) 429\n")
    write(f"\n{verdict_line(run)}\n")


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
    """One testsuite per account (its label in the name), one testcase per check instance with a
    stable name; violations are <failure>, errors are <error>."""
    counts = run.counts()
    unconfirmed_fail = run.strict_assumptions
    root = ET.Element(
        "testsuites",
        name="truto-contract-gate",
        tests=str(len(run.results)),
        failures=str(counts[Outcome.VIOLATED] + (counts[Outcome.UNCONFIRMED] if unconfirmed_fail else 0)),
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
            failures=str(c[Outcome.VIOLATED] + (c[Outcome.UNCONFIRMED] if unconfirmed_fail else 0)),
            errors=str(c[Outcome.ERRORED]),
            skipped=str(len(no_ids[label]) + (0 if unconfirmed_fail else c[Outcome.UNCONFIRMED])),
            time=f"{_span(results):.3f}",
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
            elif result.outcome == Outcome.UNCONFIRMED:
                v = result.violations[0]
                why = redact(f"unconfirmed assumption {v.basis}: {v.message}")
                if unconfirmed_fail:
                    ET.SubElement(case, "failure", message=why, type="assumption").text = text
                else:
                    ET.SubElement(case, "skipped", message=why).text = text
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
    """The same results as JSON (shape documented in docs/gate.md)."""
    document: dict[str, Any] = {
        "version": REPORT_VERSION,
        "exit_code": run.exit_code,
        "verdict": VERDICTS[run.exit_code],
        "started_at": _iso(run),
        "seconds": round(run.seconds, 3),
        "strict_assumptions": run.strict_assumptions,
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
                "violations": [
                    {"pointer": v.pointer, "rule": v.rule, "message": v.message, "basis": v.basis, "assumed": v.assumed}
                    for v in r.violations
                ],
                "confirmed": list(r.confirmed),
                "contradicted": list(r.contradicted),
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
        "assumptions": per_account_json(run.calibration()),
    }
    return redact(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | Path, content: str | bytes) -> str | None:
    """Write a report whole or not at all (a temporary file beside it, then renamed over it: an
    interrupted run leaves no half report); None, or the one line saying why it could not be written."""
    target = Path(path)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return None
