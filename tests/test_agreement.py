"""Mapping agreement: a server whose raw records differ from the kit's assumptions is reported field
by field, with where the API's value sits in the raw record, and without a single value."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response

from contracts.datafolder import interview_from_raw, read_folder
from contracts.live.agreement import compare_field, compare_record
from contracts.live.rawpaths import is_read, leaves, reads, traced_reads, unread_paths
from contracts.live.record_summary import summary_lines
from contracts.live.recording import AGREEMENT_FILE, Recording
from contracts.providers import PROVIDERS, provider_module
from mockserver.dataset import generate
from tests.recording_helpers import PINPOINT_A, PINPOINT_B, read_list, serve, two_pinpoint_accounts

CEIPAL = "ceipal"
PINPOINT = "pinpoint"

Change = Callable[[dict[str, Any]], None]


def changing(app: Flask, change: Change) -> Flask:
    """The app, with `change` applied to every interview of its unified list answers."""

    @app.after_request
    def rewrite(response: Response) -> Response:
        body = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("result"), list):
            for item in body["result"]:
                change(item)
            response.set_data(json.dumps(body))
        return response

    return app


def record_changed(tmp_path: Path, change: Change) -> tuple[Recording, dict[str, Any], list[str]]:
    source = tmp_path / "source"
    accounts = two_pinpoint_accounts(source, seed=5, counts=(12, 6))
    client = changing(serve(source), change).test_client()
    recording = Recording()
    for account in accounts:
        recording.add(account, read_list(client, account.id))
    out = tmp_path / "out"
    recording.write(out)
    read_folder(out)  # the recording always loads
    return recording, json.loads((out / AGREEMENT_FILE).read_text()), summary_lines(recording, out)


def rename_attributes(item: dict[str, Any]) -> None:
    attributes = item["remote_data"]["attributes"]
    for old, new in (("start_at", "starts_at"), ("end_at", "ends_at"), ("status", "state")):
        attributes[new] = attributes.pop(old)
    relationships = item["remote_data"]["relationships"]
    relationships["stage"] = relationships.pop("interview_stage")


def test_renamed_raw_attributes_are_reported_field_by_field(tmp_path: Path) -> None:
    recording, report, summary = record_changed(tmp_path, rename_attributes)
    assert not recording.agrees and report["agrees"] is False
    for entry in report["accounts"]:
        fields = entry["fields"]
        read = entry["records"]["read"]
        for name, raw_path in (
            ("status", "attributes.state"),
            ("job_interview_stage", "relationships.stage.data.id"),
        ):
            assert fields[name]["verdict"] == "contradicted"
            assert fields[name]["api-only"] == read
            assert raw_path in fields[name]["api_value_found_at"]
        for name in ("start_at", "end_at"):  # some generated interviews have no start: those agree
            assert fields[name]["verdict"] == "contradicted"
            assert "attributes.starts_at" in fields["start_at"]["api_value_found_at"]
        assert fields["application"]["verdict"] == fields["created_at"]["verdict"] == "confirmed"
        assert {"attributes.state", "attributes.starts_at", "relationships.stage.data.id"} <= set(
            entry["unread_raw_keys"]
        )
        assert entry["records"]["recorded"] == read  # disagreeing records are still recorded
    text = "\n".join(summary)
    assert "status: contradicted, api-only in 12 of 12 records; the API's value is at raw attributes.state" in text
    assert "the mapping DISAGREES" in text and "disagrees with the API for 2 of 2 accounts" in text


def test_records_the_mapping_refuses_are_left_out_and_listed_by_id_without_values(tmp_path: Path) -> None:
    def break_some(item: dict[str, Any]) -> None:
        if int(item["id"]) % 4 == 0:
            item["remote_data"]["attributes"]["status"] = "Quackenbush-Status"

    _recording, report, summary = record_changed(tmp_path, break_some)
    first = report["accounts"][0]
    refused_ids = [r["id"] for r in first["refused"]]
    assert refused_ids and all(int(i) % 4 == 0 for i in refused_ids)
    assert {r["reason"] for r in first["refused"]} == {"the mapping stops at attributes.status"}
    folder = read_folder(tmp_path / "out")
    kept = [r["id"] for r in folder.records[PINPOINT_A.id]]
    assert not set(kept) & set(refused_ids) and len(kept) + len(refused_ids) == first["records"]["read"]
    agreement_text = (tmp_path / "out" / AGREEMENT_FILE).read_text()
    assert "Quackenbush" not in agreement_text and "Quackenbush" not in "\n".join(summary)


def test_other_date_notation_filled_beyond_the_table_and_undocumented_fields(tmp_path: Path) -> None:
    def change(item: dict[str, Any]) -> None:
        item["created_at"] = item["created_at"].replace("+00:00", ".000Z")
        item["candidate"] = {"id": "3001"}
        item["title"] = "x"

    _recording, report, summary = record_changed(tmp_path, change)
    entry = report["accounts"][0]
    assert entry["fields"]["created_at"]["verdict"] == "notation"
    assert entry["fields"]["candidate"]["verdict"] == "contradicted"  # the kit's Pinpoint mapping never fills it
    assert entry["filled_beyond_field_table"] == {"candidate": entry["records"]["read"]}
    assert entry["undocumented_fields"] == {"title": entry["records"]["read"]}
    text = "\n".join(summary)
    assert "same values, other notation: created_at" in text
    assert "candidate: the API filled it in 12 records; the field table says pinpoint does not fill it" in text
    assert "title: not a documented interview field, sent in 12 records" in text
    # Pinpoint gaining a `candidate` breaks the documented coverage, not the kit's guess of the raw shape
    tally = entry["assumptions"]["A-pinpoint-raw-shape"]
    assert tally["contradicted"] == 0 and tally["confirmed"] > 0
    assert "assumption A-pinpoint-raw-shape: confirmed" in text and "mixed" not in text


def test_the_mock_agrees_with_itself_for_both_providers(provider: str) -> None:
    for raw in generate(provider, seed=9, count=20):
        compared = compare_record(provider, interview_from_raw(provider, raw))
        assert compared.refused is None and compared.differences == (), compared


@pytest.mark.parametrize(
    ("name", "api", "kit", "outcome"),
    [
        ("start_at", "2025-03-10T14:00:00Z", "2025-03-10T14:00:00+00:00", "notation"),
        ("start_at", "2025-03-10T15:00:00Z", "2025-03-10T14:00:00+00:00", "differ"),
        ("start_at", None, "2025-03-10T14:00:00+00:00", "kit-only"),
        ("status", "scheduled", None, "api-only"),
        ("interviewers", [{"id": "2"}, {"id": "1"}], [{"id": "1"}, {"id": "2"}], "notation"),
        ("interviewers", [{"id": "3"}], [{"id": "1"}], "differ"),
        ("application", {"id": "5"}, {"id": "5"}, "agree"),
        ("location", None, None, "agree"),
    ],
)
def test_compare_field(name: str, api: Any, kit: Any, outcome: str) -> None:
    assert compare_field(name, api, kit) == outcome


def test_the_read_key_table_is_what_the_mappings_read() -> None:
    """Provider.reads must list exactly the leaves each mapping looks up in a full record."""
    for provider in PROVIDERS:
        for raw in generate(provider, seed=4, count=8):
            seen, error = traced_reads(provider, raw)
            assert error is None
            present = {path for path, _ in leaves(raw)}
            read_leaves = {path for path in seen if path in present}
            assert read_leaves == {path for path in present if is_read(provider, path)}, provider
            assert {path for path in reads(provider) if path in present} <= read_leaves
            assert set(unread_paths(provider, raw)) == present - read_leaves - {""}


def test_two_accounts_with_the_same_record_ids_are_compared_apart(tmp_path: Path) -> None:
    recording, report, _ = record_changed(tmp_path, lambda item: None)
    assert recording.agrees
    assert [e["label"] for e in report["accounts"]] == [PINPOINT_A.label, PINPOINT_B.label]
    assert [e["records"]["recorded"] for e in report["accounts"]] == [12, 6]


def test_a_provider_cannot_say_it_reads_into_a_field_it_does_not_fill() -> None:
    pinpoint = provider_module(PINPOINT)
    with pytest.raises(ValueError, match="candidate"):
        dataclasses.replace(pinpoint, reads={**pinpoint.reads, "attributes.candidate_id": "candidate"})
    with pytest.raises(TypeError):
        pinpoint.reads["x"] = None  # type: ignore[index]
