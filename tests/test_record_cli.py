"""`python -m contracts record` against the mock over HTTP: exit codes, pacing and retries (the
gate's client, on a fake clock shared with the mock), partial recordings, bad usage, replay."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.cli.parser import build_parser
from contracts.cli.record import record_command
from contracts.datafolder import read_folder
from contracts.live.clock import Clock
from contracts.live.recording import AGREEMENT_FILE, REDACTION_FILE
from mockserver import create_app
from mockserver.live import LiveServer, mock_state
from tests.gate_helpers import TOKEN, FakeClock, Rewriter, gate, on_fake_time
from tests.recording_helpers import PINPOINT_A, PINPOINT_B, two_pinpoint_accounts

TWO_PINPOINT = ["--account", f"pinpoint={PINPOINT_A.id}", "--account", f"pinpoint={PINPOINT_B.id}"]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("source")
    two_pinpoint_accounts(folder, seed=13, counts=(31, 12))
    return folder


def serve(server: LiveServer, app: Any) -> str:
    server.app = app
    return server.url


def record(
    argv: list[str], capsys: pytest.CaptureFixture[str], *, clock: Clock | None = None, token: str | None = TOKEN
) -> tuple[int, str, str]:
    """Run `python -m contracts record ARGV`; (exit code, stdout, stderr)."""
    args = build_parser().parse_args(["record", *argv])
    environ = {"TRUTO_API_TOKEN": token} if token is not None else {}
    code = record_command(args, environ, clock=clock or FakeClock())
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_records_two_accounts_of_one_provider_and_the_gate_passes_the_replay(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(server, create_app({"data_dir": source, "records": 0}))
    out_dir = tmp_path / "rec"
    code, out, err = record(["--base-url", url, *TWO_PINPOINT, "--out", str(out_dir), "--page-size", "10"], capsys)
    assert code == 0, out + err
    assert out.startswith(f"Recorded 43 interviews from 2 accounts into {out_dir}; redacted ")
    assert f"pinpoint (pinpoint, {PINPOINT_A.id}): 31 read, 31 recorded; the mapping agrees" in out
    assert f"pinpoint-2 (pinpoint, {PINPOINT_B.id}): 12 read, 12 recorded; the mapping agrees" in out
    assert "[record] pinpoint: page 4, 31 interviews read" in err and "[record]" not in out
    assert TOKEN not in out + err
    assert "assumption A-pinpoint-raw-shape: confirmed" in out
    assumptions = json.loads((out_dir / AGREEMENT_FILE).read_text())["assumptions"]
    assert assumptions["pinpoint-2"]["A-pinpoint-raw-shape"]["contradicted"] == 0
    folder = read_folder(out_dir)
    assert [len(folder.records[a.id]) for a in folder.accounts] == [31, 12]
    serve(server, create_app({"data_dir": out_dir, "records": 0}))
    code, gate_out, _ = gate(["--base-url", url, *TWO_PINPOINT], capsys)
    assert code == 0, gate_out


def test_renamed_raw_attributes_exit_1_field_by_field(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def rename(environ: dict[str, Any], body: Any) -> Any:
        for item in body.get("result", []) if isinstance(body, dict) else []:
            attributes = item["remote_data"]["attributes"]
            attributes["scheduled_start"] = attributes.pop("start_at")
            attributes["interview_status"] = attributes.pop("status")
        return body

    url = serve(server, Rewriter(create_app({"data_dir": source, "records": 0}), rename))
    code, out, _ = record(["--base-url", url, *TWO_PINPOINT, "--out", str(tmp_path / "rec")], capsys)
    assert code == 1, out
    assert (
        "status: contradicted, api-only in 31 of 31 records; the API's value is at raw attributes.interview_status"
        in out
    )
    assert "start_at: contradicted" in out and "attributes.scheduled_start" in out
    assert "The kit's mapping disagrees with the API for 2 of 2 accounts" in out
    report = json.loads((tmp_path / "rec" / AGREEMENT_FILE).read_text())
    assert report["accounts"][1]["fields"]["status"]["api-only"] == 12
    # The gate's shape: which assumption the account contradicted, and what was seen (names, not values).
    calibration = report["assumptions"]["pinpoint"]["A-pinpoint-raw-shape"]
    assert calibration["contradicted"] == 62 and calibration["confirmed"] > 0
    assert calibration["seen"] == ["`start_at`: api-only", "`status`: api-only"]
    assert report["accounts"][0]["assumptions"] == report["assumptions"]["pinpoint"]
    assert "assumption A-pinpoint-raw-shape: mixed" in out


def test_random_server_errors_are_retried_on_the_gates_backoff(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock()
    app = on_fake_time(create_app({"data_dir": source, "records": 0, "error_rate": 0.3, "seed": 4}), clock)
    url = serve(server, app)
    argv = ["--base-url", url, *TWO_PINPOINT, "--out", str(tmp_path / "rec"), "--page-size", "3", "--retries", "8"]
    code, out, err = record(argv, capsys, clock=clock)
    assert code == 0, out + err
    statuses = [e.status for e in mock_state(app).journal.entries()]
    assert sum(s >= 500 for s in statuses) >= 3 and clock.slept > 0  # errors came, and were waited out
    folder = read_folder(tmp_path / "rec")
    assert [len(folder.records[a.id]) for a in folder.accounts] == [31, 12]  # nothing lost to them


def test_truto_rate_limits_are_paced_not_hit(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mock's --truto-rate-limits (500 per token, 50 per account per 10 s): 65 pages of one account."""
    source = tmp_path / "source"
    two_pinpoint_accounts(source, seed=13, counts=(130, 12))
    clock = FakeClock()
    config = {"data_dir": source, "records": 0, "rate_limit_token": 500, "rate_limit_account": 50}
    app = on_fake_time(create_app(config), clock)
    url = serve(server, app)
    argv = ["--base-url", url, *TWO_PINPOINT, "--out", str(tmp_path / "rec"), "--page-size", "2"]
    code, out, err = record(argv, capsys, clock=clock)
    assert code == 0, out + err
    statuses = [e.status for e in mock_state(app).journal.entries()]
    assert 429 not in statuses and len(statuses) == 65 + 6
    assert clock.slept >= 10  # more than a window's worth for one account: paced by the ratelimit-* headers
    assert [len(r) for r in read_folder(tmp_path / "rec").records.values()] == [130, 12]


