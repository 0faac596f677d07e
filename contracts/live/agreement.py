"""Mapping agreement: does the kit's raw -> unified mapping say what the real API says?

For each interview the API returned in the unified format, the kit maps its `remote_data` itself and
compares, field by field, before anything is redacted. What it finds is written by key paths and
field names only, never a value, so `agreement.json` can be shared and committed:

- per field: *agree*; *notation* (the same value written differently: another date-time notation,
  null instead of absent, another order); *differ* (both filled, different values); *api-only*
  (Truto filled it, the kit's mapping did not: with the raw key paths that hold Truto's value, which
  is where Truto reads it); *kit-only* (the kit filled it, Truto did not);
- unified fields Truto filled that the field table says this provider does not fill, and fields
  that are not in the documented model at all;
- raw keys the provider's mapping does not read (information: providers send more than is mapped);
- records the mapping refuses (left out of the recording), by id, with the key path where it
  stopped or the contract rule the mapped interview broke.

Per field and account the counts give a verdict: *confirmed*, *notation*, *contradicted* or
*unseen*; that is the shape a per-assumption summary builds on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts.checker import validate_interview
from contracts.fields import FIELD_BY_NAME, FIELDS, Kind
from contracts.live.calibration import Calibration
from contracts.live.rawpaths import leaves, refusal_points, traced_reads, unread_paths
from contracts.providers import fills, provider_module

OUTCOMES = ("agree", "notation", "differ", "api-only", "kit-only")
DISAGREEING = frozenset({"notation", "differ", "api-only", "kit-only"})
COMPARED = tuple(f.name for f in FIELDS if f.name != "remote_data")
_HINTS = 3  # raw key paths named per difference
EXAMPLES = 10  # record ids kept per field and outcome


@dataclass(frozen=True)
class Difference:
    """One field of one record where the kit and the API disagree."""

    record_id: str
    field: str
    outcome: str
    raw_paths: tuple[str, ...] = ()
    """Raw key paths holding the API's value (where Truto seems to read the field)."""


@dataclass(frozen=True)
class RecordAgreement:
    """The comparison of one recorded interview."""

    record_id: str
    outcomes: Mapping[str, str] = field(default_factory=dict)
    differences: tuple[Difference, ...] = ()
    beyond_table: tuple[str, ...] = ()
    unknown_fields: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()
    filled: frozenset[str] = frozenset()
    """Fields the API or the kit filled (a field neither filled is not evidence either way)."""
    refused: str | None = None
    """Why the mapping refuses the record (a key path or a contract rule), None when it maps."""


