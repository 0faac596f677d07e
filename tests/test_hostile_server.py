"""The gate and the recorder against a broken or hostile server (`tests.hostile`), as real processes:
every run ends within its bound, memory stays bounded, the exit code is the documented one, and no
output or file holds the token or a traceback."""

from __future__ import annotations

import json
import signal
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.datafolder import read_folder
from contracts.live.matrix import Selection, plan_names
from mockserver import create_app
from mockserver.live import LiveServer
from tests.hostile import SIGINT, SIGTERM, TOKEN, Hostile, Ran, run_cli
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

CEIPAL = ["--account", f"ceipal={CEIPAL_ACCOUNT}"]
ONE_CHECK = ["--check", "list format=raw", "--max-ids", "1"]


@pytest.fixture
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def serve(server: LiveServer, mode: str, *, records: int = 3, latency_ms: int = 0, **options: Any) -> Hostile:
    config: dict[str, Any] = {"records": records}
    if latency_ms:
        config["latency_ms"] = (latency_ms, latency_ms)
    hostile = Hostile(create_app(config), mode, **options)
    server.app = hostile  # type: ignore[assignment]
    return hostile


def gate(server: LiveServer, tmp: Path, *extra: str, **kwargs: Any) -> Ran:
    return run_cli(["gate", "--base-url", server.url, *extra], tmp, **kwargs)


def clean(ran: Ran, *files: Path) -> None:
    """No traceback anywhere, and the token in no output and no file."""
    assert "Traceback" not in ran.err + ran.out, ran.err
    assert TOKEN not in ran.err + ran.out
    for path in files:
        for file in [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]:
            assert TOKEN not in file.read_text("utf-8", "replace"), file


def report(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


# --- deadlines and memory ----------------------------------------------------------------------------


def test_a_drip_ends_within_the_timeout_as_an_error(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "drip")
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK, "--timeout", "2")
    assert ran.code == 3, ran.err
    assert "no complete answer within 2 s (--timeout)" in ran.out
    seconds = float(ran.out.rsplit("(", 1)[1].split("s,")[0])  # the run's own time, in the verdict line
    assert seconds <= 2 + 2, ran.out
    clean(ran)


def test_a_drip_stops_the_recorder_within_the_timeout(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "drip")
    ran = run_cli(["record", "--base-url", server.url, *CEIPAL, "--out", str(tmp_path / "rec"), "--timeout", "2"],
                  tmp_path)  # fmt: skip
    assert ran.code == 3, ran.err
    assert "no complete answer within 2 s" in ran.out and ran.seconds < 2 + 10
    clean(ran, tmp_path / "rec")


@pytest.mark.parametrize("mode", ["huge", "bomb"])
def test_a_2_gib_body_or_a_gzip_bomb_is_too_large_and_memory_stays_low(
    mode: str, server: LiveServer, tmp_path: Path
) -> None:
    serve(server, mode)
    junit = tmp_path / "gate.xml"
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK, "--junit-xml", str(junit), measure=True)
    assert ran.code == 3, ran.err
    assert "response too large (> 32 MiB, --max-body)" in ran.out
    assert ran.peak_mb is not None and ran.peak_mb < 300, ran.peak_mb
    assert "response too large" in junit.read_text()
    clean(ran, junit)


def test_max_body_takes_a_size(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "huge")
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK, "--max-body", "512KiB")
    assert ran.code == 3 and "response too large (> 512 KiB, --max-body)" in ran.out


# --- waits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        ({"ratelimit-remaining": "0", "ratelimit-reset": "999999"}, "asks to wait 999999 s"),
        ({"ratelimit-limit": "1;w=999999"}, "asks to wait 999999 s (a limit of 1 request(s) per 999999 s)"),
    ],
)
def test_an_absurd_rate_limit_wait_stops_the_account_at_once(
    headers: dict[str, str], said: str, server: LiveServer, tmp_path: Path
) -> None:
    serve(server, "headers", headers=headers)
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK)
    assert ran.code == 3, ran.out + ran.err
    assert said in ran.out and "more than the" in ran.out and ran.seconds < 20
    clean(ran)