def _fails_after(app: Any, pages: int, status: str = "503 Service Unavailable") -> Callable[..., Any]:
    """A server whose list answers `status` from the (pages+1)-th request on."""
    count = {"n": 0}

    def serve_(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        count["n"] += 1
        if count["n"] > pages:
            body = json.dumps({"statusCode": 503, "error": "Service Unavailable", "message": "down"}).encode()
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        result: Iterable[bytes] = app(environ, start_response)
        return result

    return serve_


def test_a_page_without_an_answer_after_retries_leaves_a_partial_recording_exit_3(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(server, _fails_after(create_app({"data_dir": source, "records": 0}), pages=3))
    argv = ["--base-url", url, "--account", f"pinpoint={PINPOINT_A.id}", "--out", str(tmp_path / "rec"),
            "--page-size", "5", "--retries", "2", "--retry-budget", "2"]  # fmt: skip
    code, out, _ = record(argv, capsys)
    assert code == 3, out
    assert "note: pinpoint: stopped at list page 4 with 15 read: not sent: the API has not answered since" in out
    assert "(HTTP 503); the outage outlasted --retry-budget 2 s" in out
    assert "Partly recorded" in out
    assert len(read_folder(tmp_path / "rec").records[PINPOINT_A.id]) == 15  # what was read is kept


def test_max_records_caps_each_account(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"data_dir": source, "records": 0})
    url = serve(server, app)
    argv = ["--base-url", url, *TWO_PINPOINT, "--out", str(tmp_path / "rec"), "--max-records", "7"]
    code, out, _ = record(argv, capsys)
    assert code == 0, out
    folder = read_folder(tmp_path / "rec")
    assert [len(folder.records[a.id]) for a in folder.accounts] == [7, 7]
    assert "note: pinpoint: stopped at --max-records 7; the account has more" in out
    assert len(mock_state(app).journal.entries()) == 2  # one page of 7 each


def test_no_redact_warns_and_writes_the_data_as_received(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(server, create_app({"data_dir": source, "records": 0}))
    code, out, err = record(["--base-url", url, *TWO_PINPOINT, "--out", str(tmp_path / "rec"), "--no-redact"], capsys)
    assert code == 0, out
    assert "--no-redact" in err and "personal data" in err and "NOT redacted" in out
    assert read_folder(tmp_path / "rec").records == read_folder(source).records
    assert json.loads((tmp_path / "rec" / REDACTION_FILE).read_text())["redacted"] is False


@pytest.mark.parametrize(
    ("argv", "token", "message"),
    [
        (["--account", f"pinpoint={PINPOINT_A.id}"], TOKEN, "--out DIR is required"),
        (["--account", f"pinpoint={PINPOINT_A.id}", "--out", "FILE"], TOKEN, "is a file; give a folder"),
        (["--account", f"pinpoint={PINPOINT_A.id}", "--out", "DIR"], None, "set the API token in $TRUTO_API_TOKEN"),
        (["--account", f"pinpoint={PINPOINT_A.id}", "--out", "DIR"], "tok\n", "control character"),
        (
            ["--account", "workday=" + PINPOINT_A.id, "--out", "DIR"],
            TOKEN,
            "PROVIDER one of ceipal, pinpoint; got 'workday=",
        ),
        (["--account", "pinpoint=not-a-uuid", "--out", "DIR"], TOKEN, "is not a UUID"),
        (["--out", "DIR"], TOKEN, "give at least one account"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2_before_any_request(
    argv: list[str], token: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "FILE").write_text("x")
    argv = [a.replace("FILE", str(tmp_path / "FILE")).replace("DIR", str(tmp_path / "out")) for a in argv]
    code, out, err = record(["--base-url", "http://127.0.0.1:9", *argv], capsys, token=token)
    assert code == 2 and out == ""
    assert err.startswith("record: ") and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_argument_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--max-records", "0"], ["--max-records", "x"], ["--page-size", "-1"]):
        with pytest.raises(SystemExit) as stop:
            build_parser().parse_args(["record", "--out", "d", *argv])
        assert stop.value.code == 2
    assert "--max-records" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config", "account", "message"),
    [
        ({}, "0b5c1e7a-9999-4c2d-8e3f-0a1b2c3d4e09", "is unknown to"),
        ({"token": "the-right-one"}, PINPOINT_A.id, "the token was refused (HTTP 401"),
    ],
)
def test_an_unknown_account_or_a_refused_token_writes_nothing(
    config: dict[str, Any],
    account: str,
    message: str,
    server: LiveServer,
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = serve(server, create_app({"data_dir": source, "records": 0, **config}))
    argv = ["--base-url", url, "--account", f"pinpoint={PINPOINT_B.id}", "--account", f"pinpoint={account}"]
    code, out, err = record([*argv, "--out", str(tmp_path / "rec")], capsys)
    assert code == 2 and out == "" and message in err and "nothing was written" in err
    assert not (tmp_path / "rec").exists()


def test_cannot_connect_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--base-url", "http://127.0.0.1:9", "--account", f"pinpoint={PINPOINT_A.id}", "--retries", "0"]
    code, _, err = record([*argv, "--out", str(tmp_path / "rec")], capsys)
    assert code == 2 and "cannot reach http://127.0.0.1:9" in err


def test_the_token_is_never_printed_even_when_the_server_echoes_it(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"data_dir": source, "records": 0})

    def echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "next_cursor" in environ.get("QUERY_STRING", ""):
            said = environ.get("HTTP_AUTHORIZATION", "")
            body = json.dumps({"statusCode": 400, "error": "Bad Request", "message": f"bad {said}"}).encode()
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [body]
        result: Iterable[bytes] = app(environ, start_response)
        return result

    url = serve(server, echo)
    argv = ["--base-url", url, "--account", f"pinpoint={PINPOINT_A.id}", "--page-size", "10"]
    code, out, err = record([*argv, "--out", str(tmp_path / "rec")], capsys)
    assert code == 3 and "HTTP 400: bad Bearer [REDACTED]" in out
    assert TOKEN not in out + err
    assert all(TOKEN not in p.read_text() for p in (tmp_path / "rec").iterdir())


def test_out_must_be_new_empty_or_an_earlier_recording(
    server: LiveServer, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(server, create_app({"data_dir": source, "records": 0}))
    code, _, err = record(["--base-url", url, *TWO_PINPOINT, "--out", str(source)], capsys)
    assert code == 2 and "is not empty and holds no earlier recording" in err  # someone's data folder stays
    out_dir = tmp_path / "rec"
    assert record(["--base-url", url, *TWO_PINPOINT, "--out", str(out_dir)], capsys)[0] == 0
    assert len(list(out_dir.glob("pinpoint-2-*.json"))) == 1
    code, _, _ = record(["--base-url", url, "--account", f"pinpoint={PINPOINT_A.id}", "--out", str(out_dir)], capsys)
    assert code == 0  # recorded again over the earlier recording: its other account's file went
    assert not list(out_dir.glob("pinpoint-2-*.json")) and len(read_folder(out_dir).accounts) == 1
