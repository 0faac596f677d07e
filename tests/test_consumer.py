"""The kit as a backend project meets it: installed from the built wheel (not editable) into its own
venv, in a project with its own `fixtures` package, `pythonpath = ["."]` and a `tests/strategies.py`.

One venv per module: the kit's wheel goes into the venv's site-packages; its dependencies come
from this environment through a `.pth` line (no network, and this checkout is not on the path).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = {
    "pyproject.toml": """
[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]
addopts = "-p no:cacheprovider"
""",
    "fixtures/__init__.py": 'OWNER = "the consumer"\n',
    "fixtures/accounts.json": '{"not": "the kit\'s accounts"}\n',
    "tests/strategies.py": 'def order_ids():\n    return ["A-1", "A-2"]\n',
    "tests/test_mock_use.py": """
import httpx
import pytest
import requests

import fixtures

PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
AUTH = {"Authorization": "Bearer t"}


def test_own_fixtures_package_and_the_installed_kit(truto_mock):
    import mockserver

    assert fixtures.OWNER == "the consumer"
    assert "site-packages" in mockserver.__file__
    url = f"{truto_mock.url}/unified/ats/interviews?integrated_account_id={PINPOINT}&limit=2"
    assert len(requests.get(url, headers=AUTH).json()["result"]) == 2


def test_respx_live_mock_and_a_third_host(truto_respx, truto_mock):
    path = f"/unified/ats/interviews/412?integrated_account_id={PINPOINT}&truto_response_format=raw"
    assert httpx.get(f"https://api.truto.one{path}", headers=AUTH).json() == httpx.get(
        f"{truto_mock.url}{path}", headers=AUTH
    ).json()
    with pytest.raises(Exception, match="'payments.example'"):
        httpx.get("https://payments.example/charges")


@pytest.mark.anyio
async def test_async_httpx(truto_respx):
    async with httpx.AsyncClient(headers=AUTH) as client:
        page = await client.get(f"https://api.truto.one/unified/ats/interviews?integrated_account_id={PINPOINT}&limit=3")
    assert len(page.json()["result"]) == 3


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.parametrize("fmt", ["unified", "debug"])
def test_formats_on_several_workers(truto_respx, fmt):
    url = f"https://api.truto.one/unified/ats/interviews?integrated_account_id={PINPOINT}&truto_response_format={fmt}"
    assert httpx.get(url, headers=AUTH).status_code == 200
""",
    "tests/test_with_strategies.py": """
import httpx
from hypothesis import HealthCheck, given, settings

import strategies
from strategies import interview_queries, raw_interviews


def test_the_kits_strategies_not_the_helper():
    assert "site-packages" in strategies.__file__


# deadline=None: each example is an HTTP round trip to a live mock; on a busy CI machine one can take
# longer than Hypothesis' default 200 ms, which is a timing, not a behaviour, to assert.
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=interview_queries(endpoint="list", provider="pinpoint"), raw=raw_interviews(provider="pinpoint"))
def test_params_and_records_per_example(truto_mock, query, raw):
    with truto_mock.fresh():
        truto_mock.add_records("pinpoint", raw)
        auth = {"Authorization": "Bearer t"}
        got = httpx.get(f"{truto_mock.url}/unified/ats/interviews", params=query.params, headers=auth)
        assert got.status_code == 200
""",
}


@pytest.fixture(scope="module")
def consumer(kit_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the consumer's venv python, the consumer project)."""
    venv = tmp_path_factory.mktemp("consumer-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", purelib, str(kit_wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    (Path(purelib) / "kit-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    project = tmp_path_factory.mktemp("project")
    for name, text in PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text.lstrip("\n"))
    return python, project


def run_pytest(consumer: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    python, project = consumer
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def test_own_fixtures_package_respx_and_coverage_under_xdist(consumer: tuple[Path, Path]) -> None:
    done = run_pytest(consumer, "tests/test_mock_use.py", "-n", "2", "--truto-coverage-json", "coverage.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout
    report = json.loads((consumer[1] / "coverage.json").read_text())
    pinpoint = report["providers"]["pinpoint"]
    assert report["requests"] == 6 and pinpoint["requests"] == 6  # both workers' requests, merged
    assert pinpoint["parts"]["formats"] == {"unified": 3, "raw": 2, "normalized": 0, "stream": 0, "debug": 1}
    assert pinpoint["parts"]["parameters"]["limit"] == 2


def test_importlib_mode_with_a_strategies_helper_beside_the_tests(consumer: tuple[Path, Path]) -> None:
    done = run_pytest(consumer, "--import-mode=importlib")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout
