"""Installs by audience: each extra, installed alone from the built wheel into its own venv, runs
its entry point and holds nothing of the other audiences (pip reads the machine's package sources
as configured, so this works offline with a local index)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
HEAVY = {"flask", "granian", "uvicorn", "watchfiles", "faker", "hypothesis", "pytest", "respx"}
"""What a CI job running only the gate must not install."""

PLUGIN_TEST = """
from hypothesis import HealthCheck, given, settings
from strategies import raw_interviews


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_interviews(provider="pinpoint"))
def test_the_mock_and_the_strategies(truto_mock, raw):
    with truto_mock.fresh():
        truto_mock.add_records("pinpoint", raw)
        assert len(truto_mock.requests()) == 0
"""

FIXTURE_WITHOUT_EXTRA = """
def test_plain():
    assert True


def test_uses_the_mock(truto_mock):
    pass
"""


def _venv(tmp_path: Path, wheel: Path, extra: str) -> Path:
    venv = tmp_path / f"venv-{extra}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    _pip(python, f"{wheel}[{extra}]")
    return python


def _pip(python: Path, *requirements: str) -> None:
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *requirements]
    done = subprocess.run(command, capture_output=True, text=True, timeout=540, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _installed(python: Path) -> set[str]:
    code = "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'].lower() for d in m.distributions()))"
    return set(_run(python, "-c", code).stdout.split())


def _run(python: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(python.parents[1] / "cache")
    done = subprocess.run([str(python), *args], cwd=cwd or python.parents[1], env=env, capture_output=True, text=True)
    return done


def test_the_extras_are_the_audiences() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert {"gate", "mock", "pytest", "all", "dev"} <= extras.keys()
    base = {requirement.split(">")[0].split("=")[0].lower() for requirement in project["dependencies"]}
    assert not base & HEAVY, base & HEAVY
    assert "truto-interviews-kit[all]" in extras["dev"]


def test_gate_alone_then_the_plugin_without_the_mock(kit_wheel: Path, tmp_path: Path) -> None:
    python = _venv(tmp_path, kit_wheel, "gate")
    assert not _installed(python) & HEAVY, _installed(python) & HEAVY
    done = _run(python, "-m", "contracts", "gate", "--help")
    assert done.returncode == 0 and "--base-url" in done.stdout, done.stderr
    done = _run(python, "-c", "import contracts, contracts.live.runner, contracts.live.recorder; print('ok')")
    assert done.stdout.strip() == "ok", done.stderr
    # pytest beside the gate: the plugin loads, and a mock fixture says in one line what to install
    _pip(python, "pytest")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "test_gate_env.py").write_text(FIXTURE_WITHOUT_EXTRA)
    done = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path / "project")
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    message = "the truto_mock fixtures needs the kit's pytest extra: pip install 'truto-interviews-kit[pytest]'"
    assert message in done.stdout and "Traceback" not in done.stdout, done.stdout


def test_mock_alone_serves(kit_wheel: Path, tmp_path: Path) -> None:
    python = _venv(tmp_path, kit_wheel, "mock")
    assert not _installed(python) & {"hypothesis", "pytest", "respx"}
    done = _run(python, "-m", "mockserver", "--help")
    assert done.returncode == 0 and "--port" in done.stdout, done.stderr
    done = _run(python, str(python.parent / "truto-mock"), "--help")
    assert done.returncode == 0, done.stderr
    code = "from mockserver import create_app; print(create_app().test_client().get('/__mock__/accounts').status)"
    assert _run(python, "-c", code).stdout.strip() == "200 OK"


def test_pytest_extra_runs_the_plugin_and_strategies(kit_wheel: Path, tmp_path: Path) -> None:
    python = _venv(tmp_path, kit_wheel, "pytest")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "test_consumer.py").write_text(PLUGIN_TEST)
    done = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path / "project")
    assert "1 passed" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("extra", ["gate", "mock", "pytest"])
def test_each_extra_is_named_in_the_docs(extra: str) -> None:
    assert f"truto-interviews-kit[{extra}]" in (ROOT / "README.md").read_text("utf-8")
