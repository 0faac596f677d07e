"""Hostile data: NaN, keys twice, deep nesting and oversized bodies are a Truto-shaped 400/413 through
the admin endpoint and one line at start (exit 2) in a data folder; records files must be regular
files inside the folder, size-capped, read once; an id with `/` is served at its encoded path."""

from __future__ import annotations

import http.client
import json
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

import contracts.datafolder
import mockserver.admin
from contracts.accounts import Account
from contracts.datafolder import read_folder, write_folder
from mockserver.__main__ import main
from mockserver.config import MockConfig
from mockserver.state import MockState
from tests.conftest import PINPOINT_RAW
from tests.serving import free_port

P1 = "11111111-2222-4333-8444-555555555555"
AUTH = {"Authorization": "Bearer dev-token"}
LIST = "/unified/ats/interviews"
RECORD = json.dumps(PINPOINT_RAW)
HOSTILE: dict[str, tuple[str, str]] = {
    # case: (records file / request body, what the one line says)
    "NaN": (RECORD.replace('"scheduled"', "NaN"), "contains NaN, which JSON does not allow"),
    "Infinity": (RECORD.replace('"scheduled"', "-Infinity"), "contains -Infinity, which JSON does not allow"),
    "keys twice": (RECORD.replace('"id": "412"', '"id": "412", "id": "413"'), "key(s) given twice in one object: 'id'"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply to read (more than 1024 levels)"),
}


def pinpoint(interview_id: str) -> dict[str, Any]:
    return {**PINPOINT_RAW, "id": interview_id}


def folder_with(folder: Path, records: list[dict[str, Any]]) -> Path:
    write_folder(folder, [Account(P1, "pinpoint", "A", "a.json")], {P1: records})
    return folder


def the_line(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["--data", str(folder), "--port", str(free_port()), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert lines[0] == f"truto-mock: data folder {folder} cannot be served:"
    return lines[1:]


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The live mock (werkzeug, in this process) serving a one-account data folder."""
    folder = folder_with(tmp_path / "data", [pinpoint("1")])
    request.applymarker(pytest.mark.truto_mock(data_dir=str(folder)))
    return request.getfixturevalue("truto_mock")


def still_serves(mock: Any) -> None:
    """The account answers list, get and the OpenAPI document: nothing got in that breaks it."""
    for path in (f"{LIST}?integrated_account_id={P1}", f"{LIST}/1?integrated_account_id={P1}", "/openapi.json"):
        assert httpx.get(f"{mock.url}{path}", headers=AUTH, timeout=10).status_code == 200, path


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_json_in_a_data_folder_is_one_line_at_start(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, said = HOSTILE[case]
    folder = folder_with(tmp_path / "data", [])
    (folder / "a.json").write_text(document if case == "deep nesting" else f"[{document}]", encoding="utf-8")
    lines = the_line(folder, capsys)
    assert len(lines) == 1 and said in lines[0], lines
    assert lines[0].startswith("  a.json")


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_json_through_the_admin_endpoint_is_a_400(served: Any, case: str) -> None:
    document, said = HOSTILE[case]
    for method in ("POST", "PUT"):
        response = httpx.request(
            method,
            f"{served.url}/__mock__/accounts/{P1}/records",
            content=document if case == "deep nesting" else f"[{document}]",
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        body = response.json()
        assert response.status_code == 400 and body["statusCode"] == 400 and body["error"] == "Bad Request"
        assert said in body["message"], body
    still_serves(served)


def _send_chunked(url: str, chunks: int, chunk: bytes) -> tuple[int, dict[str, Any]]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        try:
            for _ in range(chunks):
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the mock answered and closed before the rest arrived: that is the point
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_an_over_cap_body_is_a_413_however_it_is_framed(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mockserver.admin, "MAX_ADMIN_BODY", 1024 * 1024)
    url = f"{served.url}/__mock__/accounts/{P1}/records"
    big = json.dumps([pinpoint(str(i)) for i in range(4000)]).encode()
    assert len(big) > 1024 * 1024
    sized = httpx.post(url, content=big, headers={"Content-Type": "application/json"}, timeout=30)
    assert sized.status_code == 413 and sized.json()["message"] == "Send at most 1 MiB of records at once."
    status, body = _send_chunked(url, 40, b" " * 64 * 1024)  # no Content-Length at all
    assert status == 413 and body["statusCode"] == 413 and body["error"] == "Request Entity Too Large", body
    status, body = _send_chunked(url, 1, json.dumps([pinpoint("77")]).encode())  # under the cap: accepted
    assert status == 201 and body["ids"] == ["77"]
    still_serves(served)


def test_an_over_cap_records_file_is_one_line_and_the_flag_raises_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folder_with(tmp_path / "data", [])
    (folder / "a.json").write_text("[" + " " * (2 * 1024 * 1024) + "]", encoding="utf-8")
    lines = the_line(folder, capsys, "--max-data-mb", "1")
    over = "is 2 MB, over the limit of 1 MB per file (raise it with --max-data-mb, or max_data_mb for the plugin)"
    assert lines == [f"  a.json: {over}"]
    assert MockState.build(MockConfig(data_dir=folder, max_data_mb=3)).store.records(P1) == []


def test_links_outside_the_folder_are_refused_without_quoting_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folder_with(tmp_path / "data", [])
    secret = tmp_path / "secret.json"
    secret.write_text('["sk-live-SECRET123"]', encoding="utf-8")
    (folder / "a.json").unlink()
    (folder / "a.json").symlink_to(secret)
    lines = the_line(folder, capsys)
    assert lines == ["  a.json: is a link to a file outside the data folder; copy the file into the folder instead"]
    (folder / "a.json").unlink()
    (folder / "a.json").symlink_to("/dev/zero")  # once read until MemoryError
    assert "outside the data folder" in the_line(folder, capsys)[0]
    inside = folder / "real.json"
    inside.write_text(json.dumps([pinpoint("5")]), encoding="utf-8")
    (folder / "a.json").unlink()
    (folder / "a.json").symlink_to(inside)  # a link that stays inside is followed
    assert [r["id"] for r in read_folder(folder).records[P1]] == ["5"]


def test_a_fifo_and_a_device_are_refused_without_hanging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = folder_with(tmp_path / "data", [])
    (folder / "a.json").unlink()
    os.mkfifo(folder / "a.json")  # nobody writes to it: reading it would wait forever
    assert the_line(folder, capsys) == ["  a.json: is a named pipe (FIFO), not a regular file"]
    (folder / "a.json").unlink()
    try:
        os.mknod(folder / "a.json", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("making a device node needs root; the FIFO case above ran")
    assert the_line(folder, capsys) == ["  a.json: is a device, not a regular file"]


def test_each_file_is_read_and_each_record_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = folder_with(tmp_path / "data", [pinpoint("1"), pinpoint("2")])
    reads: list[str] = []
    checks: list[str] = []
    read, check = contracts.datafolder.read_data_file, contracts.datafolder.validate_interview
    monkeypatch.setattr(contracts.datafolder, "read_data_file", lambda f, n, m: reads.append(n) or read(f, n, m))
    monkeypatch.setattr(
        contracts.datafolder, "validate_interview", lambda i, **kw: checks.append(i["id"]) or check(i, **kw)
    )
    import mockserver.store

    monkeypatch.setattr(mockserver.store, "interview_from_raw", lambda *a: pytest.fail("checked a second time"))
    state = MockState.build(MockConfig(data_dir=folder))
    assert sorted(reads) == ["a.json", "accounts.json"] and checks == ["1", "2"]
    assert [r.id for r in state.store.records(P1)] == ["1", "2"]


def test_a_large_folder_says_loading_before_the_banner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = folder_with(tmp_path / "data", [])
    (folder / "a.json").write_text("[" + " " * (6 * 1024 * 1024) + "]", encoding="utf-8")
    (folder / "accounts.json").write_text("[]", encoding="utf-8")  # broken, so it stops before serving
    assert main(["--data", str(folder), "--port", str(free_port())]) == 2
    assert capsys.readouterr().out == "loading 6 MB…\n"


def test_every_problem_of_a_record_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A record with three mistakes shows all three in one run (it once took three runs)."""
    bad = {"id": "7", "type": "interviews", "attributes": {"status": "rescheduled", "start_at": "10am"}}
    bad["relationships"] = {"application": {"data": {"id": 5}}}
    folder = folder_with(tmp_path / "data", [])
    (folder / "a.json").write_text(json.dumps([bad, pinpoint("7")]), encoding="utf-8")
    lines = the_line(folder, capsys)
    assert len(lines) == 2, lines
    first = lines[0]
    for mistake in ("relationships.application.data.id", "attributes.start_at", "attributes.status 'rescheduled'"):
        assert mistake in first, (mistake, first)
    assert lines[1] == "  a.json record 1 (id '7'): duplicate id (also record 0)"


@pytest.fixture
def slashed(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    folder = folder_with(tmp_path / "data", [pinpoint("a/b")])
    request.applymarker(pytest.mark.truto_mock(data_dir=str(folder)))
    return request.getfixturevalue("truto_mock")


def test_an_id_with_a_slash_is_served_at_its_encoded_path(slashed: Any) -> None:
    one = httpx.get(f"{slashed.url}{LIST}/a%2Fb?integrated_account_id={P1}", headers=AUTH, timeout=10)
    assert one.status_code == 200 and one.json()["id"] == "a/b"  # from the data folder
    assert httpx.get(f"{slashed.url}{LIST}/a/b?integrated_account_id={P1}", headers=AUTH).status_code == 404
    added = httpx.post(f"{slashed.url}/__mock__/accounts/{P1}/records", json=[pinpoint("x/y%z")], timeout=10)
    assert added.status_code == 201
    other = httpx.get(f"{slashed.url}{LIST}/x%2Fy%25z?integrated_account_id={P1}", headers=AUTH, timeout=10)
    assert other.status_code == 200 and other.json()["id"] == "x/y%z"  # from the admin endpoint
    journal = httpx.get(f"{slashed.url}/__mock__/requests", timeout=10).json()["requests"]
    assert journal[0]["path"] == f"{LIST}/x%2Fy%25z" and journal[0]["verdict"] == "conforms", journal[0]


def test_the_page_links_an_id_with_a_slash_where_it_is_served(slashed: Any) -> None:
    page = httpx.get(f"{slashed.url}/", timeout=10).text
    link = f"/__mock__/try?path=%2Funified%2Fats%2Finterviews%2Fa%252Fb%3Fintegrated_account_id%3D{P1}"
    assert link in page
    tried = httpx.get(f"{slashed.url}{link}", timeout=10)
    assert '<strong id="status">200</strong>' in tried.text and "&#34;a/b&#34;" in tried.text, tried.text[-800:]


def test_the_in_process_router_serves_an_id_with_a_slash(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    folder = folder_with(tmp_path / "data", [pinpoint("a/b")])
    request.applymarker(pytest.mark.truto_mock(data_dir=str(folder)))
    request.getfixturevalue("truto_respx")
    url = f"https://api.truto.one{LIST}/a%2Fb?integrated_account_id={P1}"
    response = httpx.get(url, headers=AUTH)
    assert response.status_code == 200 and response.json()["id"] == "a/b"
