"""The drift baseline: what the API was seen to return per provider, and what changed since.

Observed from unified records (lists and gets in the unified format, nothing excluded): each unified
field present with its JSON types and presence ratio (fields the contract does not name included:
the baseline is the list of known extras, so a new one is drift once), the enum values seen, the key
paths of `remote_data` (names only, never values), the response header names, and per check each
assumption the run put to the test with what became of it (confirmed, contradicted or mixed). Drift
is reported apart from violations: a field, raw key or header appeared or vanished, a field's type
changed, a new enum value, an assumption changed from confirmed to contradicted (or back). Presence
ratios are recorded for people to read, not compared.

A baseline says which plan and shard it comes from (`plan`): the shards of one plan merge into one
(`python -m contracts baseline merge`), and a shard compared with a merged baseline meets drift only
for its own part (assumptions per check; a field vanishes only where the same checks observed it).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from contracts.fields import FIELD_BY_NAME, Kind
from contracts.jsontext import load_json_file
from contracts.live.calibration import CONFIRMED, CONTRADICTED, MIXED, Calibration
from contracts.live.files import write_text
from contracts.live.matrix import WALK
from contracts.live.results import CheckResult, Drift, DriftKind

VERSION = 2
"""1: fields, enums, raw keys, headers, assumptions per provider. 2: the plan and shard, assumptions
per check, the checks that observed each provider."""
_VOLATILE_HEADERS = {"date", "content-length", "connection", "keep-alive", "transfer-encoding", "server"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """`a`, `a.b`, `a[].c`: the keys of a raw record, never its values."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            out |= key_paths(inner, path)
    elif isinstance(value, list):
        for inner in value:
            out |= key_paths(inner, f"{prefix}[]")
    return out


class Observer:
    """Collects unified records per provider from a run (thread-safe), each record once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._headers: dict[str, set[str]] = defaultdict(set)
        self._checks: dict[str, set[str]] = defaultdict(set)

    def add(self, provider: str, body: Any, headers: Mapping[str, str], check: str = "") -> None:
        result = body.get("result") if isinstance(body, dict) else None
        items: list[Any] = result if isinstance(result, list) else [body]
        with self._lock:
            if check:
                self._checks[provider].add(check)
            self._headers[provider] |= {k.lower() for k in headers if k.lower() not in _VOLATILE_HEADERS}
            for item in items:
                if isinstance(item, dict) and "id" in item:
                    self._records[provider].setdefault(str(item["id"]), item)

    def baseline(self) -> dict[str, Any]:
        """The baseline document: sorted, stable JSON, fit to commit."""
        providers: dict[str, Any] = {}
        for provider, by_id in sorted(self._records.items()):
            records = list(by_id.values())
            present: Counter[str] = Counter()
            types: dict[str, set[str]] = defaultdict(set)
            enums: dict[str, set[str]] = defaultdict(set)
            raw: set[str] = set()
            for record in records:
                for name, value in record.items():
                    present[name] += 1
                    types[name].add(json_type(value))
                    spec = FIELD_BY_NAME.get(name)
                    if spec is not None and spec.kind == Kind.ENUM and isinstance(value, str):
                        enums[name].add(value)
                raw |= key_paths(record.get("remote_data"))
            providers[provider] = {
                "records": len(records),
                "fields": {
                    n: {"types": sorted(types[n]), "presence": round(present[n] / len(records), 3)}
                    for n in sorted(present)
                },
                "enums": {n: sorted(v) for n, v in sorted(enums.items())},
                "remote_data_keys": sorted(raw),
                "headers": sorted(self._headers[provider]),
                "observed_by": sorted(self._checks[provider]),
            }
        return {"version": VERSION, "providers": providers}


def plan_id(plan: Mapping[str, Any]) -> str:
    """A short stable id of a plan (the checks of every shard together): shards of one plan share it."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:16]


def with_plan(document: dict[str, Any], plan: Mapping[str, Any], shard: tuple[int, int]) -> dict[str, Any]:
    """Say which plan and shard the baseline comes from."""
    document["plan"] = {"id": plan_id(plan), "shards": shard[1], "merged": [shard[0]]}
    return document