@pytest.mark.parametrize(
    ("headers", "name"),
    [
        ({"ratelimit-remaining": "0", "ratelimit-reset": "inf"}, "ratelimit-reset"),
        ({"ratelimit-remaining": "1e400", "ratelimit-reset": "5"}, "ratelimit-remaining"),
        ({"ratelimit-remaining": "-3", "ratelimit-reset": "nan"}, "ratelimit-remaining"),
    ],
)
def test_unreadable_rate_limit_headers_are_ignored_and_noted_once(
    headers: dict[str, str], name: str, server: LiveServer, tmp_path: Path
) -> None:
    serve(server, "headers", headers=headers)
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK)
    assert ran.code == 0, ran.out + ran.err
    assert ran.out.count(f"the API's {name} header was unreadable") == 1
    clean(ran)


def test_retry_after_3600_stops_the_account_naming_the_wait(server: LiveServer, tmp_path: Path) -> None:
    hostile = serve(server, "throttle", after=1, headers={"Retry-After": "3600"})
    ran = gate(server, tmp_path, *CEIPAL, "--check", "list format=*", "--concurrency", "1")
    assert ran.code == 3, ran.out
    assert "HTTP 429 asks to wait 3600 s (HTTP 429, Retry-After: 3600)" in ran.out
    assert hostile.troubled == 1  # nothing more is sent into the limit
    assert ran.seconds < 20
    clean(ran)


# --- outages ---------------------------------------------------------------------------------------------


def test_a_short_outage_is_ridden_out_and_told_once(server: LiveServer, tmp_path: Path) -> None:
    hostile = serve(server, "outage", after=1, seconds=3.0)
    js = tmp_path / "gate.json"
    ran = gate(server, tmp_path, *CEIPAL, "--check", "list format=*", "--json-report", str(js), "--retry-budget", "20")
    assert ran.code == 0, ran.out
    outages = report(js)["outages"]
    assert len(outages) == 1 and outages[0]["over"] and outages[0]["cause"] == "HTTP 503"
    assert outages[0]["checks"] and "Outages (1):" in ran.out
    assert hostile.troubled < 20  # probes at a backoff, not every check four times
    clean(ran, js)


def test_an_outage_beyond_the_budget_is_one_finding_and_exit_3(server: LiveServer, tmp_path: Path) -> None:
    hostile = serve(server, "outage", after=1, seconds=600.0)
    js, junit = tmp_path / "gate.json", tmp_path / "gate.xml"
    ran = gate(server, tmp_path, *CEIPAL, "--check", "list format=*", "--json-report", str(js), "--junit-xml",
               str(junit), "--retry-budget", "3")  # fmt: skip
    assert ran.code == 3, ran.out
    document = report(js)
    assert len(document["outages"]) == 1 and not document["outages"][0]["over"]
    assert all(r["outcome"] == "errored" for r in document["results"] if r["check"] != "list walk")
    assert 'type="outage"' in junit.read_text()
    assert hostile.troubled < 20 and ran.seconds < 20
    clean(ran, js, junit)


# --- garbled answers and redirects ------------------------------------------------------------------------


def test_a_garbled_200_is_retried_once_then_a_not_json_violation(server: LiveServer, tmp_path: Path) -> None:
    hostile = serve(server, "garbled", match="truto_response_format=raw")
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK)
    assert ran.code == 1, ran.out
    assert "not-json" in ran.out and hostile.troubled == 2
    clean(ran)


def test_a_garbled_first_probe_is_an_availability_error(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "garbled")
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK)
    assert ran.code == 3, ran.out + ran.err
    assert "does not look like a Truto API" not in ran.err
    clean(ran)


def test_a_redirect_names_its_location(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "redirect")
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK)
    assert ran.code == 2 and "a redirect to http://127.0.0.1:9/elsewhere/unified" in ran.err
    clean(ran)


def test_a_redirect_mid_run_names_its_location_in_every_report(server: LiveServer, tmp_path: Path) -> None:
    """The probe answers; a later check meets a 302 whose Location echoes the token: the finding says
    where it pointed (the token masked), in the summary, the JUnit message and the JSON report."""
    elsewhere = "http://127.0.0.1:9/elsewhere/unified"
    serve(server, "redirect", after=1, headers={"Location": f"{elsewhere}?token={TOKEN}"})
    js, junit = tmp_path / "gate.json", tmp_path / "gate.xml"
    ran = gate(server, tmp_path, *CEIPAL, *ONE_CHECK, "--json-report", str(js), "--junit-xml", str(junit))
    assert ran.code == 1, ran.out + ran.err
    said = f"expected HTTP 200, got 302 (a redirect to {elsewhere}?token="
    assert said in ran.out and "not followed" in ran.out
    [failed] = [r for r in report(js)["results"] if r["check"] == "list format=raw"]
    assert failed["outcome"] == "violated" and any(said in v["message"] for v in failed["violations"])
    [case] = [c for c in ET.parse(junit).iter("testcase") if c.get("name", "").startswith("list format=raw")]
    failure = case.find("failure")
    assert failure is not None and said in (failure.get("message", "") + (failure.text or ""))
    clean(ran, js, junit)


