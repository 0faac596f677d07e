"""`--data DIR` through the command line: every broken folder is exit 2 with one line per problem
naming the file and the record, no banner and no traceback; a good format-2 folder is served whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.accounts import Account
from contracts.datafolder import write_folder
from mockserver.__main__ import main
from tests.conftest import CEIPAL_RAW, PINPOINT_RAW
from tests.serving import free_port, wait_until_serving

ROOT = Path(__file__).parents[1]
P1 = "11111111-2222-4333-8444-555555555555"
P2 = "66666666-7777-4888-9999-aaaaaaaaaaaa"
AUTH = {"Authorization": "Bearer dev-token"}


def pinpoint(interview_id: str, status: str = "scheduled") -> dict[str, Any]:
    return {**PINPOINT_RAW, "id": interview_id, "attributes": {**PINPOINT_RAW["attributes"], "status": status}}


def good_folder(folder: Path) -> Path:
    """Format 2: two Pinpoint accounts, each its own records file."""
    accounts = [Account(P1, "pinpoint", "Team A", "team-a.json"), Account(P2, "pinpoint", "Team B", "team-b.json")]
    write_folder(folder, accounts, {P1: [pinpoint("1"), pinpoint("2", "completed")], P2: [pinpoint("77", "draft")]})
    return folder


def _json(name: str, document: Any) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(json.dumps(document), encoding="utf-8")


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _accounts(**changes: Any) -> Callable[[Path], None]:
    entry = {"id": P1, "provider": "pinpoint", "records": "team-a.json", **changes}
    return _json("accounts.json", [{k: v for k, v in entry.items() if v is not None}])


BROKEN: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "bad JSON": (_bytes("accounts.json", b'[{"id": '), ["accounts.json: is not JSON"]),
    "empty file": (_bytes("team-a.json", b""), ["team-a.json: is empty"]),
    "Latin-1 file": (_bytes("team-a.json", '[{"id": "é"}]'.encode("latin-1")), ["team-a.json: is not UTF-8"]),
    "object, not a list": (_json("accounts.json", {"accounts": []}), ["accounts.json: must be a JSON list"]),
    "records not a list": (_json("team-b.json", {"data": []}), ["team-b.json: must be a JSON list of raw pinpoint"]),
    "missing key": (_accounts(provider=None), ["accounts.json record 0 (id '" + P1 + "'): missing key(s): provider"]),
    "unknown key": (_accounts(owner="me"), ["accounts.json record 0 (id '" + P1 + "'): unknown key(s): owner"]),
    "unknown provider": (_accounts(provider="ashby"), ["record 0 (id '" + P1 + "'): unknown provider 'ashby'"]),
    "non-UUID account id": (_accounts(id="acct-1"), ["accounts.json record 0 (id 'acct-1'): `id` must be a UUID"]),
    "no accounts": (_json("accounts.json", []), ["accounts.json: lists no accounts"]),
    "missing records file": (_accounts(records="gone.json"), ["gone.json: file not found"]),
    "duplicate account ids": (
        _json("accounts.json", [{"id": P1, "provider": "pinpoint"}, {"id": P1, "provider": "pinpoint"}]),
        ["accounts.json record 1 (id '" + P1 + "'): account id " + P1 + " is listed twice"],
    ),
    "record the mapping refuses": (
        _json("team-a.json", [pinpoint("1"), pinpoint("2", "rescheduled")]),
        ["team-a.json record 1 (id '2'): the pinpoint mapping refuses it"],
    ),
    "duplicate record ids": (
        _json("team-a.json", [pinpoint("1"), pinpoint("5"), pinpoint("1")]),
        ["team-a.json record 2 (id '1'): duplicate id (also record 0)"],
    ),
    "a Ceipal record in a Pinpoint file": (
        _json("team-b.json", [CEIPAL_RAW]),
        ["team-b.json record 0 (id '9001'): the pinpoint mapping refuses it"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_folder_is_exit_2_naming_file_and_record(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = good_folder(tmp_path / "data")
    breaker, expected = BROKEN[case]
    breaker(folder)
    assert main(["--data", str(folder), "--port", str(free_port())]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no banner
    lines = captured.err.splitlines()
    assert lines[0] == f"truto-mock: data folder {folder} cannot be served:", lines
    for text in expected:
        assert any(text in line for line in lines[1:]), (text, lines)
    assert "Traceback" not in captured.err


def test_many_problems_show_20_then_a_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = good_folder(tmp_path / "data")
    (folder / "team-a.json").write_text(json.dumps([pinpoint(str(i), "nope") for i in range(30)]), encoding="utf-8")
    assert main(["--data", str(folder)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 22 and lines[-1].strip() == "... and 10 more problem(s)", lines[-3:]


def test_a_real_process_prints_problems_without_banner_or_traceback(tmp_path: Path) -> None:
    folder = good_folder(tmp_path / "data")
    (folder / "team-a.json").write_text("[{]", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "--data", str(folder), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "team-a.json: is not JSON" in done.stderr


def test_make_run_serves_a_format_2_folder_of_two_pinpoint_accounts(tmp_path: Path) -> None:
    folder = good_folder(tmp_path / "data")
    port = free_port()
    process = subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}", f"ARGS=--data {folder}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/openapi.json", process)
        lists = {
            account: httpx.get(f"{base}/unified/ats/interviews?integrated_account_id={account}", headers=AUTH).json()
            for account in (P1, P2)
        }
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert [i["id"] for i in lists[P1]["result"]] == ["1", "2"]  # the folder's records only: none generated
    assert [(i["id"], i["status"]) for i in lists[P2]["result"]] == [("77", "draft")]
    assert f"data: data folder {folder} only (no generated records)" in output
    assert f'pinpoint  integrated_account_id={P1}  "Team A"' in output
    assert f'pinpoint  integrated_account_id={P2}  "Team B"' in output
    assert "stopped (SIGINT)" in output


def test_records_adds_generated_ones_on_request(tmp_path: Path) -> None:
    from mockserver.config import MockConfig
    from mockserver.state import MockState

    folder = good_folder(tmp_path / "data")
    assert len(MockState.build(MockConfig(data_dir=folder)).store.records(P1)) == 2
    assert len(MockState.build(MockConfig(data_dir=folder, records=3)).store.records(P1)) == 5
    assert len(MockState.build(MockConfig()).store.records("9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902")) == 30
