"""Configuration mistakes a platform engineer makes, each found before the matrix (exit 2, one line,
no traceback, the token never echoed): a token a header cannot carry, a request this side cannot
send, a URL's credentials, an account given as the wrong provider, an `--id` the account lacks,
report paths that cannot be written or collide; and interview ids that need encoding in a path."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.accounts import Account, AccountId
from contracts.cli.parser import build_parser
from contracts.cli.record import record_command
from contracts.live import ApiClient, GateConfig, RetryPolicy, run_gate
from contracts.live.fetched import LocalRequestError
from contracts.live.masking import SecretMasker, mask_userinfo
from contracts.live.matrix import interview_path
from contracts.live.probe import looks_like
from contracts.params import LIST_PATH
from contracts.responses import Exchange
from mockserver import create_app
from mockserver.live import LiveServer, mock_state
from tests.gate_helpers import ACCOUNT_ARGS, ROOT, TOKEN, FakeClock, Rewriter, gate
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a request would say "cannot reach"
CEIPAL, PINPOINT = ["--account", f"ceipal={CEIPAL_ACCOUNT}"], ["--account", f"pinpoint={PINPOINT_ACCOUNT}"]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


# --- the token -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("tök-SECRET-123", "contains characters an HTTP header cannot carry (non-ASCII, character 2 of 14)"),
        ("tok-SECRET-123 ", "has leading or trailing whitespace"),
        (" tok-SECRET-123", "has leading or trailing whitespace"),
        ("tok SECRET-123", "contains a space"),
        ("   ", "is only whitespace"),
        ("tok-SECRET-123\t", "contains a control character"),
    ],
)
def test_a_token_a_header_cannot_carry_is_usage_before_any_request(
    token: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = gate(["--base-url", NOWHERE, *ACCOUNT_ARGS], capsys, token=token)
    assert code == 2 and message in err and one_line(err) and out == "", err
    assert "cannot reach" not in err and "SECRET" not in err
    args = build_parser().parse_args(["record", "--base-url", NOWHERE, *ACCOUNT_ARGS, "--out", str(tmp_path / "o")])
    code = record_command(args, {"TRUTO_API_TOKEN": token}, clock=FakeClock())
    err = capsys.readouterr().err
    assert code == 2 and message in err and one_line(err) and "SECRET" not in err, err


class Refusing(httpx.BaseTransport):
    """A transport that fails as h11 does on an illegal header: before anything is sent."""

    def __init__(self) -> None:
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.LocalProtocolError(f"Illegal header value {request.headers['authorization']!r}")


def test_a_request_this_side_cannot_send_is_never_retried_and_stops_the_run() -> None:
    transport, clock = Refusing(), FakeClock()
    client = ApiClient("http://127.0.0.1:9", TOKEN, retry=RetryPolicy(retries=5), clock=clock, transport=transport)
    with pytest.raises(LocalRequestError) as info:
        client.get(f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}")
    assert transport.calls == 1 and clock.slept == 0 and TOKEN not in str(info.value)
    config = GateConfig("http://127.0.0.1:9", (Account(AccountId(PINPOINT_ACCOUNT), "pinpoint", "pinpoint"),), TOKEN)
    run = run_gate(config, client=client, clock=clock)
    assert run.exit_code == 2 and run.results == [] and transport.calls == 2
    assert run.fatal is not None and "could not be sent (LocalProtocolError" in run.fatal


def test_a_token_h11_refuses_fails_once_over_a_real_socket(server: LiveServer) -> None:
    """The QA case under the options' check: a trailing space reaches h11, which refuses to send it."""
    server.app = create_app({"records": 1})
    clock = FakeClock()
    client = ApiClient(server.url, "tok-SECRET-123 ", retry=RetryPolicy(retries=3), clock=clock)
    with client, pytest.raises(LocalRequestError) as info:
        client.get(f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}")
    assert clock.slept == 0 and "SECRET" not in str(info.value)


# --- secrets in messages ---------------------------------------------------------------------------