# --- interruption and the deadline -------------------------------------------------------------------------


@pytest.mark.parametrize(("sig", "code"), [(SIGTERM, 143), (SIGINT, 130)])
def test_a_stop_signal_mid_run_writes_every_report(
    sig: signal.Signals, code: int, server: LiveServer, tmp_path: Path
) -> None:
    serve(server, "none", latency_ms=100)
    js, junit = tmp_path / "gate.json", tmp_path / "gate.xml"
    ran = gate(server, tmp_path, *CEIPAL, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--concurrency", "1",
               "--json-report", str(js), "--junit-xml", str(junit), stop=("checked", sig))  # fmt: skip
    assert ran.code == code, ran.out + ran.err
    assert ran.signalled_for is not None and ran.signalled_for < 2.0
    document = report(js)
    interrupted = [r for r in document["results"] if r["failure"] == "interrupted"]
    assert interrupted and document["stopped"] == "interrupted" and document["verdict"] == "INTERRUPTED"
    assert any(r["outcome"] == "passed" for r in document["results"])  # what finished is reported
    assert junit.read_text().count('message="interrupted"') == len(interrupted)
    assert "Interrupted by a stop signal" in ran.out
    clean(ran, js, junit)


def test_the_deadline_reports_what_is_unfinished_and_exits_by_precedence(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "none", latency_ms=300)
    js = tmp_path / "gate.json"
    ran = gate(server, tmp_path, *CEIPAL, "--concurrency", "1", "--deadline", "3", "--json-report", str(js))
    assert ran.code == 3, ran.out
    document = report(js)
    assert document["stopped"] == "deadline"
    assert any(r["error"] == "not run: deadline" for r in document["results"])
    assert ran.seconds < 3 + 6


def test_a_stop_signal_stops_the_recorder_with_a_partial_folder(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "endless", seconds=0.2)
    out = tmp_path / "rec"
    ran = run_cli(["record", "--base-url", server.url, *CEIPAL, "--out", str(out)], tmp_path,
                  stop=("page 3,", SIGINT))  # fmt: skip
    assert ran.code == 130, ran.out + ran.err
    assert ran.signalled_for is not None and ran.signalled_for < 2.0
    agreement = json.loads((out / "agreement.json").read_text())
    assert agreement["partial"] and "interrupted" in agreement["partial_because"][0]
    assert read_folder(out).records  # a valid data folder of what was read
    assert "PARTIAL" in ran.out
    clean(ran, out)


def test_endless_pages_stop_at_the_page_ceiling_with_duplicates_named(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "endless")
    out = tmp_path / "rec"
    ran = run_cli(["record", "--base-url", server.url, *CEIPAL, "--out", str(out), "--page-ceiling", "4"], tmp_path)
    assert ran.code == 0, ran.out + ran.err
    assert "stopped at --page-ceiling 4 pages" in ran.out
    agreement = json.loads((out / "agreement.json").read_text())
    account = agreement["accounts"][0]
    assert account["duplicates_skipped"] > 0 and account["duplicate_ids"]
    assert "duplicate id" in ran.out
    assert all(line.startswith("[record] ") for line in ran.err.splitlines())  # one line each


# --- secrets -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [[], ["--no-redact"]])
def test_the_token_echoed_in_records_never_reaches_the_disk(
    flags: list[str], server: LiveServer, tmp_path: Path
) -> None:
    serve(server, "echo")
    out = tmp_path / "rec"
    ran = run_cli(["record", "--base-url", server.url, *CEIPAL, "--out", str(out), *flags], tmp_path)
    assert ran.code in (0, 1), ran.out + ran.err
    files = [p for p in out.iterdir() if p.is_file()]
    assert len(files) >= 4 and "[REDACTED]" in "".join(p.read_text() for p in files)
    clean(ran, out)


def troubled_for(hostile: Hostile, seconds: float) -> Callable[[], bool]:
    """True once the server has been answering with its trouble for `seconds`."""
    return lambda: hostile.began is not None and time.monotonic() - hostile.began > seconds