def _instant(value: Any) -> datetime | None:
    """A date-time string as an aware instant (naive taken as UTC), None when it is not one."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _ids(value: Any) -> list[Any] | None:
    if isinstance(value, Mapping):
        return [value.get("id")]
    if isinstance(value, list):
        return [item.get("id") if isinstance(item, Mapping) else item for item in value]
    return None


def compare_field(name: str, api: Any, kit: Any) -> str:
    """The outcome for one field; `None` stands for absent (the API's null counts as absent)."""
    if api == kit:
        return "agree"
    if api is None:
        return "kit-only"
    if kit is None:
        return "api-only"
    kind = FIELD_BY_NAME[name].kind if name in FIELD_BY_NAME else None
    if kind is Kind.DATETIME:
        a, b = _instant(api), _instant(kit)
        return "notation" if a is not None and a == b else "differ"
    if kind in (Kind.REF, Kind.REF_LIST):
        a_ids, b_ids = _ids(api), _ids(kit)
        if a_ids is not None and b_ids is not None and sorted(map(str, a_ids)) == sorted(map(str, b_ids)):
            return "notation"  # the same ids in another order, or references with more keys
    return "differ"


def _scalars(value: Any) -> list[Any]:
    """The values in an API field worth looking for in the raw record (ids of references)."""
    ids = _ids(value)
    return [v for v in (ids if ids is not None else [value]) if isinstance(v, str | int) and not isinstance(v, bool)]


def raw_paths_holding(raw: Any, value: Any) -> tuple[str, ...]:
    """Key paths in `raw` whose leaf equals the API's `value` (same instant for date-times)."""
    wanted = _scalars(value)
    if not wanted:
        return ()
    texts = {str(w) for w in wanted}
    instants = {i for i in (_instant(w) for w in wanted) if i is not None}
    found: list[str] = []
    for path, leaf in leaves(raw):
        if isinstance(leaf, bool) or not isinstance(leaf, str | int):
            continue
        matches = str(leaf) in texts or (instants and _instant(leaf) in instants)
        if matches and path not in found:
            found.append(path)
    return tuple(found[:_HINTS])


def _refusal(provider: str, raw: Any) -> str | None:
    """Where the mapping refuses `raw`, or which contract rules its result breaks; None if it maps."""
    if not isinstance(raw, Mapping):
        return "remote_data is not an object"
    _, error = traced_reads(provider, raw)
    if error is not None:
        points = refusal_points(provider, raw)
        return f"the mapping stops at {', '.join(points)}" if points else "the mapping refuses the record as a whole"
    mapped = provider_module(provider).to_unified(raw)
    violations = validate_interview({**mapped, "remote_data": dict(raw)}, provider=provider)
    if violations:
        rules = sorted({f"{v.pointer or '/'} [{v.rule}]" for v in violations})
        return "the mapped interview breaks the contract at " + ", ".join(rules)
    return None


def compare_record(provider: str, interview: Mapping[str, Any], index: int = 0) -> RecordAgreement:
    """Compare one unified interview from the API with the kit's mapping of its `remote_data`."""
    raw = interview.get("remote_data")
    api_id = interview.get("id")
    record_id = str(api_id) if isinstance(api_id, str | int) and not isinstance(api_id, bool) else f"#{index}"
    refused = _refusal(provider, raw)
    if refused is not None:
        return RecordAgreement(record_id, refused=refused)
    assert isinstance(raw, Mapping)
    kit = provider_module(provider).to_unified(raw)
    outcomes: dict[str, str] = {}
    differences: list[Difference] = []
    for name in COMPARED:
        outcome = compare_field(name, interview.get(name), kit.get(name))
        outcomes[name] = outcome
        if outcome in DISAGREEING:
            hints = raw_paths_holding(raw, interview.get(name)) if outcome in ("api-only", "differ") else ()
            differences.append(Difference(record_id, name, outcome, hints))
    beyond = tuple(name for name in COMPARED if interview.get(name) is not None and not fills(provider, name))
    unknown = tuple(sorted(str(k) for k in interview if k not in FIELD_BY_NAME))
    filled = frozenset(name for name in COMPARED if interview.get(name) is not None or kit.get(name) is not None)
    return RecordAgreement(
        record_id, outcomes, tuple(differences), beyond, unknown, tuple(unread_paths(provider, raw)), filled
    )


def field_verdict(counts: Mapping[str, int]) -> str:
    """confirmed / notation / contradicted / unseen, from one field's outcome counts."""
    if any(counts.get(o, 0) for o in ("differ", "api-only", "kit-only")):
        return "contradicted"
    if counts.get("notation", 0):
        return "notation"
    return "confirmed" if counts.get("agree", 0) else "unseen"


@dataclass
class AccountAgreement:
    """The agreement over one account's records."""

    label: str
    provider: str
    account_id: str
    read: int = 0
    recorded: int = 0
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    filled: Counter[str] = field(default_factory=Counter)
    examples: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """field -> outcome -> the first few record ids with it."""
    raw_paths: dict[str, Counter[str]] = field(default_factory=dict)
    """field -> raw key paths holding the API's value, with how many records."""
    beyond_table: Counter[str] = field(default_factory=Counter)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    unread: Counter[str] = field(default_factory=Counter)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def add(self, record: RecordAgreement, *, recorded: bool) -> None:
        """Count one compared record (`recorded`: it went into the folder)."""
        self.read += 1
        self.recorded += recorded
        if record.refused is not None:
            self.refused.append((record.record_id, record.refused))
            return
        for name, outcome in record.outcomes.items():
            self.outcomes.setdefault(name, Counter())[outcome] += 1
            self.filled[name] += name in record.filled
        for diff in record.differences:
            ids = self.examples.setdefault(diff.field, {}).setdefault(diff.outcome, [])
            if len(ids) < EXAMPLES:
                ids.append(diff.record_id)
            self.raw_paths.setdefault(diff.field, Counter()).update(diff.raw_paths)
        self.beyond_table.update(record.beyond_table)
        self.unknown_fields.update(record.unknown_fields)
        self.unread.update(record.unread)

    @property
    def agrees(self) -> bool:
        """True when every compared field agrees and nothing was refused or filled beyond the table."""
        return not (self.refused or self.examples or self.beyond_table or self.unknown_fields)

    def verdicts(self) -> dict[str, str]:
        """Per unified field this provider fills (and any other that disagreed): confirmed, notation,
        contradicted or unseen (filled on neither side in any record)."""
        return {
            name: field_verdict(counts) if self.filled[name] else "unseen"
            for name, counts in self.outcomes.items()
            if self._reported(name)
        }

    def to_json(self) -> dict[str, Any]:
        """This account's part of agreement.json: counts, key paths and field names, no values."""
        verdicts = self.verdicts()
        return {
            "label": self.label,
            "provider": self.provider,
            "id": self.account_id,
            "agrees": self.agrees,
            "records": {"read": self.read, "recorded": self.recorded, "refused": len(self.refused)},
            "fields": {name: self._field_json(name, verdict) for name, verdict in verdicts.items()},
            "filled_beyond_field_table": dict(sorted(self.beyond_table.items())),
            "undocumented_fields": dict(sorted(self.unknown_fields.items())),
            "unread_raw_keys": dict(sorted(self.unread.items())),
            "refused": [{"id": record_id, "reason": reason} for record_id, reason in self.refused],
            "assumptions": self.calibration().to_json(),
        }

    def calibration(self) -> Calibration:
        """What this account says of the provider's assumed raw shape, in the gate's shape: each mapped
        field that agreed (or differed only in notation) confirms it, each disagreement and each
        refused record contradicts it (field names and outcomes only, never a value).

        Only the fields the field table says this provider fills speak for the mapping: a field
        filled beyond the table (Pinpoint gaining a `candidate`) breaks the documented coverage
        (`D-provider-coverage`, reported as such), not the kit's guess of the raw shape."""
        out = Calibration()
        assumption = provider_module(self.provider).raw_basis
        for name, counts in sorted(self.outcomes.items()):
            if not fills(self.provider, name) or not self.filled[name]:
                continue
            agreed = counts["agree"] + counts["notation"]
            if agreed:
                out.confirm(assumption, agreed)
            for outcome in ("differ", "api-only", "kit-only"):
                for _ in range(counts[outcome]):
                    out.contradict(assumption, f"`{name}`: {outcome}")
        for _record_id, reason in self.refused:
            out.contradict(assumption, f"a record the mapping refuses ({reason})")
        return out

    def _reported(self, name: str) -> bool:
        """Fields this provider fills per the field table, and any other field that disagreed."""
        return fills(self.provider, name) or name in self.examples

    def _field_json(self, name: str, verdict: str) -> dict[str, Any]:
        counts = self.outcomes[name]
        out: dict[str, Any] = {"verdict": verdict, **{o: counts[o] for o in OUTCOMES if counts[o]}}
        if name in self.examples:
            out["example_ids"] = {o: ids for o, ids in sorted(self.examples[name].items())}
        if self.raw_paths.get(name):
            out["api_value_found_at"] = dict(self.raw_paths[name].most_common())
        return out