def with_assumptions(document: dict[str, Any], results: Iterable[CheckResult]) -> dict[str, Any]:
    """Record per provider and check which assumptions were confirmed, contradicted or mixed, and per
    provider the same over all its checks."""
    by_check: dict[str, dict[str, Calibration]] = defaultdict(lambda: defaultdict(Calibration))
    for result in results:
        tally = by_check[result.provider][result.check]
        for assumption_id in result.confirmed:
            tally.confirm(assumption_id)
        for assumption_id in result.contradicted:
            tally.contradict(assumption_id, result.name)
    providers = document.setdefault("providers", {})
    for provider, checks in by_check.items():
        entry = providers.get(provider)
        if entry is None:
            continue
        entry["assumptions_by_check"] = {
            check: {i: c.status(i) for i in c.ids() if c.status(i) is not None} for check, c in sorted(checks.items())
        }
        entry["assumptions"] = _combined(entry["assumptions_by_check"].values())
    return document


def _combined(statuses: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """confirmed + contradicted = mixed, over several checks' statuses."""
    seen: dict[str, set[str]] = defaultdict(set)
    for per_check in statuses:
        for assumption_id, status in per_check.items():
            seen[assumption_id].add(status)
    return {i: next(iter(v)) if len(v) == 1 else MIXED for i, v in sorted(seen.items())}


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: str | Path) -> dict[str, Any]:
    """A saved baseline; ValueError saying why one cannot be used (an older format: how to renew it)."""
    document, problem = load_json_file(path, f"the baseline {path}")
    if problem is not None:
        raise ValueError(problem)
    if not isinstance(document, dict) or "providers" not in document or not isinstance(document.get("version"), int):
        raise ValueError(f"{path} is not a gate baseline (format {VERSION}); write one with --save-baseline")
    if document["version"] != VERSION:
        raise ValueError(
            f"{path} is a baseline of format {document['version']}; this gate reads format {VERSION}: renew it "
            f"with one run of --save-baseline {path} without --baseline (then compare from the next run)"
        )
    return document


class MergeError(ValueError):
    """Shard baselines that cannot be merged (another plan, another format); the message says which."""


