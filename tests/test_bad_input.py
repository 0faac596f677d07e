"""Bad input everywhere: the checker and the gate meet garbage with a clear violation or error,
never a traceback, and the gate still writes its report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts import Exchange, check_response
from contracts.__main__ import main
from mockserver import create_app
from mockserver.live import LiveServer
from tests.conftest import good_interview
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

JSON = {"Content-Type": "application/json"}
HTML_PAGE = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"
DEEP = b"[" * 200_000 + b"]" * 200_000
HUGE = json.dumps({"id": "1", "remote_data": {"blob": "x" * 5_000_000}}).encode()


@pytest.mark.parametrize(
    ("status", "headers", "body", "rule"),
    [
        (200, JSON, b"", "not-json"),
        (200, JSON, b'{"id": "412", "remote_data": {', "not-json"),
        (200, {"Content-Type": "text/html"}, HTML_PAGE, "not-json"),
        (502, {"Content-Type": "text/html"}, HTML_PAGE, "not-json"),
        (200, JSON, DEEP, "not-json"),
        (200, JSON, HUGE[:-1], "not-json"),
        (200, JSON, b"\x00\x01\x02", "not-json"),
        (200, {"Content-Type": "text/plain"}, json.dumps(good_interview("pinpoint")).encode(), "content-type"),
        (200, {}, json.dumps(good_interview("pinpoint")).encode(), "content-type"),
        (200, JSON, b"[]", "not-object"),
        (200, JSON, b"null", "not-object"),
    ],
)
def test_checker_names_what_is_wrong(status: int, headers: dict[str, str], body: bytes, rule: str) -> None:
    violations = check_response(status, headers, body, Exchange("get", "pinpoint"))
    assert rule in {v.rule for v in violations}


def test_huge_valid_body_is_checked() -> None:
    assert check_response(200, JSON, HUGE, Exchange("get", "pinpoint")) == []


def test_cli_on_a_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(HUGE)
    assert main(["validate", str(path), "--provider", "pinpoint"]) == 0
    path.write_bytes(HUGE[: len(HUGE) // 2])
    assert main(["validate", str(path), "--provider", "pinpoint"]) == 1
    assert "is not JSON" in capsys.readouterr().err


def _garbage(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
    """Bad answers for some requests; None lets the real mock answer."""
    query = environ.get("QUERY_STRING", "")
    bad = {
        "truto_response_format=raw": ("502 Bad Gateway", "text/html", HTML_PAGE),
        "truto_response_format=debug": ("200 OK", "application/json", b'{"result": {"id": "9'),
        "truto_response_format=normalized": ("200 OK", "application/json", DEEP),
        "truto_response_format=stream": ("200 OK", "text/plain", b"not json at all"),
        "truto_ignore_remote_data=true": ("200 OK", "application/json", HUGE),
        "truto_response_format=unified": ("200 OK", "application/json", b""),
    }
    for marker, (status, ctype, body) in bad.items():
        if marker in query:
            start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
            return [body]
    return None


@pytest.fixture
def garbage_server() -> Iterator[str]:
    app = create_app({"records": 2})

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return _garbage(environ, start_response) or app(environ, start_response)

    live = LiveServer()
    live.app = serve  # type: ignore[assignment]
    yield live.url
    live.stop()


def test_gate_reports_garbage_and_still_writes_junit(
    garbage_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRUTO_API_TOKEN", "garbage-token")
    junit = tmp_path / "gate.xml"
    argv = ["gate", "--base-url", garbage_server, "--account", f"ceipal={CEIPAL_ACCOUNT}",
            "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--junit-xml", str(junit)]  # fmt: skip
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1
    output = captured.out + captured.err
    assert "Traceback" not in output
    for expected in ("the response body is empty", "is not JSON", "nested too deeply", "content-type"):
        assert expected in output, expected
    root = ET.parse(junit).getroot()
    assert int(root.find("testsuite").get("failures")) > 0  # type: ignore[union-attr]
