"""The gate a person on call can trust: each case of issue 18's "Why", driven through a server of our
own (the mock's core behind a proxy that injects one kind of trouble at a time).

A documented break is never hidden as unconfirmed; an additive field is drift, not a red night; the
plan's check names do not move with answers or data; findings are grouped and reproducible; shard
baselines merge and the first night starts them; an account id in any UUID spelling is one account;
flags are never abbreviated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.__main__ import main
from contracts.cli.parser import build_parser
from mockserver import create_app
from mockserver.live import LiveServer
from tests.gate_helpers import ACCOUNT_ARGS, ROOT, TOKEN, gate
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

Trouble = Callable[[dict[str, Any], str, list[tuple[str, str]], bytes], tuple[str, list[tuple[str, str]], bytes]]


class TroubleProxy:
    """WSGI middleware in front of the mock: `trouble(environ, status, headers, body)` may change the
    answer (one kind of trouble per test)."""

    def __init__(self, trouble: Trouble, config: dict[str, Any] | None = None) -> None:
        self.app, self.trouble = create_app(config or {"records": 4}), trouble

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured.update(status=status, headers=headers)

        body = b"".join(self.app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length", "transfer-encoding")]
        status, headers, body = self.trouble(environ, captured["status"], headers, body)
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def nothing(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
    return status, headers, body


def records(change: Callable[[dict[str, Any]], None]) -> Trouble:
    """Change every unified record of every JSON answer (lists, gets, debug envelopes)."""

    def trouble(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        try:
            document = json.loads(body)
        except ValueError:
            return status, headers, body
        query = environ.get("QUERY_STRING", "")
        if "format=raw" in query or not status.startswith("200"):
            return status, headers, body
        found = document.get("result", document) if isinstance(document, dict) else document
        items = found if isinstance(found, list) else [found]
        for item in items:
            if isinstance(item, dict) and "id" in item:
                change(item)
        return status, headers, json.dumps(document).encode()

    return trouble


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def run(server: LiveServer, trouble: Trouble, argv: list[str], capsys: pytest.CaptureFixture[str],
        config: dict[str, Any] | None = None) -> tuple[int, str, str]:  # fmt: skip
    server.app = TroubleProxy(trouble, config)  # type: ignore[assignment]
    return gate(["--base-url", server.url, *argv], capsys)


def report(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


# --- a documented break is never hidden ---------------------------------------------------------------


def html_for_raw(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
    if "truto_response_format=raw" in environ.get("QUERY_STRING", ""):
        ctype = [(k, "text/html; charset=utf-8" if k.lower() == "content-type" else v) for k, v in headers]
        return status, ctype, body
    return status, headers, body


def test_text_html_for_raw_only_is_violated_and_contradicts_no_assumption(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clean, js = tmp_path / "clean.json", tmp_path / "gate.json"
    assert run(server, nothing, [*ACCOUNT_ARGS, "--save-baseline", str(clean)], capsys)[0] == 0
    code, out, _ = run(server, html_for_raw, [*ACCOUNT_ARGS, "--json-report", str(js), "--baseline", str(clean)],
                       capsys)  # fmt: skip
    assert code == 1, out
    document = report(js)
    raw = [r for r in document["results"] if "format=raw" in r["name"]]
    assert raw and all(r["outcome"] == "violated" for r in raw)
    assert {v["basis"] for r in raw for v in r["violations"]} == {"D-json"}
    assert document["totals"]["unconfirmed"] == 0
    assert all(not r["contradicted"] for r in document["results"])
    assert "Assumptions the API contradicted" not in out
    assert not [d for d in document["drift"] if d["kind"] == "assumption"]
    assert "[ceipal] content-type on the answer:" in out and "[D-json]" in out


def retyped(item: dict[str, Any]) -> None:
    """A documented field retyped (a date-time sent as epoch seconds): a break in every format."""
    if "created_at" in item:
        item["created_at"] = 1_700_000_000


def test_a_contract_break_writes_no_false_assumption_drift(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clean = tmp_path / "clean.json"
    assert run(server, nothing, [*ACCOUNT_ARGS, "--save-baseline", str(clean)], capsys)[0] == 0
    code, out, _ = run(server, records(retyped), [*ACCOUNT_ARGS, "--baseline", str(clean)], capsys)
    assert code == 1, out
    assert "A-stream-as-unified was confirmed, now contradicted" not in out
    assert "assumption" not in out.split("Drift from the baseline", 1)[-1].split("\n\n", 1)[0]


# --- additive change is drift -------------------------------------------------------------------------


def meeting_url(item: dict[str, Any]) -> None:
    item["meeting_url"] = "https://meet.example/x"


def test_a_new_field_on_every_record_is_drift_not_a_red_night(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base, js = tmp_path / "baseline.json", tmp_path / "gate.json"
    assert run(server, nothing, [*ACCOUNT_ARGS, "--save-baseline", str(base)], capsys)[0] == 0
    argv = [*ACCOUNT_ARGS, "--baseline", str(base), "--json-report", str(js)]
    code, out, _ = run(server, records(meeting_url), argv, capsys)
    assert code == 0, out
    assert "ceipal: field `meeting_url` appeared (string, not in the contract)" in out
    assert "Not in the contract" in out and "unknown-field on `meeting_url`" in out
    assert "https://meet.example" not in out  # never the value
    document = report(js)
    assert {"provider": "pinpoint", "kind": "appeared", "subject": "field meeting_url"}.items() <= next(
        d for d in document["drift"] if d["provider"] == "pinpoint"
    ).items()
    extra = [g for g in document["not_in_contract"] if g["field"] == "meeting_url"]
    assert extra and extra[0]["types"] == ["string"] and len(extra[0]["interview_ids"]) <= 3
    assert document["totals"]["violated"] == 0

    # --fail-on-drift fires once per new field: the saved baseline is the list of known extras
    code, _, _ = run(server, records(meeting_url), [*argv, "--fail-on-drift", "--save-baseline", str(base)], capsys)
    assert code == 1
    code, out, _ = run(server, records(meeting_url), [*ACCOUNT_ARGS, "--baseline", str(base), "--fail-on-drift"],
                       capsys)  # fmt: skip
    assert code == 0 and "Drift from the baseline" not in out

    code, out, _ = run(server, records(meeting_url), [*ACCOUNT_ARGS, "--strict-fields"], capsys)
    assert code == 1 and "unknown-field on `meeting_url`" in out.split("Violations by rule and field", 1)[1]


def test_an_optional_field_that_vanishes_is_drift_and_a_violation_when_strict(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = tmp_path / "baseline.json"
    argv = ["--account", f"ceipal={CEIPAL_ACCOUNT}"]
    assert run(server, nothing, [*argv, "--save-baseline", str(base)], capsys)[0] == 0
    no_location = records(lambda item: item.pop("location", None))
    code, out, _ = run(server, no_location, [*argv, "--baseline", str(base)], capsys)
    assert code == 0 and "ceipal: field `location` vanished" in out
    code, out, _ = run(server, no_location, [*argv, "--baseline", str(base), "--strict-fields"], capsys)
    assert code == 1 and "ceipal: field `location` vanished" in out


def test_fields_scopes_the_checks_to_what_a_consumer_reads(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def bad_location(item: dict[str, Any]) -> None:
        if "location" in item:
            item["location"] = 42

    argv = ["--account", f"ceipal={CEIPAL_ACCOUNT}", "--check", "list format=unified"]
    code, out, _ = run(server, records(bad_location), argv, capsys)
    assert code == 1 and "type on `location`" in out
    code, out, _ = run(server, records(bad_location), [*argv, "--fields", "id,created_at"], capsys)
    assert code == 0 and "Outside --fields" in out and "type on `location`" in out
    listed = tmp_path / "fields.txt"
    listed.write_text("# what the dashboard reads\nid\nlocation\n")
    code, out, _ = run(server, records(bad_location), [*argv, "--fields-file", str(listed)], capsys)
    assert code == 1
    code, _, err = run(server, nothing, [*argv, "--fields", "id,meeting_url"], capsys)
    assert code == 2 and "'meeting_url' is not a unified field" in err


# --- a fixed plan of checks ---------------------------------------------------------------------------


def plan(junit: Path) -> tuple[list[str], int]:
    root = ET.parse(junit).getroot()
    names = sorted(f"{c.get('classname')}::{c.get('name')}" for c in root.iter("testcase"))
    suites = sum(int(s.get("tests", "0")) for s in root.iter("testsuite"))
    assert int(root.get("tests", "0")) == suites == len(names)  # totals add up
    return names, suites


def second_page_fails(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
    if "next_cursor=" in environ.get("QUERY_STRING", ""):
        return "503 Service Unavailable", [("Content-Type", "text/html")], b"<html>down</html>"
    return status, headers, body


def test_the_plan_is_the_same_whatever_the_answers_or_the_data(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "gate.xml"
    argv = [*ACCOUNT_ARGS, "--page-size", "2", "--max-pages", "3", "--junit-xml", str(junit), "--retries", "0"]
    assert run(server, nothing, argv, capsys, {"records": 4})[0] == 0
    clean = plan(junit)
    code, out, _ = run(server, second_page_fails, argv, capsys, {"records": 4})
    assert code == 3 and "the list walk stopped at page 2" in out
    assert plan(junit) == clean
    assert run(server, nothing, argv, capsys, {"records": 40})[0] == 0
    assert plan(junit) == clean
    assert not [n for n in clean[0] if "page" in n]  # walk pages are progress, not checks

    def no_interviews(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        return status, headers, json.dumps({"result": [], "next_cursor": None, "prev_cursor": None,
                                            "result_count": 0}).encode() if environ["PATH_INFO"].endswith(
            "interviews") and "truto_response_format" not in environ["QUERY_STRING"] else body  # fmt: skip

    code, out, _ = run(server, no_interviews, argv, capsys, {"records": 4})
    assert plan(junit) == clean
    assert "skipped: no interview ids: the list walk found no interview" in out


# --- grouped findings, reproducible failures ----------------------------------------------------------


def test_one_renamed_field_is_one_group_line_with_ids_and_types(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    js = tmp_path / "gate.json"
    argv = ["--account", f"pinpoint={PINPOINT_ACCOUNT}", "--json-report", str(js), "--token-env", "MY_TOKEN"]
    server.app = TroubleProxy(records(retyped))  # type: ignore[assignment]
    args = build_parser().parse_args(["gate", "--base-url", server.url, *argv])
    from contracts.cli.gate import gate_command

    code = gate_command(args, {"MY_TOKEN": TOKEN})
    out = capsys.readouterr().out
    assert code == 1
    grouped = out.split("Violations by rule and field", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    retyped_lines = [line for line in grouped if "on `created_at`" in line]
    assert len(retyped_lines) == 1 and "interviews 412, 413, 414; found number" in retyped_lines[0]
    assert len(grouped) == 1  # one line for one retyped field, not one per record and check
    assert 'curl -sS -i -H "Authorization: Bearer ${MY_TOKEN}"' in out and TOKEN not in out
    group = next(g for g in report(js)["findings_by_rule"]["violated"] if g["field"] == "created_at")
    assert group["rule"] == "type" and group["types"] == ["number"] and group["interview_ids"][0] == "412"
    assert "1700000000" not in out  # never the value


def test_a_5xx_shows_a_body_snippet_and_the_request_id(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken_debug(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        if "format=debug" in environ.get("QUERY_STRING", ""):
            page = f"<html>upstream failed for {environ.get('HTTP_AUTHORIZATION')}</html>".encode()
            return "500 Internal Server Error", [("Content-Type", "text/html"), ("X-Request-Id", "req-77")], page
        return status, headers, body

    junit = tmp_path / "gate.xml"
    argv = ["--account", f"ceipal={CEIPAL_ACCOUNT}", "--retries", "0", "--check", "list format=*",
            "--junit-xml", str(junit)]  # fmt: skip
    code, out, _ = run(server, broken_debug, argv, capsys)
    assert code == 3
    assert (
        "body (first" in out
        and "<html>upstream failed for Bearer [REDACTED]</html>" in out
        and "request id: req-77" in out
    ), out
    text = ET.parse(junit).getroot().find(".//testcase[@name='list format=debug']/error").text  # type: ignore[union-attr]
    assert text and "request id: req-77" in text and "reproduce: curl" in text and TOKEN not in text


# --- baselines for shards -----------------------------------------------------------------------------


def test_sharded_first_night_merge_and_compare_own_part(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    merged = tmp_path / "baseline.json"
    parts = [tmp_path / f"baseline-{k}.json" for k in (1, 2)]
    for k, part in enumerate(parts, start=1):
        code, out, _ = run(server, nothing, [*ACCOUNT_ARGS, "--shard", f"{k}/2", "--baseline", str(merged),
                                             "--save-baseline", str(part)], capsys)  # fmt: skip
        assert code == 0 and "first night" in out
        assert json.loads(part.read_text())["plan"]["merged"] == [k]
    assert main(["baseline", "merge", str(merged), *map(str, parts)]) == 0
    document = json.loads(merged.read_text())
    assert document["plan"]["merged"] == [1, 2] and document["version"] == 2
    for k in (1, 2):
        code, out, _ = run(server, nothing, [*ACCOUNT_ARGS, "--shard", f"{k}/2", "--baseline", str(merged),
                                             "--fail-on-drift"], capsys)  # fmt: skip
        assert code == 0 and "Drift" not in out, out
    other = tmp_path / "other.json"
    assert run(server, nothing, [*ACCOUNT_ARGS, "--shard", "1/3", "--save-baseline", str(other)], capsys)[0] == 0
    assert main(["baseline", "merge", str(tmp_path / "x.json"), str(parts[0]), str(other)]) == 2
    assert "is of another plan" in capsys.readouterr().err


def test_an_older_baseline_is_refused_with_how_to_renew_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"version": 1, "providers": {}}))
    code, _, err = gate(["--base-url", "http://127.0.0.1:9", *ACCOUNT_ARGS, "--baseline", str(old)], capsys)
    assert code == 2 and "format 1" in err and f"--save-baseline {old}" in err
    missing = tmp_path / "missing.json"
    code, _, err = gate(["--base-url", "http://127.0.0.1:9", *ACCOUNT_ARGS, "--baseline", str(missing)], capsys)
    assert code == 2 and "on the first night give --save-baseline the same path" in err


def test_the_nightly_example_runs_as_printed(server: LiveServer, tmp_path: Path) -> None:
    server.app = create_app({"records": 4})
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([{"id": CEIPAL_ACCOUNT, "provider": "ceipal"},
                                    {"id": PINPOINT_ACCOUNT, "provider": "pinpoint"}]))  # fmt: skip
    env = {**os.environ, "TRUTO_API_TOKEN": TOKEN, "TRUTO_BASE_URL": server.url, "PYTHON": sys.executable,
           "TRUTO_ACCOUNTS_FILE": str(accounts), "SHARDS": "2", "OUT": str(tmp_path / "reports")}  # fmt: skip
    script = ROOT / "examples" / "nightly-gate.sh"
    for night in ("first", "second"):
        done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (night, done.stdout, done.stderr)
        assert ("first night" in done.stdout) == (night == "first")
        assert "shard(s) 1, 2 of 2" in done.stderr + done.stdout
    assert (tmp_path / "reports" / "baseline.json").is_file()
    for page in ("README.md", "docs/gate.md"):  # the pages show the script as it is
        assert script.read_text().strip() in (ROOT / page).read_text(), page


# --- one account-id rule, no abbreviations ------------------------------------------------------------


def test_an_account_id_without_hyphens_is_the_same_account(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    js = tmp_path / "gate.json"
    plain = CEIPAL_ACCOUNT.replace("-", "")
    code, out, _ = run(server, nothing, ["--account", f"ceipal={plain}", "--json-report", str(js)], capsys)
    assert code == 0, out
    assert report(js)["accounts"][0]["id"] == CEIPAL_ACCOUNT  # sent and reported canonical
    code, _, err = gate(["--base-url", server.url, "--account", "ceipal=c3a1f0de-nope"], capsys)
    assert code == 2 and "is not a UUID" in err


def test_a_400_on_the_first_probe_is_usage(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        return "400 Bad Request", headers, json.dumps(
            {"statusCode": 400, "error": "Bad Request", "message": "bad account"}).encode()  # fmt: skip

    code, out, err = run(server, refuse, ["--account", f"ceipal={CEIPAL_ACCOUNT}"], capsys)
    assert code == 2 and "refused account ceipal" in err and "NOT RUN: 0 passed, 0 violated" in out


@pytest.mark.parametrize("flag", ["--junit-xm", "--ch", "--strict-field"])
def test_flags_are_never_abbreviated(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["gate", flag, "x"])
    assert stopped.value.code == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["baseline", "merge", "--hel"])
    from mockserver.cli import build_parser as mock_parser

    with pytest.raises(SystemExit) as stopped:
        mock_parser().parse_args(["--por", "9000"])
    assert stopped.value.code == 2


def test_validate_lists_additive_fields_and_fails_only_when_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import good_interview

    path = tmp_path / "one.json"
    path.write_text(json.dumps({**good_interview("ceipal"), "meeting_url": "x"}))
    assert main(["validate", str(path), "--provider", "ceipal"]) == 0
    assert "not in the contract" in capsys.readouterr().out
    assert main(["validate", str(path), "--provider", "ceipal", "--allow-unknown-fields"]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--provider", "ceipal", "--strict-fields"]) == 1
