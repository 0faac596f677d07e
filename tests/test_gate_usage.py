"""The gate's bad usage and unusable targets: exit 2, one line, no traceback, and (where the
argument alone is wrong) no request sent at all."""

from __future__ import annotations

import json
import socket
import struct
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.__main__ import main
from mockserver import create_app
from mockserver.live import LiveServer, mock_state
from tests.gate_helpers import ACCOUNT_ARGS, FakeClock, answer, gate
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a request would say "cannot reach"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-ids", "0"], "argument --max-ids: must be 1 or more, got 0"),
        (["--max-ids", "-1"], "argument --max-ids: must be 1 or more, got -1"),
        (["--timeout", "-1"], "argument --timeout: must be more than 0 seconds"),
        (["--timeout", "0"], "argument --timeout: must be more than 0 seconds"),
        (["--timeout", "soon"], "argument --timeout: must be a number of seconds"),
        (["--page-size", "0"], "argument --page-size: must be 1 or more"),
        (["--shard", "3/2"], "argument --shard: takes K/N with 1 <= K <= N"),
        (["--shard", "0/2"], "argument --shard: takes K/N"),
        (["--rate-limit", "fast"], "argument --rate-limit: takes auto, off or N/SECONDS"),
    ],
)
def test_bad_numbers_exit_2_in_one_line(extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["gate", "--base-url", NOWHERE, *ACCOUNT_ARGS, *extra])
    err = capsys.readouterr().err
    assert info.value.code == 2 and message in err and one_line(err)


