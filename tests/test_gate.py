"""The gate against the mock and against broken servers: outcomes, exit codes, reports, snapshots.

Waits (backoff, rate limits) run on a fake clock shared with the mock's rate limiter, so nothing
here waits in real time except the one latency run, which is kept short.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver import create_app
from mockserver.live import LiveServer, mock_state
from tests.gate_helpers import (
    ACCOUNT_ARGS,
    SECOND_CEIPAL,
    THREE_ACCOUNTS,
    TOKEN,
    FakeClock,
    Rewriter,
    data_folder,
    gate,
    on_fake_time,
)
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def serve(server: LiveServer, app: Any) -> str:
    server.app = app
    return server.url


def normalise(text: str, url: str) -> str:
    """Times and the slowest requests (they vary run to run) out; the URL as BASE."""
    text = re.sub(r"\nSlowest requests:\n(?: .*\n)+", "", text)
    return re.sub(r"\(\d+\.\ds, \d+/s\)", "(TIME)", text).replace(url, "BASE")


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):  # UPDATE_SNAPSHOTS=1 make pytest; review the diff before committing
        path.write_text(text)
    assert text == path.read_text()


def report(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


# --- passing, and the reports --------------------------------------------------------------------


def test_gate_passes_the_default_mock(server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = serve(server, create_app())
    junit, js = tmp_path / "reports" / "gate.xml", tmp_path / "gate.json"
    code, out, err = gate(["--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit), "--json-report", str(js)],
                          capsys)  # fmt: skip
    assert code == 0, out
    assert "[gate] ceipal: 25/" in err
    snapshot("gate_summary_mock.txt", normalise(out, url))
    root = ET.parse(junit).getroot()
    assert root.get("timestamp") and root.get("time")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"truto-contract.ceipal", "truto-contract.pinpoint"}
    for suite in suites.values():
        assert suite.get("failures") == "0" and suite.get("errors") == "0" and int(suite.get("tests", "0")) > 80
        assert suite.get("time") and suite.get("timestamp")
    names = [c.get("name") for c in root.iter("testcase")]
    assert "get#2 format=debug" in names and "list filter start_at[gt]" in names
    assert not any(CEIPAL_ACCOUNT in n or "9001" in n or "cursor" in n for n in names if n)
    document = report(js)
    assert document["exit_code"] == 0 and document["totals"] == {
        "skipped": 0,
        "passed": len(names),
        "violated": 0,
        "errored": 0,
        "unconfirmed": 0,
    }
    assert {r["name"] for r in document["results"]} == set(names)


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
    if body.get("statusCode") == 404:
        body["statusCode"] = 400
    return body


def test_gate_fails_a_broken_server_naming_each_violation(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = serve(server, Rewriter(create_app({"records": 0}), _break_pinpoint))
    junit = tmp_path / "gate.xml"
    argv = ["--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit), "--max-ids", "1", "--check", "list format=*",
            "--check", "get format=unified", "--check", "get error unknown interview"]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 1
    snapshot("gate_summary_broken.txt", normalise(out, url))  # every violation, with its request
    assert re.search(r"^ceipal +list format=unified +1 +0 +0 +0 +0$", out, re.M)  # ceipal is untouched
    failures = ET.parse(junit).getroot().findall(".//testsuite[@name='truto-contract.pinpoint']/testcase/failure")
    assert failures and all(f.get("type") == "contract" for f in failures)
    text = "\n".join(f.text or "" for f in failures)
    assert f"GET {url}/unified/ats/interviews/412?integrated_account_id={PINPOINT_ACCOUNT}" in text
    assert "Truto's message: Interview no-such-interview-0 was not found" in text


def test_a_second_run_on_other_data_keeps_every_testcase_name(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = []
    for seed, records in ((0, 25), (7, 30)):
        url = serve(server, create_app({"seed": seed, "records": records}))
        js = tmp_path / f"{seed}.json"
        assert gate(["--base-url", url, *ACCOUNT_ARGS, "--json-report", str(js)], capsys)[0] == 0
        results = report(js)["results"]
        names.append(sorted((r["account"], r["name"]) for r in results))
        assert len({r["url"] for r in (x["request"] for x in results)}) > 100
    assert names[0] == names[1]


def test_token_is_never_printed_even_when_the_server_echoes_it(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def echo_token(environ: dict[str, Any], body: Any) -> Any:
        if isinstance(body, dict) and "id" in body:
            body["leak"] = environ.get("HTTP_AUTHORIZATION", "")
        return body

    url = serve(server, Rewriter(create_app({"records": 1}), echo_token))
    junit, js = tmp_path / "gate.xml", tmp_path / "gate.json"
    code, out, err = gate(["--base-url", url, *ACCOUNT_ARGS, "--junit-xml", str(junit), "--json-report", str(js)],
                          capsys)  # fmt: skip
    assert code == 0 and "Not in the contract" in out and "unknown-field on `leak`" in out  # additive: drift
    for text in (out, err, junit.read_text(), js.read_text()):
        assert TOKEN not in text
    code, out, err = gate(["--base-url", url, *ACCOUNT_ARGS, "--strict-fields", "--junit-xml", str(junit),
                           "--json-report", str(js)], capsys)  # fmt: skip
    assert code == 1 and "unknown-field" in out
    for text in (out, err, junit.read_text(), js.read_text()):
        assert TOKEN not in text


# --- availability apart from contract ------------------------------------------------------------


def test_random_server_errors_are_retried_not_reported(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clock = FakeClock()
    url = serve(server, create_app({"error_rate": 0.05, "seed": 15}))
    js = tmp_path / "gate.json"
    code, out, _ = gate(["--base-url", url, *ACCOUNT_ARGS, "--json-report", str(js)], capsys, clock=clock)
    assert code == 0, out
    results = report(js)["results"]
    assert sum(r["attempts"] > 1 for r in results) >= 3 and clock.slept > 0  # retried, on the fake clock
    assert len(results) == 204  # nothing skipped: the first page's 503 was retried too


def _fail_raw(status: str, extra: list[tuple[str, str]] | None = None) -> Callable[..., Any]:
    app = create_app({"records": 2})

    def serve_(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "truto_response_format=raw" in environ.get("QUERY_STRING", ""):
            code = int(status.split()[0])
            body = json.dumps({"statusCode": code, "error": status[4:], "message": "try later"}).encode()
            start_response(status, [("Content-Type", "application/json"), *(extra or [])])
            return [body]
        return app(environ, start_response)

    return serve_


@pytest.mark.parametrize(
    ("status", "extra", "why"),
    [
        ("503 Service Unavailable", [], "HTTP 503 (after 4 attempts)"),
        ("429 Too Many Requests", [("Retry-After", "2")], "HTTP 429 (after 4 attempts)"),
        ("401 Unauthorized", [], "HTTP 401: the token was refused during the run"),
    ],
)
def test_checks_without_a_usable_answer_are_errors_exit_3(
    status: str,
    extra: list[tuple[str, str]],
    why: str,
    server: LiveServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url = serve(server, _fail_raw(status, extra))
    junit = tmp_path / "gate.xml"
    argv = ["--base-url", url, "--account", f"ceipal={CEIPAL_ACCOUNT}", "--junit-xml", str(junit)]
    code, out, _ = gate(argv, capsys, clock=FakeClock())
    assert code == 3, out
    assert re.search(r"^ceipal +get format=raw +0 +0 +3 +0 +0$", out, re.M)
    assert f"error: {why}" in out and "Truto's message: try later" in out and out.rstrip().endswith("/s)")
    assert "ERRORED: " in out
    errors = ET.parse(junit).getroot().findall(".//testcase/error")
    assert len(errors) == 4 and all(e.get("type") == "availability" for e in errors)
    assert not ET.parse(junit).getroot().findall(".//testcase/failure")


def test_a_violation_outranks_errors(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    broken = Rewriter(_fail_raw("503 Service Unavailable"), _break_pinpoint)  # type: ignore[arg-type]
    url = serve(server, broken)
    code, out, _ = gate(["--base-url", url, *ACCOUNT_ARGS], capsys, clock=FakeClock())
    assert code == 1 and "had no usable answer" in out and "broke the contract" in out


def test_latency_beyond_the_timeout_is_an_error_not_a_violation(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one run on real time: the mock's latency against a short --timeout, a few checks only."""
    app = create_app({"records": 1, "latency_ms": (0, 400), "seed": 3})
    url = serve(server, app)
    argv = ["--base-url", url, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--timeout", "0.2", "--retries", "1",
            "--max-ids", "1", "--check", "get format=*", "--concurrency", "8"]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code in (0, 3)
    assert "violated" not in out.split("\n\n")[-1] or " 0 violated" in out
    if code == 3:
        assert "no complete answer within 0.2 s" in out


