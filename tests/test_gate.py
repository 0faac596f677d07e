"""The contract gate: passes the mock, fails a broken server naming each violation, exit codes, reports."""

from __future__ import annotations

import contextlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from contracts.__main__ import main
from mockserver import create_app
from mockserver.live import LiveServer
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

SNAPSHOT = Path(__file__).parent / "snapshots" / "gate_summary_mock.txt"
TOKEN = "tok-SECRET-4242"
ACCOUNT_ARGS = ["--account", f"ceipal={CEIPAL_ACCOUNT}", "--account", f"pinpoint={PINPOINT_ACCOUNT}"]
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Rewriter:
    """WSGI middleware that rewrites the mock's JSON bodies: a deliberately broken server."""

    def __init__(self, app: Flask, rewrite: Callable[[dict[str, Any], Any], Any]) -> None:
        self.app, self.rewrite = app, rewrite

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured.update(status=status, headers=headers)

        body = b"".join(self.app(environ, capture))
        with contextlib.suppress(ValueError):
            body = json.dumps(self.rewrite(environ, json.loads(body))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length", "transfer-encoding")]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def serve(server: LiveServer, app: Any) -> str:
    server.app = app
    return server.url


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("TRUTO_API_TOKEN", TOKEN)
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def normalise(text: str) -> str:
    return re.sub(r"\(\d+\.\ds, \d+/s\)", "(TIME)", text)


def test_gate_passes_the_default_mock(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = serve(server, create_app())
    junit = tmp_path / "reports" / "gate.xml"
    monkeypatch.setenv("TRUTO_API_TOKEN", TOKEN)
    code = main(["gate", "--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit)])
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert "[gate] ceipal: 25/" in captured.err and "PASSED:" in captured.out
    summary = captured.out
    if os.environ.get("UPDATE_SNAPSHOTS"):  # UPDATE_SNAPSHOTS=1 make pytest; review the diff before committing
        SNAPSHOT.write_text(normalise(summary))
    assert normalise(summary) == SNAPSHOT.read_text()
    root = ET.parse(junit).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"ceipal", "pinpoint"}
    assert all(s.get("failures") == "0" and int(s.get("tests", "0")) > 80 for s in suites.values())


def _break_pinpoint(environ: dict[str, Any], body: Any) -> Any:
    """Pinpoint returning a candidate, a status outside the enum, a date without a time, no next_cursor."""
    if PINPOINT_ACCOUNT not in environ.get("QUERY_STRING", "") or not isinstance(body, dict):
        return body
    items = body.get("result") if isinstance(body.get("result"), list) else [body]
    for item in items:
        if isinstance(item, dict) and "id" in item and "statusCode" not in item:
            item["candidate"] = {"id": "3301"}
            item["status"] = "rescheduled"
            item["created_at"] = "2025-03-01"
    if isinstance(body.get("result"), list):
        body.pop("next_cursor", None)
    return body


def test_gate_fails_a_broken_server_naming_each_violation(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = serve(server, Rewriter(create_app({"records": 5}), _break_pinpoint))
    junit = tmp_path / "gate.xml"
    code, output = run_cli(["gate", "--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit)], monkeypatch, capsys)
    assert code == 1
    assert "pinpoint does not return `candidate` [provider-coverage]" in output
    assert "`status` 'rescheduled' is not one of draft" in output
    assert "`created_at` '2025-03-01' is not an RFC 3339 date-time" in output
    assert "/next_cursor: `next_cursor` is missing" in output
    assert re.search(r"^ceipal +list format=unified +1 +0$", output, re.M)  # ceipal is untouched
    assert re.search(r"^pinpoint +get format=unified +0 +\d+$", output, re.M)
    assert "FAILED:" in output
    failures = ET.parse(junit).getroot().findall(".//testsuite[@name='pinpoint']/testcase/failure")
    assert failures and any("provider-coverage" in (f.text or "") for f in failures)


def test_token_is_never_printed_even_when_the_server_echoes_it(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def echo_token(environ: dict[str, Any], body: Any) -> Any:
        if isinstance(body, dict) and "id" in body:
            body["leak"] = environ.get("HTTP_AUTHORIZATION", "")
        return body

    url = serve(server, Rewriter(create_app({"records": 1}), echo_token))
    junit = tmp_path / "gate.xml"
    code, output = run_cli(["gate", "--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit)], monkeypatch, capsys)
    assert code == 1 and "unknown-field" in output
    assert TOKEN not in output and TOKEN not in junit.read_text()


def test_429_is_retried_after_retry_after(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from contracts.gate import GateConfig, run_gate

    app = create_app({"records": 1})
    seen: dict[str, int] = {}

    def limited(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        key = environ.get("PATH_INFO", "") + environ.get("QUERY_STRING", "")
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 1 and "9001" in key:
            body = b'{"statusCode":429,"error":"Too Many Requests","message":"slow down"}'
            start_response("429 Too Many Requests", [("Content-Type", "application/json"), ("Retry-After", "0")])
            return [body]
        return app(environ, start_response)

    url = serve(server, limited)
    run = run_gate(GateConfig(url, {"ceipal": CEIPAL_ACCOUNT}, TOKEN, ids=("9001",)))
    assert run.exit_code == 0, [str(v) for r in run.results for v in r.violations]
    assert any(count == 2 for key, count in seen.items() if "9001" in key)


def test_connection_failures_mid_run_are_violations_not_tracebacks(server: LiveServer) -> None:
    from contracts.gate import GateConfig, run_gate

    app = create_app({"records": 1})

    def flaky(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "truto_response_format=raw" in environ.get("QUERY_STRING", ""):
            raise ConnectionResetError("simulated reset")  # werkzeug drops the connection
        return app(environ, start_response)

    url = serve(server, flaky)
    run = run_gate(GateConfig(url, {"ceipal": CEIPAL_ACCOUNT}, TOKEN, ids=("9001",), timeout=1.0))
    assert run.exit_code == 1
    raw = [r for r in run.results if "format=raw" in r.case.check]
    assert raw and all(not r.passed for r in raw)
    assert {v.rule for r in raw for v in r.violations} <= {"transport", "status", "not-json"}
    others = [r for r in run.results if "format=raw" not in r.case.check]
    assert others and all(r.passed for r in others)


def test_unreachable_server_exits_2_and_still_writes_the_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "gate.xml"
    code, output = run_cli(
        ["gate", "--base-url", "http://127.0.0.1:9", *ACCOUNT_ARGS, "--junit-xml", str(junit), "--timeout", "2"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "cannot reach http://127.0.0.1:9" in output and "Traceback" not in output
    assert ET.parse(junit).getroot().find(".//error") is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["gate", "--base-url", "http://x", "--account", "ashby=1"], "--account takes PROVIDER=UUID"),
        (
            ["gate", "--base-url", "http://x", *ACCOUNT_ARGS, "--token-env", "NO_SUCH_VARIABLE_HERE"],
            "set the API token",
        ),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_cli(argv, monkeypatch, capsys)
    assert code == 2 and message in output


def test_missing_required_options_exit_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["gate", "--base-url", "http://x"])
    assert info.value.code == 2


def test_a_server_that_resets_every_connection_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import socket
    import struct
    import threading

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
        code, output = run_cli(
            ["gate", "--base-url", f"http://127.0.0.1:{port}", *ACCOUNT_ARGS, "--junit-xml", str(junit)],
            monkeypatch,
            capsys,
        )
    finally:
        listener.close()
    assert code == 2 and "cannot reach" in output and "Traceback" not in output
    assert junit.exists()


def test_ids_and_accounts_take_one_or_many_values(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(server, create_app({"records": 1}))
    argv = ["gate", "--base-url", url, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--id", "412", "413"]
    code, output = run_cli(argv, monkeypatch, capsys)
    assert code == 0 and re.search(r"^pinpoint +get format=raw +2 +0$", output, re.M)
    # --id applies to every account: an id another account does not have fails its reads
    argv = ["gate", "--base-url", url, "--account", f"ceipal={CEIPAL_ACCOUNT}", f"pinpoint={PINPOINT_ACCOUNT}",
            "--id", "412"]  # fmt: skip
    code, output = run_cli(argv, monkeypatch, capsys)
    assert code == 1 and "GET /unified/ats/interviews/412?integrated_account_id=c3a1f0de" in output
    assert "expected HTTP 200, got 404 [status]" in output