def merge(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """One baseline from the shards of one plan: (file name, document) each. MergeError for shards of
    different plans or a file that is not a shard baseline of this format."""
    if not documents:
        raise MergeError("give at least one shard baseline to merge")
    plans = {name: d.get("plan") for name, d in documents}
    first_name, first = next(iter(plans.items()))
    for name, plan in plans.items():
        if not isinstance(plan, dict) or "id" not in plan:
            raise MergeError(
                f"{name} does not say which plan it comes from (write it with this gate's --save-baseline)"
            )
        assert isinstance(first, dict)
        if (plan["id"], plan.get("shards")) != (first["id"], first.get("shards")):
            raise MergeError(
                f"{name} is of another plan than {first_name} (other checks, accounts or shard count): "
                "merge only the shards of one run of the matrix"
            )
    assert isinstance(first, dict)
    merged_shards = sorted({k for _, d in documents for k in d["plan"].get("merged", [])})
    out: dict[str, Any] = {"version": VERSION, "plan": {**first, "merged": merged_shards}, "providers": {}}
    for _, document in documents:
        for provider, entry in document.get("providers", {}).items():
            _merge_provider(out["providers"].setdefault(provider, {}), entry)
    for entry in out["providers"].values():
        entry["assumptions"] = _combined(entry.get("assumptions_by_check", {}).values())
    return out


def _merge_provider(into: dict[str, Any], entry: Mapping[str, Any]) -> None:
    before = into.get("records", 0)
    into["records"] = max(before, entry.get("records", 0))
    fields = into.setdefault("fields", {})
    for name, spec in entry.get("fields", {}).items():
        had = fields.get(name, {"types": [], "presence": 0.0})
        fields[name] = {
            "types": sorted({*had["types"], *spec.get("types", [])}),
            "presence": max(had["presence"], spec.get("presence", 0.0)),
        }
    into["fields"] = dict(sorted(fields.items()))
    enums = into.setdefault("enums", {})
    for name, values in entry.get("enums", {}).items():
        enums[name] = sorted({*enums.get(name, []), *values})
    for key in ("remote_data_keys", "headers", "observed_by"):
        into[key] = sorted({*into.get(key, []), *entry.get(key, [])})
    by_check = into.setdefault("assumptions_by_check", {})
    by_check.update(entry.get("assumptions_by_check", {}))
    into["assumptions_by_check"] = dict(sorted(by_check.items()))


def drift(before: Mapping[str, Any], now: Mapping[str, Any]) -> tuple[list[Drift], list[str]]:
    """(drift, notes) between two baselines; providers not observed now are a note, not drift. Only
    this run's part of the plan is compared: assumptions of the checks it ran, fields vanished only
    where this run observed with every check the baseline observed with."""
    lines: list[Drift] = []
    notes: list[str] = []
    for provider, old in sorted(before.get("providers", {}).items()):
        new = now.get("providers", {}).get(provider)
        if new is None:
            notes.append(f"drift: {provider} was not observed in this run; its baseline was not compared")
            continue
        lines += _record_drift(provider, old, new)
        lines += _assumption_drift(provider, old.get("assumptions_by_check", {}), new.get("assumptions_by_check", {}))
    return lines, notes


def _record_drift(provider: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Drift]:
    out: list[Drift] = []
    observed = set(new.get("observed_by", []))  # may a field vanish here: did this run read what the baseline read?
    whole = (
        WALK in observed
    )  # the walk's pages: every run reads them, unless --id is given or set(old.get("observed_by", [])) <= observed

    def add(kind: DriftKind, subject: str, line: str) -> None:
        out.append(Drift(provider, kind, subject, f"{provider}: {line}"))

    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    for name in sorted(set(new_fields) - set(old_fields)):
        known = "" if name in FIELD_BY_NAME else ", not in the contract"
        add(
            DriftKind.APPEARED,
            f"field {name}",
            f"field `{name}` appeared ({'/'.join(new_fields[name]['types'])}{known})",
        )
    for name in sorted(set(old_fields) - set(new_fields)) if whole else ():
        add(DriftKind.VANISHED, f"field {name}", f"field `{name}` vanished (no sampled record has it any more)")
    for name in sorted(set(old_fields) & set(new_fields)):
        was, is_ = old_fields[name].get("types", []), new_fields[name].get("types", [])
        if was != is_:
            add(
                DriftKind.CHANGED_TYPE,
                f"field {name}",
                f"field `{name}` changed type: {'/'.join(was)} -> {'/'.join(is_)}",
            )
    for name, values in sorted(new.get("enums", {}).items()):
        for value in sorted(set(values) - set(old.get("enums", {}).get(name, []))):
            add(DriftKind.NEW_VALUE, f"field {name}", f"`{name}` has a new value {value!r}")
    for key, label in (("remote_data_keys", "remote_data key"), ("headers", "header")):
        was_set, now_set = set(old.get(key, [])), set(new.get(key, []))
        for k in sorted(now_set - was_set):
            add(DriftKind.APPEARED, f"{label} {k}", f"{label} `{k}` appeared")
        for k in sorted(was_set - now_set) if whole else ():
            add(DriftKind.VANISHED, f"{label} {k}", f"{label} `{k}` vanished")
    return out


def _assumption_drift(provider: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Drift]:
    """Assumptions over the checks both runs ran (a shard against a merged baseline: its own checks)."""
    both = sorted(set(old) & set(new))
    was, now = _combined(old[c] for c in both), _combined(new[c] for c in both)
    return [
        Drift(provider, DriftKind.ASSUMPTION, i, f"{provider}: assumption {i} was {was[i]}, now {now[i]}")
        for i in sorted(set(was) & set(now))
        if was[i] != now[i] and {was[i], now[i]} <= {CONFIRMED, CONTRADICTED, MIXED}
    ]


def merge_command(out: str, files: list[str], err: TextIO) -> int:
    """`python -m contracts baseline merge OUT FILE...`: 0 merged, 2 refused (one line why)."""
    try:
        documents = [(name, load(name)) for name in files]
        merged_doc = merge(documents)
    except ValueError as exc:
        print(f"baseline merge: {exc}", file=err)
        return 2
    problem = write_text(out, dumps(merged_doc))
    if problem is not None:
        print(f"baseline merge: {problem}", file=err)
        return 2
    plan = merged_doc["plan"]
    missing = sorted(set(range(1, plan["shards"] + 1)) - set(plan["merged"]))
    gap = f"; shard(s) {', '.join(map(str, missing))} missing" if missing else ""
    print(f"baseline merge: {len(files)} file(s), shard(s) {', '.join(map(str, plan['merged']))} of "
          f"{plan['shards']} into {out}{gap}")  # fmt: skip
    return 0
