"""The data folder: format 1 and 2 load, writing round-trips, and every broken folder names its problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.accounts import Account
from contracts.datafolder import (
    DataFolderError,
    default_accounts,
    default_folder,
    default_folder_path,
    read_folder,
    write_folder,
)
from tests.conftest import CEIPAL_RAW, PINPOINT_RAW

P1 = "11111111-2222-4333-8444-555555555555"
P2 = "66666666-7777-4888-9999-aaaaaaaaaaaa"
C1 = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"


def pinpoint(interview_id: str, status: str = "scheduled") -> dict[str, Any]:
    return {**PINPOINT_RAW, "id": interview_id, "attributes": {**PINPOINT_RAW["attributes"], "status": status}}


def write(folder: Path, name: str, document: Any) -> None:
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


def problems(folder: Path) -> list[str]:
    with pytest.raises(DataFolderError) as caught:
        read_folder(folder)
    return [str(p) for p in caught.value.problems]


def test_the_built_in_data_is_a_valid_folder() -> None:
    folder = default_folder()
    assert default_folder_path().name == "fixtures"
    assert [a.provider for a in default_accounts()] == ["ceipal", "pinpoint"]
    assert {len(records) for records in folder.records.values()} == {4, 5}


def test_format_2_gives_two_accounts_of_one_provider_their_own_records(tmp_path: Path) -> None:
    write(
        tmp_path,
        "accounts.json",
        [
            {"id": P1, "provider": "pinpoint", "label": "EU", "records": "eu.json"},
            {"id": P2, "provider": "pinpoint", "records": "us.json"},
        ],
    )
    write(tmp_path, "eu.json", [pinpoint("1"), pinpoint("2")])
    write(tmp_path, "us.json", [pinpoint("3")])
    (tmp_path / "notes.txt").write_text("other files are ignored")
    folder = read_folder(tmp_path)
    assert [r["id"] for r in folder.records[P1]] == ["1", "2"]
    assert [r["id"] for r in folder.records[P2]] == ["3"]
    assert folder.accounts[0] == Account(P1, "pinpoint", "EU", "eu.json")


def test_format_1_reads_the_provider_file(tmp_path: Path) -> None:
    write(tmp_path, "accounts.json", [{"id": C1, "provider": "ceipal"}])
    write(tmp_path, "ceipal_interviews.json", [CEIPAL_RAW])
    assert read_folder(tmp_path).records[C1] == (CEIPAL_RAW,)


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    accounts = [Account(P1, "pinpoint", "Pinpoint EU"), Account(P2, "pinpoint", "Pinpoint EU"), Account(C1, "ceipal")]
    records = {P1: [pinpoint("1")], P2: [pinpoint("1", "draft")], C1: [CEIPAL_RAW]}
    written = write_folder(tmp_path / "out", accounts, records)
    again = read_folder(tmp_path / "out")
    assert again.records == written.records
    assert {k: list(v) for k, v in again.records.items()} == records
    names = [entry["records"] for entry in json.loads((tmp_path / "out" / "accounts.json").read_text())]
    assert len(set(names)) == 3 and names[0] == "pinpoint-eu-11111111.json"


BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("bad JSON", {"accounts.json": "[{"}, "accounts.json: is not JSON"),
    ("empty file", {"accounts.json": ""}, "accounts.json: is empty"),
    ("not UTF-8", {"accounts.json": b'[{"label": "\xe9"}]'}, "accounts.json: is not UTF-8 text"),
    ("object not list", {"accounts.json": {"id": P1}}, "accounts.json: must be a JSON list of accounts, got dict"),
    ("no accounts", {"accounts.json": []}, "accounts.json: lists no accounts"),
    ("missing key", {"accounts.json": [{"id": P1}]}, f"accounts.json record 0 (id '{P1}'): missing key(s): provider"),
    (
        "unknown provider",
        {"accounts.json": [{"id": P1, "provider": "greenhouse"}]},
        "record 0 (id '" + P1 + "'): unknown provider 'greenhouse'",
    ),
    (
        "non-UUID account",
        {"accounts.json": [{"id": "acct-1", "provider": "pinpoint"}], "pinpoint_interviews.json": []},
        "accounts.json record 0 (id 'acct-1'): `id` must be a UUID, got 'acct-1'",
    ),
    (
        "duplicate account",
        {
            "accounts.json": [{"id": P1, "provider": "pinpoint"}, {"id": P1, "provider": "pinpoint"}],
            "pinpoint_interviews.json": [],
        },
        "accounts.json record 1 (id '" + P1 + "'): account id " + P1 + " is listed twice",
    ),
    (
        "missing records file",
        {"accounts.json": [{"id": P1, "provider": "pinpoint", "records": "eu.json"}]},
        "eu.json: file not found",
    ),
    (
        "records not a list",
        {"accounts.json": [{"id": P1, "provider": "pinpoint"}], "pinpoint_interviews.json": {"data": []}},
        "pinpoint_interviews.json: must be a JSON list of raw pinpoint records, got dict",
    ),
    (
        "record refused by the mapping",
        {
            "accounts.json": [{"id": P1, "provider": "pinpoint"}],
            "pinpoint_interviews.json": [pinpoint("1"), pinpoint("2", "rescheduled")],
        },
        "pinpoint_interviews.json record 1 (id '2'): the pinpoint mapping refuses it: attributes.status 'rescheduled'",
    ),
    (
        "duplicate record id",
        {"accounts.json": [{"id": P1, "provider": "pinpoint"}], "pinpoint_interviews.json": [pinpoint("7")] * 2},
        "pinpoint_interviews.json record 1 (id '7'): duplicate id (also record 0)",
    ),
    (
        "one records file for two providers",
        {
            "accounts.json": [
                {"id": P1, "provider": "pinpoint", "records": "x.json"},
                {"id": C1, "provider": "ceipal", "records": "x.json"},
            ],
            "x.json": [pinpoint("1")],
        },
        f"accounts.json record 1 (id '{C1}'): `records` x.json is also named by a pinpoint account; "
        "a ceipal account needs a records file of its own",
    ),
    (
        "a provider's format-1 file named by another provider",
        {
            "accounts.json": [{"id": C1, "provider": "ceipal", "records": "pinpoint_interviews.json"}],
            "pinpoint_interviews.json": [pinpoint("1")],
        },
        "pinpoint_interviews.json record 0 (id '1'): the ceipal mapping refuses it: this looks like a JSON:API",
    ),
    (
        "records file outside the folder",
        {"accounts.json": [{"id": P1, "provider": "pinpoint", "records": "../x.json"}]},
        "`records` must name a .json file in the folder",
    ),
]


@pytest.mark.parametrize(("files", "expected"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_folder_names_the_file_the_record_and_the_problem(
    tmp_path: Path, files: dict[str, Any], expected: str
) -> None:
    for name, content in files.items():
        if isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        elif isinstance(content, str):
            (tmp_path / name).write_text(content)
        else:
            write(tmp_path, name, content)
    found = problems(tmp_path)
    assert any(expected in line for line in found), found


def test_a_missing_folder_and_a_missing_accounts_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: does not exist"]
    (tmp_path / "file").write_text("")
    assert problems(tmp_path / "file") == [f"{tmp_path / 'file'}: is not a folder"]
    assert problems(tmp_path) == ["accounts.json: file not found"]


def test_every_problem_is_reported_and_the_lines_are_capped(tmp_path: Path) -> None:
    write(tmp_path, "accounts.json", [{"id": P1, "provider": "pinpoint"}])
    write(tmp_path, "pinpoint_interviews.json", [pinpoint(str(i), "nope") for i in range(25)])
    with pytest.raises(DataFolderError) as caught:
        read_folder(tmp_path)
    assert len(caught.value.problems) == 25
    lines = caught.value.lines()
    assert len(lines) == 21 and lines[-1] == "... and 5 more problem(s)"
    assert "record 24 (id '24')" in str(caught.value.problems[-1])
