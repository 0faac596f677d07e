"""The reports' numbers agree with each other: the progress line counts every testcase of the
account's suite (the list walk's pages too), and a suite's time is its wall-clock span, never more
than the run's."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.accounts import Account, AccountId
from contracts.live.masking import SecretMasker
from contracts.live.report import junit_xml
from contracts.live.results import CheckResult, GateRun, Outcome
from mockserver import create_app
from mockserver.live import LiveServer
from tests.gate_helpers import ACCOUNT_ARGS, TOKEN, gate


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    live = LiveServer()
    live.app = create_app({"records": 30})
    yield live.url
    live.stop()


def test_progress_counts_every_testcase_of_the_suite(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "gate.xml"
    code, out, err = gate(["--base-url", url, *ACCOUNT_ARGS, "--page-size", "10", "--junit-xml", str(junit)], capsys)
    assert code == 0, out
    last = {m[0]: (int(m[1]), int(m[2])) for m in re.findall(r"\[gate\] (\w+): (\d+)/(\d+) checked", err)}
    root = ET.parse(junit).getroot()
    suites = {s.get("name", "").split(".", 1)[1]: s for s in root.iter("testsuite")}
    assert set(last) == set(suites) == {"ceipal", "pinpoint"}
    for label, suite in suites.items():
        cases = len(suite.findall("testcase"))
        assert last[label] == (cases, cases) and int(suite.get("tests", "0")) == cases
        walk = [c for c in suite.iter("testcase") if c.get("name", "").startswith("list walk")]
        assert len(walk) == 1 and walk[0].get("name") == "list walk"  # its 3 pages are progress, not checks
        assert float(suite.get("time", "0")) <= float(root.get("time", "0"))


def test_a_suite_time_is_its_span_not_the_sum_of_its_cases() -> None:
    def result(started: float, seconds: float) -> CheckResult:
        return CheckResult("ceipal", "ceipal", "get format=raw", "get format=raw", "http://h/x", Outcome.PASSED,
                           200, seconds=seconds, started=started)  # fmt: skip

    run = GateRun(accounts=[Account(AccountId("c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"), "ceipal", "ceipal")],
                  results=[result(10.0, 1.0), result(10.2, 1.0), result(10.5, 0.25)],
                  started_at=datetime.now(UTC), seconds=1.5)  # fmt: skip
    root = ET.fromstring(junit_xml(run, SecretMasker("")))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("time") == "1.200" and root.get("time") == "1.500"


def test_ctrl_c_stops_promptly_and_still_writes_the_report(tmp_path: Path) -> None:
    """SIGINT mid-run (requests in flight, each waiting on the mock's latency): exit 130 at once, the
    JUnit report written with the unfinished checks errored `interrupted`."""
    live = LiveServer()
    live.app = create_app({"records": 5, "latency_ms": (100, 300)})
    junit = tmp_path / "gate.xml"
    argv = [sys.executable, "-m", "contracts", "gate", "--base-url", live.url, *ACCOUNT_ARGS, "--junit-xml", str(junit)]
    try:
        gate_process = subprocess.Popen(argv, env={**os.environ, "TRUTO_API_TOKEN": TOKEN},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        assert gate_process.stderr is not None
        assert "[gate]" in gate_process.stderr.readline()  # the matrix is running (first progress line)
        sent = time.monotonic()
        gate_process.send_signal(signal.SIGINT)
        out, err = gate_process.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        live.stop()
    assert gate_process.returncode == 130 and took < 2, (took, err)
    assert "gate: SIGINT: stopping" in err
    assert err.strip().splitlines()[-1].startswith("gate: Interrupted by a stop signal: ")
    assert "Traceback" not in out + err and 'message="interrupted"' in junit.read_text()


def _junit_of(argv: list[str], junit: Path) -> tuple[int, ET.Element]:
    """Run `python -m contracts gate ARGV --junit-xml JUNIT` as a process: (exit code, the file's root)."""
    command = [sys.executable, "-m", "contracts", "gate", *argv, "--junit-xml", str(junit)]
    ran = subprocess.run(command, env={**os.environ, "TRUTO_API_TOKEN": TOKEN}, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert "Traceback" not in ran.stdout + ran.stderr, ran.stderr
    return ran.returncode, ET.parse(junit).getroot()


def _format_versions(root: ET.Element) -> list[str | None]:
    """Each suite's `truto-contract.format`, asserting where it sits: its suite's first child holds
    it first. The root holds suites only, as the JUnit schema (Ant, Jenkins, Surefire) requires."""
    assert root.tag == "testsuites" and [child.tag for child in root] == ["testsuite"] * len(root)
    versions = []
    for suite in root:
        props = suite[0]
        assert props.tag == "properties" and props[0].get("name") == "truto-contract.format", ET.tostring(suite)
        assert [p.get("name") for p in props].count("truto-contract.format") == 1
        versions.append(props[0].get("value"))
    return versions


def test_every_junit_suite_carries_the_format_version(url: str, tmp_path: Path) -> None:
    """A run's suites (one per account, their provider and account id kept) and a run that stops on
    its probe (with its `truto-contract.gate` suite) all say `truto-contract.format` = 1."""
    code, root = _junit_of(["--base-url", url, *ACCOUNT_ARGS, "--check", "list format=raw"], tmp_path / "run.xml")
    assert code == 0
    assert _format_versions(root) == ["1", "1"]
    for suite in root:
        names = [p.get("name") for p in suite.iter("property")]
        assert names == ["truto-contract.format", "provider", "integrated_account_id"]
    unknown = ["--account", "ceipal=00000000-0000-4000-8000-000000000000"]
    code, root = _junit_of(["--base-url", url, *unknown], tmp_path / "fatal.xml")
    assert code == 2 and [s.get("name") for s in root][-1] == "truto-contract.gate"
    assert set(_format_versions(root)) == {"1"}
