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
    "interviews_client.py": """
\"\"\"The consumer's Truto client: pages with next_cursor, retries 429/5xx (honouring Retry-After) and timeouts.
`broken` breaks it on purpose: no-retry, no-retry-after, wrong-cursor.\"\"\"
import time

import httpx

PATH = "/unified/ats/interviews"


class TrutoClient:
    def __init__(self, base_url, token, *, sleep=time.sleep, retries=3, timeout=2.0, broken=""):
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
        self.sleep, self.retries, self.broken = sleep, retries, broken

    def close(self):
        self.http.close()

    def _get(self, params):
        for attempt in range(self.retries + 1):
            last = attempt == self.retries or self.broken == "no-retry"
            try:
                response = self.http.get(PATH, params=params)
            except httpx.TimeoutException:
                if last:
                    raise
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    response.raise_for_status()
                wait = 1.0 if self.broken == "no-retry-after" else float(response.headers.get("Retry-After", "1"))
                self.sleep(wait)
                continue
            response.raise_for_status()
            return response.json()
        raise AssertionError("unreachable")

    def interviews(self, account, *, limit=10, max_pages=10):
        params = {"integrated_account_id": account, "limit": limit}
        items, first_cursor = [], None
        for _ in range(max_pages):
            page = self._get(params)
            items += page["result"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items
            first_cursor = first_cursor or cursor
            params = {**params, "next_cursor": first_cursor if self.broken == "wrong-cursor" else cursor}
        raise RuntimeError(f"more than {max_pages} pages")
""",
    "tests/test_client.py": """
import os

import httpx
import pytest

from interviews_client import TrutoClient

PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
BROKEN = os.environ.get("CLIENT_BROKEN", "").split(",")  # the kit's own test breaks the client on purpose


@pytest.fixture
def waits():
    return []


@pytest.fixture(params=BROKEN, ids=lambda broken: broken or "sound")
def client(request, truto_respx, truto_mock, waits):
    def sleep(seconds):  # the mock's clock moves instead of the test waiting
        waits.append(seconds)
        truto_mock.clock.advance(seconds)

    made = TrutoClient("https://api.truto.one", "t", sleep=sleep, broken=request.param)
    yield made
    made.close()


@pytest.mark.truto_mock(rate_limit_account=2, check_all=True)
def test_a_rate_limit_is_waited_out_on_the_mocks_clock(client, truto_respx, waits):
    assert len(client.interviews(PINPOINT, limit=10)) == 30
    assert [r.status for r in truto_respx.requests()] == [200, 200, 429, 200]
    assert waits == [10.0]


@pytest.mark.truto_mock(check_all=True, assert_all_consumed=True)
def test_a_429_that_clears_after_two_tries(client, truto_respx, waits):
    truto_respx.script(429, times=2, retry_after=0.01)
    assert len(client.interviews(PINPOINT)) == 30
    assert waits == [0.01, 0.01]


@pytest.mark.truto_mock(check_all=True, assert_all_consumed=True)
def test_a_503_on_page_3_of_5_then_success(client, truto_respx):
    truto_respx.script(503, when={"page": 3}, retry_after=0.5)
    assert len(client.interviews(PINPOINT, limit=6)) == 30
    assert [r.status for r in truto_respx.calls_to(page=3)] == [503, 200]


def test_a_timeout_in_process_is_retried(client, truto_respx):
    truto_respx.script(latency_ms=30_000, when={"page": 2})
    assert len(client.interviews(PINPOINT)) == 30
    assert [r.query.get("next_cursor") is None for r in truto_respx.requests()] == [True, False, False, False]


def test_each_page_asks_for_the_cursor_the_last_one_gave(client, truto_respx):
    client.interviews(PINPOINT, limit=10)
    first, second, third = truto_respx.requests()
    assert "next_cursor" not in first.query
    assert second.query["next_cursor"] != third.query["next_cursor"]
    truto_respx.assert_requested(query={"limit": 10}, times=3)
    assert {r.headers["authorization"] for r in truto_respx.requests()} == {"Bearer ***"}
    assert all(r.token_ok and r.verdict == "conforms" for r in truto_respx.requests())


def test_a_401_mid_run_is_not_retried(client, truto_respx):
    truto_respx.script(401, when={"nth": 2})
    with pytest.raises(httpx.HTTPStatusError, match="401"):
        client.interviews(PINPOINT)
    truto_respx.assert_requested(times=2)
""",
}
CLIENT_TESTS = 6


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
    """The whole project, the client's resilience tests too, on two workers and in importlib mode."""
    done = run_pytest(consumer, "--import-mode=importlib", "-n", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{7 + CLIENT_TESTS} passed" in done.stdout


FAILING = {
    "no-retry": {"rate_limit", "429_that_clears", "503_on_page_3", "timeout_in_process"},
    "no-retry-after": {"rate_limit", "429_that_clears"},
    "wrong-cursor": {"rate_limit", "429_that_clears", "503_on_page_3", "timeout_in_process", "cursor_the_last"},
}
"""Which client tests catch each way of breaking the client (every other test passes)."""


def test_the_client_tests_catch_a_broken_client(consumer: tuple[Path, Path]) -> None:
    python, project = consumer
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-rf", "--import-mode=importlib", "tests/test_client.py"],
        cwd=project,
        env={**env, "CLIENT_BROKEN": ",".join(FAILING)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    failed = {line.split("::")[1].split(" ")[0] for line in done.stdout.splitlines() if line.startswith("FAILED")}
    for broken, failing in FAILING.items():
        caught = {name for name in failed if name.endswith(f"[{broken}]")}
        expected = {name for name in caught if any(part in name for part in failing)}
        assert caught == expected, f"{broken}: {sorted(caught - expected)} failed too\n{done.stdout}"
        assert len(caught) == len(failing), f"{broken}: only {sorted(caught)} failed\n{done.stdout}"
    assert f"{CLIENT_TESTS * len(FAILING) - len(failed)} passed" in done.stdout, done.stdout