def test_credentials_in_a_url_and_the_token_never_appear_in_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gate(["--base-url", f"http://user:{TOKEN}@127.0.0.1:9", *ACCOUNT_ARGS], capsys)
    assert code == 2 and "credentials" in err and "http://[REDACTED]@127.0.0.1:9" in err and TOKEN not in err + out
    code, out, err = gate(["--base-url", f"http://127.0.0.1:9/{TOKEN}", *ACCOUNT_ARGS], capsys)
    assert code == 2 and "without a path" in err and TOKEN not in err + out
    assert (
        mask_userinfo("see https://a:b@x.io/p and http://c@y")
        == "see https://[REDACTED]@x.io/p and http://[REDACTED]@y"
    )
    assert SecretMasker("s3cret")("http://u:p@h s3cret") == "http://[REDACTED]@h [REDACTED]"


# --- the wrong provider ----------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "actual", "account"), [("ceipal", "pinpoint", PINPOINT_ACCOUNT),
                                                          ("pinpoint", "ceipal", CEIPAL_ACCOUNT)])  # fmt: skip
def test_an_account_given_as_the_wrong_provider_is_usage(
    given: str, actual: str, account: str, server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"records": 3})
    server.app = app
    code, _, err = gate(["--base-url", server.url, "--account", f"{given}={account}"], capsys)
    assert code == 2 and one_line(err), err
    assert f"was given as {given} but looks like a {actual} account" in err and f"--account {actual}={account}" in err
    assert len(mock_state(app).journal.entries()) == 1  # the probe only


def test_one_odd_field_is_still_a_violation_not_a_wrong_provider(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ceipal account whose records all gain Pinpoint's `status` keeps its Ceipal fields and raw shape."""

    def add_status(environ: dict[str, Any], body: Any) -> Any:
        for item in body.get("result", []) if isinstance(body, dict) else []:
            item["status"] = "scheduled"
        return body

    server.app = Rewriter(create_app({"records": 3}), add_status)  # type: ignore[assignment]
    code, out, err = gate(["--base-url", server.url, *CEIPAL, "--check", "list format=unified"], capsys)
    assert code == 1 and "looks like" not in err and "status" in out


def test_the_wrong_provider_rule_wants_every_record() -> None:
    pinpoint = {"id": "1", "start_at": "2026-01-01T00:00:00Z", "status": "scheduled"}
    ceipal = {"id": "2", "candidate": {"id": "9"}}
    shared = {"id": "3", "created_at": "2026-01-01T00:00:00Z"}
    assert looks_like([pinpoint, pinpoint], "ceipal") == "pinpoint"
    assert looks_like([pinpoint, ceipal], "ceipal") is None  # odd records among normal ones: violations
    assert looks_like([pinpoint, shared], "ceipal") is None  # a record with no sign either way
    assert looks_like([{**ceipal, "status": "scheduled"}], "ceipal") is None  # one odd field
    assert looks_like([], "ceipal") is None and looks_like(None, "ceipal") is None


# --- --id ------------------------------------------------------------------------------------------


def test_an_id_the_account_lacks_is_usage_before_the_matrix(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"records": 1})
    server.app = app
    code, out, err = gate(["--base-url", server.url, *PINPOINT, "--id", "412", "99999999"], capsys)
    assert code == 2 and one_line(err) and "--id '99999999': account pinpoint" in err and "has no such interview" in err
    assert len(mock_state(app).journal.entries()) == 3  # the list probe and one probe per id
    code, out, err = gate(["--base-url", server.url, *PINPOINT, "--id", "412?x=1"], capsys)
    assert code == 2 and "--id '412?x=1'" in err
    code, out, _ = gate(["--base-url", server.url, *PINPOINT, "--id", "412", "--check", "get format=*"], capsys)
    assert code == 0, out


# --- ids in paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("interview_id", ["412?x=1", "../412", "a/b", "a b#c%d", "..", "."])
def test_an_id_is_one_path_segment_and_reads_back(interview_id: str) -> None:
    path = interview_path(interview_id)
    segment = path[len(LIST_PATH) + 1 :]
    assert path.startswith(f"{LIST_PATH}/") and not set(segment) & set("/?# ") and segment not in (".", "..")
    url = str(httpx.URL(f"http://h{path}?integrated_account_id={PINPOINT_ACCOUNT}"))  # as sent: not normalised
    assert Exchange.from_url(url, provider="pinpoint").interview_id == interview_id


