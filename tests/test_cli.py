"""`python -m contracts validate`: exit 0 conforms, 1 violations or unreadable input, 2 bad usage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.__main__ import main
from tests.conftest import good_interview


def write(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "interview.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def test_conforming_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, json.dumps(good_interview("pinpoint")))
    assert main(["validate", path, "--provider", "pinpoint"]) == 0
    assert "conforms" in capsys.readouterr().out


def test_violations_exit_1_with_pointers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = {**good_interview("pinpoint"), "candidate": {"id": "1"}, "status": "rescheduled"}
    path = write(tmp_path, json.dumps(payload))
    assert main(["validate", path, "--provider", "pinpoint"]) == 1
    out = capsys.readouterr().out
    assert "/candidate: pinpoint does not return `candidate` [provider-coverage]" in out
    assert "/status: `status` 'rescheduled' is not one of" in out


NULL_STATUS = (
    "/status: `status` is null; the kit expects a field without a value to be left out (its type: enum)"
    " [null; assumed A-absent-not-null]"
)


def test_findings_resting_on_assumptions_are_marked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = {**good_interview("pinpoint"), "status": None, "candidate": {"id": "1"}}
    assert main(["validate", write(tmp_path, json.dumps(payload)), "--provider", "pinpoint"]) == 1
    captured = capsys.readouterr()
    assert f"unconfirmed (these rest only on the kit's assumptions, see docs/assumptions.md):\n  {NULL_STATUS}" in (
        captured.out
    )
    assert "[provider-coverage]" in captured.out  # documented: no mark
    assert "1 violation(s) in" in captured.err and "(and 1 unconfirmed)" in captured.err
    assert "documents" not in captured.out  # the null rule is the kit's assumption, not documentation


def test_assumption_only_findings_are_unconfirmed_as_in_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, json.dumps({**good_interview("pinpoint"), "status": None}))
    assert main(["validate", path, "--provider", "pinpoint"]) == 0
    captured = capsys.readouterr()
    assert NULL_STATUS in captured.out and "no documented violation; 1 unconfirmed (A-absent-not-null)" in captured.err
    assert main(["validate", path, "--provider", "pinpoint", "--strict-assumptions"]) == 1


def test_validate_help_explains_every_flag_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Exit codes: 0 conforms" in out and "1 with --strict-assumptions" in out and "2 bad usage" in out
    for flag, words in [
        ("--provider", "the integration"),
        ("--exclude-field", "truto_exclude_fields"),
        ("--ignore-remote-data", "truto_ignore_remote_data=true"),
        ("--strict-assumptions", "unconfirmed"),
    ]:
        assert words in out.split(flag, 2)[-1][:200], flag


def test_options_are_applied(tmp_path: Path) -> None:
    payload = good_interview("ceipal")
    del payload["remote_data"], payload["location"]
    path = write(tmp_path, json.dumps(payload))
    assert main(["validate", path, "--provider", "ceipal"]) == 1
    assert main(["validate", path, "--provider", "ceipal", "--ignore-remote-data", "--exclude-field", "location"]) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("   \n", "is empty"),
        ("{not json", "is not JSON"),
        (b"\xff\xfe\x00", "is not UTF-8"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    assert main(["validate", write(tmp_path, content), "--provider", "ceipal"]) == 1
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_unreadable_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "missing.json"), "--provider", "ceipal"]) == 1
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [[], ["validate"], ["validate", "x.json"], ["validate", "x.json", "--provider", "ashby"], ["frobnicate"]],
)
def test_bad_usage_exits_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_module_entry_point(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(good_interview("ceipal")))
    done = subprocess.run(
        [sys.executable, "-m", "contracts", "validate", path, "--provider", "pinpoint"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "pinpoint does not return `candidate`" in done.stdout
