"""Provider mappings: fixtures map to valid interviews, from_unified inverts to_unified."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from contracts import MappingError, provider_module, validate_interview
from contracts.datafolder import default_folder
from contracts.providers import PROVIDERS, REGISTRY, fields_for, register
from tests.conftest import RAW, good_interview


def fixture_records(provider: str) -> list[dict[str, Any]]:
    folder = default_folder()
    [account] = [a for a in folder.accounts if a.provider == provider]
    return list(folder.records[account.id])


def test_fixture_records_map_to_valid_interviews(provider: str) -> None:
    module = provider_module(provider)
    for raw in fixture_records(provider):
        unified = module.to_unified(raw)
        assert set(unified) <= {f.name for f in fields_for(provider)}
        assert validate_interview({**unified, "remote_data": raw}, provider=provider) == []


def test_ceipal_mapping_converts_dates_and_drops_empty_values() -> None:
    unified = provider_module("ceipal").to_unified({**RAW["ceipal"], "interview_location": ""})
    assert unified["created_at"] == "2024-11-01T10:15:00Z" and unified["updated_at"] == "2024-11-02T09:00:00Z"
    assert "location" not in unified
    assert unified["interviewers"] == [{"id": "14"}, {"id": "15"}]


def test_pinpoint_mapping_reads_json_api() -> None:
    unified = provider_module("pinpoint").to_unified(RAW["pinpoint"])
    assert unified["application"] == {"id": "238"} and unified["job_interview_stage"] == {"id": "31"}
    assert unified["status"] == "scheduled" and unified["start_at"] == "2025-03-10T14:00:00+00:00"


def test_from_unified_inverts_to_unified(provider: str) -> None:
    module = provider_module(provider)
    unified = good_interview(provider)
    del unified["remote_data"]
    assert module.to_unified(module.from_unified(unified)) == unified


@pytest.mark.parametrize(
    ("provider", "raw", "message"),
    [
        ("ceipal", [], "must be an object"),
        ("ceipal", RAW["pinpoint"], "looks like a JSON:API resource"),
        ("ceipal", {"submission_id": "1"}, "id must be a non-empty string"),
        ("ceipal", {**RAW["ceipal"], "created_at": "01/11/2024"}, "does not match"),
        ("ceipal", {**RAW["ceipal"], "interviewers": "14,15"}, "interviewers must be a list"),
        ("ceipal", {**RAW["ceipal"], "interviewers": [{"name": "x"}]}, r"interviewers\[0\].id"),
        ("pinpoint", {**RAW["pinpoint"], "type": "applications"}, "type must be 'interviews'"),
        ("pinpoint", {**RAW["pinpoint"], "attributes": {"status": "rescheduled"}}, "is not one of"),
        (
            "pinpoint",
            {**RAW["pinpoint"], "attributes": {"start_at": "2025-03-10"}},
            "date-time with an offset",
        ),
        (
            "pinpoint",
            {**RAW["pinpoint"], "relationships": {"application": {"data": "238"}}},
            "resource identifier",
        ),
        ("pinpoint", {**RAW["pinpoint"], "id": 412}, "id must be a non-empty string .JSON:API ids are strings"),
        (
            "pinpoint",
            {**RAW["pinpoint"], "relationships": {"application": {"data": {"type": "applications", "id": 238}}}},
            "relationships.application.data.id must be a non-empty string",
        ),
    ],
)
def test_bad_raw_records_raise_mapping_error(provider: str, raw: Any, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        provider_module(provider).to_unified(raw)


def test_unknown_provider_is_named() -> None:
    with pytest.raises(ValueError, match="expected one of ceipal, pinpoint"):
        provider_module("greenhouse")


def test_the_registry_is_the_provider_list() -> None:
    assert tuple(REGISTRY) == tuple(PROVIDERS) and len(PROVIDERS) >= 2
    for name, provider in REGISTRY.items():
        assert provider.name == name and name in PROVIDERS
        assert provider.fields == fields_for(name)
        assert {f.name for f in provider.fields} == provider.fills


def test_a_description_is_frozen_and_checked() -> None:
    ceipal = provider_module("ceipal")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ceipal.default_page_size = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        ceipal.request_headers["Authorization"] = "Bearer real-token"  # type: ignore[index]
    with pytest.raises(ValueError, match="fills fields the field table does not have"):
        dataclasses.replace(ceipal, fills=ceipal.fills | {"salary"})
    with pytest.raises(ValueError, match="must fill the required fields"):
        dataclasses.replace(ceipal, fills=ceipal.fills - {"id"})
    with pytest.raises(ValueError, match="filters must be filled fields"):
        dataclasses.replace(ceipal, filters={"start_at"})
    with pytest.raises(ValueError, match="generated says nothing of"):
        dataclasses.replace(ceipal, fills=ceipal.fills | {"start_at"})
    with pytest.raises(ValueError, match="already registered"):
        register(dataclasses.replace(ceipal))
    with pytest.raises(ValueError, match="must contain"):
        dataclasses.replace(ceipal, get_path_template="/v1/interviews")


@pytest.mark.parametrize(
    ("provider", "offset", "limit", "query", "envelope"),
    [
        ("ceipal", 40, 20, {"limit": "20", "offset": "40"}, {"count": 45, "num_pages": 3, "page_number": 3}),
        ("pinpoint", 40, 20, {"page[number]": "3", "page[size]": "20"}, {"meta": {"total_count": 45, "page_count": 3}}),
    ],
)
def test_paths_paging_and_envelopes(
    provider: str, offset: int, limit: int, query: dict[str, str], envelope: dict[str, object]
) -> None:
    description = provider_module(provider)
    assert description.get_path("412").count("412") == 1 and "{id}" not in description.get_path("412")
    assert description.paging_query(offset=offset, limit=limit) == query
    body = description.raw_list_body([RAW[provider]], offset=offset, limit=limit, total=45)
    assert envelope.items() <= body.items()
    assert description.records_from_raw_body(body, "list") == [RAW[provider]]
    assert description.records_from_raw_body(description.raw_get_body(RAW[provider]), "get") == [RAW[provider]]