def test_ids_that_need_encoding_pass_the_gate(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Sampled ids holding `?`, `#`, `%` and spaces reach their record, and the id check still holds."""
    folder = tmp_path / "data"
    folder.mkdir()
    records = json.loads((ROOT / "fixtures" / "pinpoint_interviews.json").read_text())[:3]
    for record, new_id in zip(records, ("4 12", "4?13", "4#1%4"), strict=True):
        record["id"] = new_id
    (folder / "pinpoint_interviews.json").write_text(json.dumps(records))
    (folder / "accounts.json").write_text(json.dumps([{"id": PINPOINT_ACCOUNT, "provider": "pinpoint"}]))
    server.app = create_app({"data_dir": str(folder)})
    junit = tmp_path / "gate.xml"
    code, out, _ = gate(["--base-url", server.url, *PINPOINT, "--junit-xml", str(junit)], capsys)
    assert code == 0, out
    names = {c.get("name") for c in ET.parse(junit).getroot().iter("testcase")}
    assert {"get format=unified", "get#2 format=unified", "get#3 format=unified"} <= names
    code, out, _ = gate(["--base-url", server.url, *PINPOINT, "--id", "4#1%4", "--check", "get format=unified"], capsys)
    assert code == 0, out


# --- report paths ----------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("option", ["--junit-xml", "--json-report", "--save-baseline"])
def test_a_report_path_nothing_can_be_created_in_is_usage_up_front(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = gate(["--base-url", NOWHERE, *ACCOUNT_ARGS, option, "/proc/x.xml"], capsys)
    assert code == 2 and f"{option} /proc/x.xml cannot be written" in err and one_line(err) and out == ""


def test_an_existing_report_is_checked_without_being_truncated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "old.xml"
    kept.write_text("previous run")
    code, _, err = gate(["--base-url", NOWHERE, *ACCOUNT_ARGS, "--junit-xml", str(kept)], capsys, token=None)
    assert code == 2 and "set the API token" in err  # found after the report path was checked
    assert kept.read_text() == "previous run" and [p.name for p in tmp_path.iterdir()] == ["old.xml"]


@pytest.mark.parametrize(
    ("first", "second"),
    [("--json-report", "--junit-xml"), ("--junit-xml", "--save-baseline"), ("--json-report", "--save-baseline")],
)
def test_two_outputs_on_one_file_are_usage(
    first: str, second: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["--base-url", NOWHERE, *ACCOUNT_ARGS, first, "out/r.x", second, str(tmp_path / "out" / ".." / "out/r.x")]
    code, out, err = gate(argv, capsys)
    assert code == 2 and "name the same file" in err and one_line(err) and out == ""
    assert first in err and second in err


def test_save_baseline_may_refresh_the_baseline_it_reads(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.app = create_app({"records": 1})
    base = tmp_path / "baseline.json"
    assert gate(["--base-url", server.url, *PINPOINT, "--save-baseline", str(base)], capsys)[0] == 0
    code, out, _ = gate(["--base-url", server.url, *PINPOINT, "--baseline", str(base), "--save-baseline", str(base)],
                        capsys)  # fmt: skip
    assert code == 0 and json.loads(base.read_text()), out


def test_an_account_in_another_letter_case_is_the_same_account(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """UUIDs ignore case: given twice in two cases is one account twice; in upper case alone it is
    found, and sent in the canonical form (lowercase, hyphenated)."""
    code, _, err = gate(["--base-url", NOWHERE, *PINPOINT, "--account", f"pinpoint={PINPOINT_ACCOUNT.upper()}"], capsys)
    assert code == 2 and "is given more than once" in err
    app = create_app({"records": 1})
    server.app = app
    code, out, _ = gate(["--base-url", server.url, "--account", f"pinpoint={PINPOINT_ACCOUNT.upper()}",
                         "--check", "get format=unified"], capsys)  # fmt: skip
    assert code == 0, out
    entries = mock_state(app).journal.entries()
    sent = [e.query for e in entries if "integrated_account_id" in e.query]
    assert sent and all(f"integrated_account_id={PINPOINT_ACCOUNT}" in q for q in sent)