# --- pacing ----------------------------------------------------------------------------------------


def test_truto_rate_limits_three_accounts_no_429(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clock = FakeClock()
    folder = data_folder(tmp_path, THREE_ACCOUNTS)
    app = on_fake_time(create_app({"data_dir": folder, "records": 5, "rate_limit_token": 500,
                                   "rate_limit_account": 50}), clock)  # fmt: skip
    url = serve(server, app)
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps(THREE_ACCOUNTS))
    js = tmp_path / "gate.json"
    code, out, _ = gate(["--base-url", url, "--accounts-file", str(accounts), "--json-report", str(js)], capsys,
                        clock=clock)  # fmt: skip
    document = report(js)
    assert code == 0, out
    assert document["throttled"] == 0 and "0 answer(s) 429" in out
    assert {r["account"] for r in document["results"]} == {"ceipal-eu", "ceipal", "pinpoint"}
    assert len(document["results"]) > 3 * 50  # more than one window's worth per account...
    assert any(r["rate_limit_wait"] > 0 for r in document["results"]) and clock.slept >= 10  # ...so paced
    assert all(e.status != 429 for e in mock_state(app).journal.entries())


def test_a_tiny_account_limit_is_learned_from_the_headers(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock()
    app = on_fake_time(create_app({"records": 2, "rate_limit_account": 2}), clock)
    url = serve(server, app)
    argv = ["--base-url", url, *ACCOUNT_ARGS, "--check", "get format=*", "--check", "list walk", "--max-ids", "2"]
    code, out, _ = gate(argv, capsys, clock=clock)
    assert code == 0, out
    statuses = [e.status for e in mock_state(app).journal.entries()]
    assert statuses.count(429) == 0 and len(statuses) == 2 + 2 * 10
    assert clock.slept >= 40  # 20 requests per account at 2 per 10 s


def test_retry_after_is_honoured_when_pacing_is_off(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    app = on_fake_time(create_app({"records": 1, "rate_limit_account": 3}), clock)
    url = serve(server, app)
    argv = ["--base-url", url, "--account", f"ceipal={CEIPAL_ACCOUNT}", "--check", "get format=*", "--max-ids", "1",
            "--rate-limit", "off", "--concurrency", "1", "--retries", "5"]  # fmt: skip
    code, out, _ = gate(argv, capsys, clock=clock)
    assert code == 0, out
    assert re.search(r"\d+ answer\(s\) 429", out) and "0 answer(s) 429" not in out


# --- large accounts --------------------------------------------------------------------------------


def test_a_large_account_walks_a_few_pages_and_samples_across_them(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clock = FakeClock()
    app = on_fake_time(create_app({"records": 2100, "rate_limit_token": 500, "rate_limit_account": 50}), clock)
    url = serve(server, app)
    js = tmp_path / "gate.json"
    argv = ["--base-url", url, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--json-report", str(js)]
    code, out, err = gate(argv, capsys, clock=clock)
    assert code == 0, out
    assert "stopped at the cap of 3 page(s) of 50 (150 ids)" in out
    assert "[gate] pinpoint: list page 3, 150 ids so far" in err
    ids = {
        r["request"]["url"].split("?")[0].rsplit("/", 1)[-1]
        for r in report(js)["results"]
        if r["check"] == "get format=raw"
    }
    assert ids == {"412", "569", "644"}  # first, middle and last of the 150 read (412-416, then 500-644)


def test_walk_all_pages_to_the_end_and_checks_the_walk(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = serve(server, create_app({"records": 2100}))
    argv = ["--base-url", url, "--account", f"ceipal={CEIPAL_ACCOUNT}", "--walk-all", "--page-size", "500",
            "--check", "list walk"]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 0 and re.search(r"^ceipal +list walk +1 +0 +0 +0 +0$", out, re.M)

    def repeat_first_page(environ: dict[str, Any], body: Any) -> Any:
        if (
            isinstance(body, dict)
            and isinstance(body.get("result"), list)
            and "next_cursor=" in environ["QUERY_STRING"]
        ):
            body["result"][0]["id"] = "9001"
        return body

    url = serve(server, Rewriter(create_app({"records": 2100}), repeat_first_page))
    code, out, _ = gate(argv, capsys)
    assert code == 1 and "[ceipal] paging on `id`: 4 finding(s) in 1 check(s); interviews 9001" in out, out


# --- accounts ----------------------------------------------------------------------------------------


def test_a_provider_may_repeat_each_account_its_own_suite(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = data_folder(tmp_path, THREE_ACCOUNTS)
    url = serve(server, create_app({"data_dir": folder, "records": 1}))
    junit = tmp_path / "gate.xml"
    argv = ["--base-url", url, "--account", f"ceipal={CEIPAL_ACCOUNT}", "--account", f"ceipal={SECOND_CEIPAL}",
            "--junit-xml", str(junit), "--check", "list *"]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 0
    suites = [s.get("name") for s in ET.parse(junit).getroot().iter("testsuite")]
    assert suites == ["truto-contract.ceipal", "truto-contract.ceipal-2"]
    assert re.search(r"^ceipal-2 +list format=raw +1 +0 +0 +0 +0$", out, re.M)
