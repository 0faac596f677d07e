"""A third provider is one module and one registration (docs/providers.md lists the steps this test
performs): it writes a throwaway provider module, registers it with its raw-shape assumption, gives
it an account and hand-written records in a copy of the built-in data folder, and runs the
provider-parametrized tests of the field table, checker, mock, strategies and OpenAPI over the
three providers in a fresh pytest process (the registry is process-wide: this process keeps two).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from contracts.datafolder import default_folder_path

ROOT = Path(__file__).parents[1]

# Step 1: one module building the provider's description (and its raw-shape assumption).
PROVIDER_MODULE = '''
"""Greenhouse (throwaway): flat raw records `{id, application_id, start, end, created, updated}`."""

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.basis import Basis, BasisKind, register_basis
from contracts.datetimes import is_rfc3339
from contracts.providers import Generated, Ids, MappingError, Moment, Provider, Text, TextKind
from contracts.providers._mapping import drop_none, optional_text, record_id, ref
from contracts.providers._provider import page_count, page_number

RAW_SHAPE = register_basis(
    Basis("A-greenhouse-raw-shape", BasisKind.ASSUMED, "Greenhouse records look as this module writes them.",
          "a recording of a Greenhouse account whose mapping agrees")
)


def _when(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not is_rfc3339(value)):
        raise MappingError(f"{key} must be an RFC 3339 date-time, got {value!r}")
    return value


def _to_unified(raw: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or "attributes" in raw or "submission_id" in raw:
        raise MappingError("not a Greenhouse interview record")
    optional_text(raw, "summary", "")
    return drop_none({
        "id": record_id(raw),
        "application": ref(optional_text(raw, "application_id", "")),
        "start_at": _when(raw, "start"),
        "end_at": _when(raw, "end"),
        "created_at": _when(raw, "created"),
        "updated_at": _when(raw, "updated"),
    })


def _from_unified(unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    application = unified.get("application")
    keys = {"start_at": "start", "end_at": "end", "created_at": "created", "updated_at": "updated"}
    return {
        **dict(extras or {}),
        "id": unified["id"],
        **({"application_id": application["id"]} if isinstance(application, Mapping) else {}),
        **{raw_key: unified[name] for name, raw_key in keys.items() if name in unified},
    }


def _records(body: Any, endpoint: str) -> list[Any]:
    if endpoint == "get":
        return [body]
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise MappingError("a raw Greenhouse list response must have an `items` array")
    return list(body["items"])


def _list_body(raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any:
    return {"items": list(raws), "page": page_number(offset, limit), "pages": page_count(total, limit)}


PROVIDER = Provider(
    name="greenhouse",
    fills=frozenset({"id", "application", "start_at", "end_at", "created_at", "updated_at", "remote_data"}),
    filters=frozenset({"created_at", "start_at"}),
    base_url="https://harvest.greenhouse.io",
    get_path_template="/v1/scheduled_interviews/{id}",
    list_path="/v1/scheduled_interviews",
    default_page_size=50,
    response_headers={"content-type": "application/json"},
    request_headers={"Authorization": "Basic [REDACTED]"},
    to_unified=_to_unified,
    reads={"id": "id", "application_id": "application", "start": "start_at", "end": "end_at",
           "created": "created_at", "updated": "updated_at", "summary": None},
    from_unified=_from_unified,
    paging_query=lambda *, offset, limit: {"page": str(page_number(offset, limit)), "per_page": str(limit)},
    raw_get_body=lambda raw: raw,
    raw_list_body=_list_body,
    records_from_raw_body=_records,
    remote_error_body=lambda status, message: {"message": message},
    raw_basis=RAW_SHAPE.id,
    generated=Generated(
        first_id=70_000,
        fields={
            "application": Ids(100, 999),
            "created_at": Moment(days=(-300, 100), minutes=(0, 1439)),
            "start_at": Moment(after="created_at", days=(1, 20), on_the_hour=True, zoned=True),
            "end_at": Moment(after="start_at", minute_choices=(30, 60)),
            "updated_at": Moment(after="created_at", minutes=(0, 600)),
        },
        extras={"summary": Text(TextKind.TITLE)},
    ),
    example={"id": "61000", "application_id": "410", "start": "2026-02-02T10:00:00+01:00",
             "end": "2026-02-02T11:00:00+01:00", "created": "2026-01-20T08:00:00Z", "updated": "2026-01-21T08:00:00Z"},
)
'''

# Step 2: one registration (a plugin here; in the kit, a `register` line in contracts/providers/__init__.py),
# and step 3: its built-in account and hand-written records (the kit's fixtures/ folder; a copy here).
PLUGIN = """
from pathlib import Path

import contracts.datafolder
from contracts.providers import register

import greenhouse

register(greenhouse.PROVIDER)
contracts.datafolder.default_folder_path = lambda: Path(__file__).parent / "data"
"""

ACCOUNT = {"id": "0e7d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c", "provider": "greenhouse", "label": "greenhouse"}
RECORDS = [
    {"id": "61000", "application_id": "410", "start": "2026-02-02T10:00:00+01:00", "end": "2026-02-02T11:00:00+01:00",
     "created": "2026-01-20T08:00:00Z", "updated": "2026-01-21T08:00:00Z", "summary": "Panel"},
    {"id": "61001", "created": "2025-12-01T08:00:00Z"},
]  # fmt: skip

PARAMETRIZED = [
    "tests/test_fields.py",
    "tests/test_providers.py",
    "tests/test_checker.py",
    "tests/test_responses.py",
    "tests/test_mock_api.py",
    "tests/test_mock_selfcheck.py",
    "tests/test_strategies.py",
    "tests/test_schema_openapi.py",
]


def _setup(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "greenhouse.py").write_text(PROVIDER_MODULE, "utf-8")
    (tmp_path / "third_provider_plugin.py").write_text(PLUGIN, "utf-8")
    data = tmp_path / "data"
    shutil.copytree(default_folder_path(), data)
    accounts = json.loads((data / "accounts.json").read_text("utf-8"))
    (data / "accounts.json").write_text(json.dumps([*accounts, ACCOUNT]), "utf-8")
    (data / "greenhouse_interviews.json").write_text(json.dumps(RECORDS), "utf-8")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "HYPOTHESIS_PROFILE": "ci",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def test_a_third_provider_runs_the_provider_parametrized_tests(tmp_path: Path) -> None:
    env = _setup(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "third_provider_plugin", "-p", "no:randomly", "-p", "no:xdist",
         "-k", "greenhouse", "-rA", *PARAMETRIZED],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    passed = re.findall(r"^PASSED (tests/\S+?)::\S+\[\S*greenhouse\S*\]", result.stdout, re.M)
    assert {path for path in passed} == set(PARAMETRIZED), out[-4000:]
    assert len(passed) >= 25, out[-4000:]
