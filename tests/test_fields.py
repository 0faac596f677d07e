"""The field and parameter tables agree with the seed page they were written from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.fields import FIELD_BY_NAME, FIELD_NAMES, FIELDS, STATUS_VALUES
from contracts.params import PARAM_BY_NAME, RESPONSE_FORMATS, params_for
from contracts.providers import fields_for, filterable_fields, provider_module, providers_filling

SEED = (Path(__file__).parents[1] / "docs" / "seed-interviews-get.txt").read_text("utf-8")
RESPONSE_PART = SEED.split("Response Body", 1)[1]


def _seed_fields() -> dict[str, set[str]]:
    """Top-level field -> providers, read from the seed's 'Supported in' lists."""
    out: dict[str, set[str]] = {}
    blocks = re.split(r"\n(?=[a-z_]+\n(?:string|object|object\[\])\b)", RESPONSE_PART)
    for block in blocks:
        name = block.strip().split("\n", 1)[0]
        if "Supported in" in block:
            tail = block.split("Supported in", 1)[1]
            out[name] = {p.lower() for p in re.findall(r"•\s*(Ceipal|Pinpoint)", tail)}
    return out


def test_every_seed_field_is_in_the_table_with_its_providers() -> None:
    seed = _seed_fields()
    assert len(seed) == 12
    for name, providers in seed.items():
        assert set(providers_filling(name)) == providers, name
    assert set(FIELD_NAMES) == {*seed, "remote_data"}


def test_status_enum_matches_the_seed() -> None:
    listed = re.findall(r"•\s*(\w+)", RESPONSE_PART.split("The interview's status", 1)[1].split("Supported in")[0])
    assert tuple(listed) == STATUS_VALUES


def test_response_formats_match_the_seed() -> None:
    listed = re.findall(r"•\s*(\w+)", SEED.split("All possible enum values:", 1)[1].split("Example:")[0])
    assert tuple(listed) == RESPONSE_FORMATS


def test_provider_coverage() -> None:
    assert {f.name for f in fields_for("pinpoint")} == {
        "id", "application", "job_interview_stage", "start_at", "end_at", "status",
        "created_at", "updated_at", "remote_data",
    }  # fmt: skip
    assert "candidate" in {f.name for f in fields_for("ceipal")}
    assert "status" not in {f.name for f in fields_for("ceipal")}
    with pytest.raises(ValueError, match="unknown provider 'greenhouse'"):
        fields_for("greenhouse")


def test_filters_come_from_the_field_table() -> None:
    assert filterable_fields("ceipal") == ("created_at",)
    assert set(filterable_fields("pinpoint")) == {"created_at", "start_at", "end_at"}
    list_names = {p.name for p in params_for("list")}
    assert {"limit", "next_cursor", "truto_ignore_limit", "created_at", "start_at", "end_at"} <= list_names
    assert "limit" not in {p.name for p in params_for("get")}
    assert PARAM_BY_NAME["integrated_account_id"].required
    assert PARAM_BY_NAME["truto_response_format"].default == "unified"
    with pytest.raises(ValueError, match="unknown endpoint"):
        params_for("delete")
    assert [p.name for p in params_for("get", location="path")] == ["id"]
    with pytest.raises(ValueError, match="unknown location 'header'; expected one of path, query"):
        params_for("get", location="header")


def test_each_providers_coverage_is_its_own_and_in_table_order(provider: str) -> None:
    description = provider_module(provider)
    assert [f.name for f in fields_for(provider)] == [n for n in FIELD_NAMES if n in description.fills]
    assert {f.name for f in FIELDS if f.required} <= description.fills
    for field in FIELDS:
        assert (provider in providers_filling(field.name)) == (field.name in description.fills)
    assert set(filterable_fields(provider)) == description.filters
    assert all(FIELD_BY_NAME[name].filterable and name in description.fills for name in description.filters)