@pytest.mark.parametrize(("sig", "code", "existed"), [(SIGINT, 130, False), (SIGTERM, 143, True)])
def test_a_recorder_stopped_during_its_first_request_records_nothing_and_leaves_no_folder(
    sig: signal.Signals, code: int, existed: bool, server: LiveServer, tmp_path: Path
) -> None:
    """No `accounts.json` of no accounts (a folder the mock refuses, that blocked the next run): one
    line, the signal's exit code, and --out as it was (removed if this run made it, parents too)."""
    hostile = serve(server, "drip", after=1)  # the first account's probe answers, the second's trickles
    out = tmp_path / "new" / "rec"
    if existed:
        out.mkdir(parents=True)
        (out.parent / "mine.txt").write_text("a user's file")
    argv = ["record", "--base-url", server.url, *CEIPAL, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--out", str(out)]
    ran = run_cli(argv, tmp_path, stop=(troubled_for(hostile, 0.5), sig))
    assert ran.code == code, ran.out + ran.err
    assert ran.signalled_for is not None and ran.signalled_for < 2.0
    said = [line for line in ran.err.splitlines() if line.startswith("record: ") and "stopping" not in line]
    assert said == ["record: the recording was interrupted by a stop signal before any list page was read: "
                    f"nothing was recorded ({out} not written)"], ran.err  # fmt: skip
    if existed:
        assert out.is_dir() and not any(out.iterdir()) and (out.parent / "mine.txt").is_file()
    else:
        assert not (tmp_path / "new").exists()
    clean(ran)
    hostile.mode = "none"  # the next run with the same --out is not blocked
    again = run_cli([*argv, "--max-records", "2"], tmp_path)
    assert again.code == 0, again.out + again.err
    assert read_folder(out).records


def planned(provider: str) -> list[str]:
    """Every check instance of a default run's plan for one account (it depends on the options alone)."""
    return plan_names(provider, Selection().split(provider)[0], 3)


def assert_whole_plan_interrupted(ran: Ran, js: Path, junit: Path) -> None:
    """Both accounts' plans in full, every check errored `interrupted`, each account with its suite."""
    assert ran.code == 130, ran.out + ran.err
    document = report(js)
    assert document["stopped"] == "interrupted" and document["verdict"] == "INTERRUPTED"
    for label, provider in (("ceipal", "ceipal"), ("pinpoint", "pinpoint")):
        results = [r for r in document["results"] if r["account"] == label]
        assert sorted(r["name"] for r in results) == sorted(planned(provider)), label
        assert {(r["outcome"], r["failure"], r["error"]) for r in results} == {
            ("errored", "interrupted", "interrupted")
        }
    suites = {s.get("name"): s for s in ET.parse(junit).iter("testsuite")}
    assert 'type="usage"' not in junit.read_text() and "truto-contract.gate" not in suites
    for label, provider in (("ceipal", "ceipal"), ("pinpoint", "pinpoint")):
        suite = suites[f"truto-contract.{label}"]
        assert suite.get("errors") == str(len(planned(provider))), label
    assert "before any check was sent" in ran.out
    clean(ran, js, junit)


def test_a_gate_stopped_during_its_first_request_reports_every_planned_check_of_every_account(
    server: LiveServer, tmp_path: Path
) -> None:
    hostile = serve(server, "drip")  # the first probe trickles
    js, junit = tmp_path / "gate.json", tmp_path / "gate.xml"
    ran = gate(server, tmp_path, *CEIPAL, "--account", f"pinpoint={PINPOINT_ACCOUNT}", "--json-report", str(js),
               "--junit-xml", str(junit), stop=(troubled_for(hostile, 0.5), SIGINT))  # fmt: skip
    assert ran.signalled_for is not None and ran.signalled_for < 2.0
    assert_whole_plan_interrupted(ran, js, junit)


def test_a_gate_stopped_while_retrying_a_dead_port_is_interrupted_not_usage(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on (bound, never listening)
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
        js, junit = tmp_path / "gate.json", tmp_path / "gate.xml"
        ran = run_cli(["gate", "--base-url", dead, *CEIPAL, "--account", f"pinpoint={PINPOINT_ACCOUNT}",
                       "--retries", "6", "--json-report", str(js), "--junit-xml", str(junit)], tmp_path,
                      stop=("waiting", SIGINT))  # fmt: skip  # the fourth backoff (2-4 s) is announced
    assert "cannot reach" not in ran.err + ran.out
    assert_whole_plan_interrupted(ran, js, junit)
