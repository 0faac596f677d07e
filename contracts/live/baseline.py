"""The drift baseline: what the API was seen to return per provider, and what changed since.

Observed from unified records (lists and gets in the unified format, nothing excluded): each unified
field present with its JSON types and presence ratio, the enum values seen, the key paths of
`remote_data` (names only, never values), the response header names, and each assumption the run
put to the test with what became of it (confirmed, contradicted or mixed). Drift is reported apart
from violations: a field or raw key appeared or vanished, a field's type changed, a new enum value,
an assumption changed from confirmed to contradicted (or back). Presence ratios are recorded for
people to read, not compared.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contracts.fields import FIELD_BY_NAME, Kind
from contracts.jsontext import load_json_file
from contracts.live.calibration import Calibration

VERSION = 1
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

    def add(self, provider: str, body: Any, headers: Mapping[str, str]) -> None:
        result = body.get("result") if isinstance(body, dict) else None
        items: list[Any] = result if isinstance(result, list) else [body]
        with self._lock:
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
            }
        return {"version": VERSION, "providers": providers}


def with_assumptions(document: dict[str, Any], calibrations: Mapping[str, Calibration]) -> dict[str, Any]:
    """Record per observed provider which assumptions were confirmed, contradicted or mixed."""
    for provider, entry in document.get("providers", {}).items():
        calibration = calibrations.get(provider)
        if calibration is not None:
            statuses = {i: calibration.status(i) for i in calibration.ids()}
            entry["assumptions"] = {i: s for i, s in sorted(statuses.items()) if s is not None}
    return document


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: str | Path) -> dict[str, Any]:
    """A saved baseline; ValueError saying why one cannot be used."""
    document, problem = load_json_file(path, f"the baseline {path}")
    if problem is not None:
        raise ValueError(problem)
    if not isinstance(document, dict) or document.get("version") != VERSION or "providers" not in document:
        raise ValueError(f"{path} is not a gate baseline (version {VERSION}); write one with --save-baseline")
    return document


def drift(before: Mapping[str, Any], now: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(drift lines, notes) between two baselines; providers not observed now are a note, not drift."""
    lines: list[str] = []
    notes: list[str] = []
    for provider, old in sorted(before.get("providers", {}).items()):
        new = now.get("providers", {}).get(provider)
        if new is None:
            notes.append(f"drift: {provider} was not observed in this run; its baseline was not compared")
            continue
        old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
        for name in sorted(set(new_fields) - set(old_fields)):
            lines.append(f"{provider}: field `{name}` appeared ({'/'.join(new_fields[name]['types'])})")
        for name in sorted(set(old_fields) - set(new_fields)):
            lines.append(f"{provider}: field `{name}` vanished (no sampled record has it any more)")
        for name in sorted(set(old_fields) & set(new_fields)):
            was, is_ = old_fields[name].get("types", []), new_fields[name].get("types", [])
            if was != is_:
                lines.append(f"{provider}: field `{name}` changed type: {'/'.join(was)} -> {'/'.join(is_)}")
        for name, values in sorted(new.get("enums", {}).items()):
            for value in sorted(set(values) - set(old.get("enums", {}).get(name, []))):
                lines.append(f"{provider}: `{name}` has a new value {value!r}")
        old_raw, new_raw = set(old.get("remote_data_keys", [])), set(new.get("remote_data_keys", []))
        lines += [f"{provider}: remote_data key `{k}` appeared" for k in sorted(new_raw - old_raw)]
        lines += [f"{provider}: remote_data key `{k}` vanished" for k in sorted(old_raw - new_raw)]
        old_a, new_a = old.get("assumptions", {}), new.get("assumptions", {})
        lines += [
            f"{provider}: assumption {i} was {old_a[i]}, now {new_a[i]}"
            for i in sorted(set(old_a) & set(new_a))
            if old_a[i] != new_a[i]
        ]
    return lines, notes
