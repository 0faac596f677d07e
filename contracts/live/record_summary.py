"""The recorder's summary as a person reads it on stdout: per account what was recorded, where the
kit's mapping agrees with the API and where it does not. Key paths, field names and record ids
only, never a value (the summary lands in CI logs)."""

from __future__ import annotations

from pathlib import Path

from contracts.live.agreement import AccountAgreement
from contracts.live.recording import AGREEMENT_FILE, REDACTION_FILE, Recording

SHOWN = 8  # key paths or ids listed per line before "and N more"


def _listed(items: list[str], limit: int = SHOWN) -> str:
    more = f", and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def account_lines(agreement: AccountAgreement) -> list[str]:
    """The lines for one account: its verdict, then each finding."""
    a = agreement
    refused = f", {len(a.refused)} refused" if a.refused else ""
    verdict = "the mapping agrees" if a.agrees else "the mapping DISAGREES"
    lines = [f"{a.label} ({a.provider}, {a.account_id}): {a.read} read, {a.recorded} recorded{refused}; {verdict}"]
    verdicts = a.verdicts()
    for kind in ("confirmed", "notation", "unseen"):
        names = [name for name, v in verdicts.items() if v == kind]
        if names and kind == "confirmed":
            lines.append(f"  confirmed: {', '.join(names)}")
        elif names and kind == "notation":
            lines.append(f"  same values, other notation: {', '.join(names)}")
        elif names:
            lines.append(f"  not filled in any record (cannot tell): {', '.join(names)}")
    for name, v in verdicts.items():
        if v != "contradicted":
            continue
        counts = a.outcomes[name]
        parts = [f"{o} in {counts[o]}" for o in ("differ", "api-only", "kit-only", "notation") if counts[o]]
        found = sorted(a.raw_paths.get(name, {}), key=lambda p: -a.raw_paths[name][p])
        where = f"; the API's value is at raw {_listed(found, 3)}" if found else ""
        lines.append(f"  {name}: contradicted, {', '.join(parts)} of {a.read - len(a.refused)} records{where}")
    for name, n in sorted(a.beyond_table.items()):
        said = f"the field table says {a.provider} does not fill it"
        lines.append(f"  {name}: the API filled it in {_count(n, 'record')}; {said}")
    for name, n in sorted(a.unknown_fields.items()):
        lines.append(f"  {name}: not a documented interview field, sent in {_count(n, 'record')}")
    if a.refused:
        ids = [f"{record_id} ({reason})" for record_id, reason in a.refused]
        lines.append(f"  left out, the mapping refuses them: {_listed(ids, 5)}")
    if a.unread:
        lines.append(f"  raw keys the kit does not read: {_listed(sorted(a.unread))}")
    calibration = a.calibration()
    for assumption in calibration.ids():
        lines.append(f"  assumption {assumption}: {calibration.status(assumption)} (see docs/assumptions.md)")
    return lines


def summary_lines(recording: Recording, out: Path | str) -> list[str]:
    """The whole summary: a headline, each account, and the verdict with where the details are."""
    folder = Path(out)
    recorded = sum(r.agreement.recorded for r in recording.accounts)
    head = f"Recorded {_count(recorded, 'interview')} from {_count(len(recording.accounts), 'account')} into {folder}"
    if recording.replacer is not None:
        counts = recording.replacer.counts()
        total = sum(sum(kinds.values()) for kinds in counts.values())
        head += f"; redacted {_count(total, 'string')} in {_count(len(counts), 'key path')} ({folder / REDACTION_FILE})"
    else:
        head += "; NOT redacted (--no-redact): the folder holds the data as received"
    if recording.partial:
        head += "; PARTIAL (see below and agreement.json)"
    lines = [head, ""]
    for r in recording.accounts:
        lines.extend(account_lines(r.agreement))
        if r.duplicates:
            more = f", and {r.duplicates - len(r.duplicate_ids)} more" if r.duplicates > len(r.duplicate_ids) else ""
            lines.append(f"  {_count(r.duplicates, 'duplicate id')} in the API's answers, each record kept once: "
                         f"{', '.join(r.duplicate_ids)}{more}")  # fmt: skip
    disagree = [r for r in recording.accounts if not r.agreement.agrees]
    lines.append("")
    if disagree:
        lines.append(
            f"The kit's mapping disagrees with the API for {len(disagree)} of "
            f"{_count(len(recording.accounts), 'account')}: details in {folder / AGREEMENT_FILE}"
        )
    else:
        lines.append(f"The kit's mapping agrees with the API for every account ({folder / AGREEMENT_FILE}).")
    return lines
