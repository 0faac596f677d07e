"""The gate tells a broken contract from a wrong guess: a server that differs from the mock only in
assumed behaviour passes (its differences listed as unconfirmed under their ids) unless
--strict-assumptions; a documented break fails either way."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from flask import Flask

from mockserver import create_app
from mockserver.live import LiveServer
from tests.gate_helpers import ACCOUNT_ARGS, Rewriter, gate
from tests.mock_helpers import PINPOINT_ACCOUNT
from tests.test_gate import _break_pinpoint


class OtherGuesses:
    """The mock, except where the kit only assumed: a missing integrated_account_id is a 422, a
    non-UUID account a 404, an unknown response format is answered as unified, an unknown parameter
    is ignored, `lte` is refused."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        keys = {k for k, _ in pairs}
        if "integrated_account_id" not in keys:
            return self._error(start_response, 422, "Unprocessable Entity", "integrated_account_id is required")
        if ("integrated_account_id", "not-a-uuid") in pairs:
            return self._error(start_response, 404, "Not Found", "Integrated account not found")
        if any(k.endswith("[lte]") for k in keys):
            return self._error(start_response, 400, "Bad Request", "Unknown operator lte")
        pairs = [
            (k, "unified" if (k, v) == ("truto_response_format", "xml") else v) for k, v in pairs if k != "sort_by"
        ]
        environ = {**environ, "QUERY_STRING": urlencode(pairs)}
        return self.app(environ, start_response)

    @staticmethod
    def _error(start_response: Callable[..., Any], status: int, phrase: str, message: str) -> list[bytes]:
        body = json.dumps({"statusCode": status, "error": phrase, "message": message}).encode()
        start_response(f"{status} {phrase}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def test_assumed_behaviour_differs_exit_0_listed_under_each_id(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.app = OtherGuesses(create_app({"records": 2}))  # type: ignore[assignment]
    junit, js, base = tmp_path / "gate.xml", tmp_path / "gate.json", tmp_path / "baseline.json"
    argv = ["--base-url", server.url, *ACCOUNT_ARGS, "--max-ids", "1", "--junit-xml", str(junit),
            "--json-report", str(js), "--save-baseline", str(base)]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 0, out
    assert "Unconfirmed: findings resting only on the kit's assumptions (not a failure)" in out
    for message, basis in (
        ("expected HTTP 400, got 422", "A-missing-account-400"),
        ("expected HTTP 400, got 404", "A-account-uuid-400"),
        ("expected HTTP 400 (bad response format), got 200", "A-bad-format-400"),
        ("expected HTTP 400 (parameter outside the contract), got 200", "A-unknown-param-400"),
        ("expected HTTP 200, got 400", "A-filter-lte"),
    ):  # grouped by rule and basis, one line each, with what was seen
        assert any(f"e.g. {message}" in line and line.endswith(f"[{basis}]") for line in out.splitlines()), basis
    assert "broke the contract" not in out and " 0 violated" in out
    assert "[pinpoint] A-unknown-param-400: 2 check(s) contradicted, 0 confirmed" in out

    # JUnit: skipped with the reason (CI viewers show it, and it does not fail the build)
    skipped = [c for c in ET.parse(junit).getroot().iter("testcase") if c.find("skipped") is not None]
    reasons = {c.get("name"): c.find("skipped").get("message") for c in skipped}  # type: ignore[union-attr]
    assert reasons["list error parameter outside the contract"] == (
        "unconfirmed assumption A-unknown-param-400: expected HTTP 400 (parameter outside the contract), got 200"
    )
    assert not list(ET.parse(junit).getroot().iter("failure"))

    # JSON report and baseline: which assumptions each account confirmed or contradicted
    document = json.loads(js.read_text())
    assert (
        document["exit_code"] == 0 and document["totals"]["unconfirmed"] == 2 * 8 + 1 + 3
    )  # lte: 1 ceipal, 3 pinpoint
    ceipal = document["assumptions"]["ceipal"]
    assert ceipal["A-unknown-param-400"]["contradicted"] == 2 and ceipal["A-unknown-param-400"]["confirmed"] == 0
    assert ceipal["A-exclude-indices"] == {"confirmed": 2, "contradicted": 0, "seen": []}
    assert ceipal["A-filter-lte"]["seen"] == ["list filter created_at[lte]: expected HTTP 200, got 400"]
    results = {r["name"]: r for r in document["results"] if r["account"] == "ceipal"}
    assert results["get error bad response format"]["outcome"] == "unconfirmed"
    assert results["get error bad response format"]["violations"][0]["basis"] == "A-bad-format-400"
    saved = json.loads(base.read_text())["providers"]["pinpoint"]["assumptions"]
    assert saved["A-missing-account-400"] == "contradicted" and saved["A-debug-on-lists"] == "confirmed"

    # the mock (the kit's own guesses) against that baseline: each flip is drift
    server.app = create_app({"records": 2})
    code, out, _ = gate(["--base-url", server.url, *ACCOUNT_ARGS, "--max-ids", "1", "--baseline", str(base),
                         "--fail-on-drift"], capsys)  # fmt: skip
    assert code == 1 and "pinpoint: assumption A-unknown-param-400 was contradicted, now confirmed" in out


def test_strict_assumptions_fails_on_them(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.app = OtherGuesses(create_app({"records": 2}))  # type: ignore[assignment]
    junit = tmp_path / "gate.xml"
    argv = ["--base-url", server.url, *ACCOUNT_ARGS, "--max-ids", "1", "--check", "* error *",
            "--strict-assumptions", "--junit-xml", str(junit)]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 1, out
    assert "(--strict-assumptions: they fail the run)" in out and out.rstrip().splitlines()[-1].startswith("FAILED")
    failures = list(ET.parse(junit).getroot().iter("failure"))
    assert failures and {f.get("type") for f in failures} == {"assumption"}


@pytest.mark.parametrize("strict", [False, True])
def test_a_documented_break_fails_either_way(
    server: LiveServer, capsys: pytest.CaptureFixture[str], strict: bool
) -> None:
    server.app = Rewriter(create_app({"records": 2}), _break_pinpoint)  # type: ignore[assignment]
    argv = ["--base-url", server.url, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--max-ids", "1",
            "--check", "get format=unified", *(["--strict-assumptions"] if strict else [])]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 1 and "[pinpoint] provider-coverage on `candidate`: 1 finding(s) in 1 check(s)" in out


def test_the_default_mock_confirms_every_assumption_it_is_asked_about(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.app = create_app({"records": 2})
    js = tmp_path / "gate.json"
    code, out, _ = gate(["--base-url", server.url, *ACCOUNT_ARGS, "--max-ids", "1", "--strict-assumptions",
                         "--json-report", str(js)], capsys)  # fmt: skip
    assert code == 0, out
    for tallies in json.loads(js.read_text())["assumptions"].values():
        assert tallies and all(t["contradicted"] == 0 and t["confirmed"] > 0 for t in tallies.values())
