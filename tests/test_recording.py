"""Record from the mock, replay the folder: every id in every format comes back as it was, except
redacted strings; the mock agrees with its own mapping; what goes into the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.accounts import Account
from contracts.datafolder import read_folder
from contracts.live.record_summary import summary_lines
from contracts.live.recording import AGREEMENT_FILE, REDACTION_FILE, Recording
from mockserver import create_app
from tests.recording_helpers import (
    leaf_differences,
    only_redacted_strings_differ,
    read_list,
    responses,
    serve,
    two_pinpoint_accounts,
)

CEIPAL = "ceipal"
PINPOINT = "pinpoint"

DEFAULT_ACCOUNTS = [
    Account("c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01", CEIPAL, "ceipal"),
    Account("9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902", PINPOINT, "pinpoint"),
]


def record(
    app_config: dict[str, object] | Path, accounts: list[Account], out: Path, *, redact: bool = True
) -> Recording:
    app = serve(app_config) if isinstance(app_config, Path) else create_app(app_config)
    recording = Recording(redact=redact)
    client = app.test_client()
    for account in accounts:
        recording.add(account, read_list(client, account.id))
    recording.write(out)
    return recording


@pytest.fixture(scope="module")
def pinpoint_recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Account], Recording]:
    source = tmp_path_factory.mktemp("source")
    accounts = two_pinpoint_accounts(source)
    out = tmp_path_factory.mktemp("recorded")
    return source, out, accounts, record(source, accounts, out)


def test_two_accounts_of_one_provider_are_recorded_apart_and_agree(
    pinpoint_recording: tuple[Path, Path, list[Account], Recording],
) -> None:
    source, out, accounts, recording = pinpoint_recording
    folder = read_folder(out)
    assert [a.id for a in folder.accounts] == [a.id for a in accounts]
    assert [a.label for a in folder.accounts] == ["pinpoint", "pinpoint-2"]
    original = read_folder(source)
    for account in accounts:
        assert len(folder.records[account.id]) == len(original.records[account.id])
    assert recording.agrees, "\n".join(summary_lines(recording, out))
    report = json.loads((out / AGREEMENT_FILE).read_text())
    assert report["agrees"] is True
    for entry in report["accounts"]:
        verdicts = {name: f["verdict"] for name, f in entry["fields"].items()}
        assert verdicts["start_at"] == verdicts["status"] == verdicts["application"] == "confirmed"
        assert "candidate" not in verdicts  # not a Pinpoint field and never filled: not reported
        assert entry["unread_raw_keys"]["relationships.application.data.type"] == entry["records"]["read"]


def test_replay_answers_every_id_in_every_format_as_the_source_except_redacted_strings(
    pinpoint_recording: tuple[Path, Path, list[Account], Recording],
) -> None:
    source, out, accounts, _ = pinpoint_recording
    redaction = json.loads((out / REDACTION_FILE).read_text())
    replaced = {entry["id"]: entry["replaced"] for entry in redaction["accounts"]}
    assert all(replaced.values()), "titles carry names: something must have been redacted"
    src, rep = serve(source).test_client(), serve(out).test_client()
    for account in accounts:
        ids = [item["id"] for item in read_list(src, account.id)]
        assert ids == [item["id"] for item in read_list(rep, account.id)]
        compared = 0
        for (asked, a), (asked_again, b) in zip(
            responses(src, account.id, ids), responses(rep, account.id, ids), strict=True
        ):
            assert asked == asked_again
            assert only_redacted_strings_differ(a, b, PINPOINT, replaced[account.id]) == [], asked
            compared += 1
        assert compared >= len(ids) * 5


def test_a_broken_replay_is_caught_by_the_comparison(
    pinpoint_recording: tuple[Path, Path, list[Account], Recording], tmp_path: Path
) -> None:
    """The replay check can fail: one changed id in the recorded folder is reported."""
    source, out, accounts, _ = pinpoint_recording
    folder = read_folder(out)
    records = {a.id: [dict(r) for r in folder.records[a.id]] for a in folder.accounts}
    first = records[accounts[0].id][0]
    first["relationships"] = {**first["relationships"], "application": {"data": {"type": "applications", "id": "1"}}}
    from contracts.datafolder import write_folder

    write_folder(tmp_path, list(folder.accounts), records)
    redaction = json.loads((out / REDACTION_FILE).read_text())["accounts"][0]["replaced"]
    src, rep = serve(source).test_client(), serve(tmp_path).test_client()
    a = read_list(src, accounts[0].id)
    b = read_list(rep, accounts[0].id)
    bad = only_redacted_strings_differ(a, b, PINPOINT, redaction)
    assert {path for path, _, _ in bad} >= {"[].application.id", "[].remote_data.relationships.application.data.id"}


def test_without_redaction_the_replay_is_identical_byte_for_byte_in_meaning(tmp_path: Path) -> None:
    source = tmp_path / "source"
    accounts = two_pinpoint_accounts(source, seed=21, counts=(9, 4))
    out = tmp_path / "out"
    recording = record(source, accounts, out, redact=False)
    assert json.loads((out / REDACTION_FILE).read_text()) == {"format": 1, "redacted": False, "accounts": []}
    assert recording.agrees
    src, rep = serve(source).test_client(), serve(out).test_client()
    for account in accounts:
        ids = [item["id"] for item in read_list(src, account.id)]
        for (asked, a), (_, b) in zip(responses(src, account.id, ids), responses(rep, account.id, ids), strict=True):
            assert list(leaf_differences(a, b)) == [], asked


def test_the_default_mock_with_another_seed_agrees_and_replays(tmp_path: Path) -> None:
    """Both providers, the hand-written fixtures and 30 generated records per account (seed 11)."""
    config: dict[str, object] = {"seed": 11, "records": 30}
    recording = record(config, DEFAULT_ACCOUNTS, tmp_path)
    assert recording.agrees, "\n".join(summary_lines(recording, tmp_path))
    replaced = {e["id"]: e["replaced"] for e in json.loads((tmp_path / REDACTION_FILE).read_text())["accounts"]}
    assert "interviewers[].name" in replaced[DEFAULT_ACCOUNTS[0].id]
    assert "interview_location" in replaced[DEFAULT_ACCOUNTS[0].id]
    src, rep = create_app(config).test_client(), serve(tmp_path).test_client()
    for account in DEFAULT_ACCOUNTS:
        ids = [item["id"] for item in read_list(src, account.id)]
        assert len(ids) > 30
        for (asked, a), (_, b) in zip(responses(src, account.id, ids), responses(rep, account.id, ids), strict=True):
            assert only_redacted_strings_differ(a, b, account.provider, replaced[account.id]) == [], asked


def test_the_folder_holds_raw_records_and_two_reports_only(
    pinpoint_recording: tuple[Path, Path, list[Account], Recording],
) -> None:
    _, out, _accounts, _ = pinpoint_recording
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["accounts.json", AGREEMENT_FILE, REDACTION_FILE, "pinpoint-0b5c1e7a.json", "pinpoint-2-0b5c1e7a.json"]
    )
    for account_file in ("pinpoint-0b5c1e7a.json", "pinpoint-2-0b5c1e7a.json"):
        records = json.loads((out / account_file).read_text())
        assert all("remote_data" not in r and r["type"] == "interviews" for r in records)