@pytest.mark.parametrize(
    ("argv", "token", "message"),
    [
        (["--account", "ashby=1"], "t0ken", "--account takes PROVIDER=UUID, PROVIDER one of ceipal, pinpoint"),
        (["--account", "ceipal"], "t0ken", "--account takes PROVIDER=UUID"),
        (["--account", "ceipal=not-a-uuid"], "t0ken", "'not-a-uuid' is not a UUID"),
        ([], "t0ken", "give at least one account"),
        (["--account", f"ceipal={CEIPAL_ACCOUNT}", "--account", f"ceipal={CEIPAL_ACCOUNT}"], "t0ken",
         "is given more than once"),
        ([*ACCOUNT_ARGS], None, "set the API token in $TRUTO_API_TOKEN"),
        ([*ACCOUNT_ARGS], "t0ken\n", "contains a control character (a trailing newline?)"),
        ([*ACCOUNT_ARGS], "tökén-€", "contains characters an HTTP header cannot carry"),
        ([*ACCOUNT_ARGS, "--check", "get format=xml"], "t0ken", "no check is named 'get format=xml'"),
        ([*ACCOUNT_ARGS, "--fail-on-drift"], "t0ken", "--fail-on-drift needs --baseline"),
        ([*ACCOUNT_ARGS, "--baseline", "/no/such/baseline.json"], "t0ken", "does not exist; on the first night"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_before_any_request(
    argv: list[str], token: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = gate(["--base-url", NOWHERE, *argv], capsys, token=token)
    assert code == 2 and message in err and one_line(err) and out == ""
    assert "cannot reach" not in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/unified", "without a path"),
        ("ftp://127.0.0.1:9", "must be an http(s) URL"),
        ("127.0.0.1:9", "must be an http(s) URL"),
        ("http://user:pw@127.0.0.1:9", "credentials"),
        ("http://127.0.0.1:99999", "bad port"),
    ],
)
def test_a_base_url_must_be_the_root(url: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(["--base-url", url, *ACCOUNT_ARGS], capsys)
    assert code == 2 and message in err and one_line(err)


def test_report_paths_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    for option, path in (("--junit-xml", tmp_path), ("--json-report", blocked / "x.json"),
                         ("--save-baseline", tmp_path)):  # fmt: skip
        code, _, err = gate(["--base-url", NOWHERE, *ACCOUNT_ARGS, option, str(path)], capsys)
        assert code == 2 and f"{option} {path}" in err and one_line(err), err


def test_unreachable_server_exits_2_and_still_writes_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "gate.xml"
    code, _, err = gate(["--base-url", NOWHERE, *ACCOUNT_ARGS, "--junit-xml", str(junit), "--retries", "0"], capsys)
    assert code == 2 and f"gate: cannot reach {NOWHERE}: cannot connect" in err and "Traceback" not in err
    assert ET.parse(junit).getroot().find(".//error[@type='usage']") is not None


def test_unknown_account_among_several_stops_before_any_check(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"records": 1})
    server.app = app
    unknown = "11111111-2222-4333-8444-555555555555"
    code, out, err = gate(["--base-url", server.url, *ACCOUNT_ARGS, "--account", f"pinpoint={unknown}"], capsys)
    assert code == 2 and f"account pinpoint-2 ({unknown}) is unknown to {server.url} (HTTP 404" in err
    assert len(mock_state(app).journal.entries()) == 3  # the three first probes, no check
    assert "NOT RUN" in out


def test_a_refused_token_exits_2(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.app = create_app({"records": 1, "token": "the-right-one"})
    code, _, err = gate(["--base-url", server.url, *ACCOUNT_ARGS], capsys)
    assert code == 2 and "the token was refused (HTTP 401: Invalid API token.)" in err


def test_not_a_truto_api_exits_2(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.app = answer("200 OK", b"<html>hello</html>", [("Content-Type", "text/html")])  # type: ignore[assignment]
    code, _, err = gate(["--base-url", server.url, *ACCOUNT_ARGS], capsys)
    assert code == 2 and "does not look like a Truto API" in err


def test_a_server_down_at_the_first_probe_is_an_error_not_usage(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.app = answer("503 Service Unavailable", b'{"statusCode":503,"error":"Service Unavailable","message":"x"}')  # type: ignore[assignment]
    code, out, _ = gate(["--base-url", server.url, "--account", f"pinpoint={PINPOINT_ACCOUNT}"], capsys,
                        clock=FakeClock())  # fmt: skip
    assert code == 3 and "error: HTTP 503 (after 4 attempts)" in out
    assert "pinpoint: the first probe had no usable answer, so nothing else was sent" in out


def test_a_server_that_resets_every_connection_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def reset_all() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(4096)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
            conn.close()

    threading.Thread(target=reset_all, daemon=True).start()
    junit = tmp_path / "gate.xml"
    try:
        code, out, err = gate(["--base-url", f"http://127.0.0.1:{port}", *ACCOUNT_ARGS, "--junit-xml", str(junit)],
                              capsys, clock=FakeClock())  # fmt: skip
    finally:
        listener.close()
    assert code == 3 and "Traceback" not in out + err and "had no usable answer" in out
    assert junit.exists()


def test_list_checks_needs_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", "--list-checks"]) == 0
    out = capsys.readouterr().out
    assert "get#" not in out and "get format=debug\n" in out and "list filter start_at[gt]  (pinpoint only)" in out


def test_accounts_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "accounts.json"
    for content, message in (
        ("{", "is not JSON"),
        ('{"id": 1}', "must hold a JSON list"),
        ('[{"id": "x", "provider": "ceipal"}]', "'x' is not a UUID"),
        ('[{"id": "x", "provider": "ashby"}]', "unknown provider 'ashby'"),
        (json.dumps([{"id": CEIPAL_ACCOUNT, "provider": "ceipal", "label": "a"},
                     {"id": PINPOINT_ACCOUNT, "provider": "pinpoint", "label": "a"}]), "two accounts are labelled 'a'"),
    ):  # fmt: skip
        path.write_text(content)
        code, _, err = gate(["--base-url", NOWHERE, "--accounts-file", str(path)], capsys)
        assert code == 2 and message in err and one_line(err), err
