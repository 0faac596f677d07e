"""Schemathesis, as a user would run it, against the document the mock serves: every check, positive
and negative modes, all phases. Nothing may be found, and the run must reach real 200 answers (the
document's examples carry the running data's account and interview ids).

Each 200 is typed as the default format's body (for type generators); the documented hook module
(`SCHEMATHESIS_HOOKS=mockserver.schemathesis_hooks`) reads the document's `x-truto-response-formats`
and `x-truto-key-by`, so every format's body is checked against its own schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver import create_app
from mockserver.live import LiveServer

TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server = LiveServer()
    server.app = create_app({"records": 5, "token": TOKEN, "journal_size": 100_000})
    yield server.url
    server.stop()


@pytest.mark.slow
def test_schemathesis_finds_nothing_and_reaches_200s(served: str, tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "mockserver.schemathesis_hooks"}
    done = subprocess.run(
        [
            str(st),
            "run",
            f"{served}/openapi.json",
            "--checks",
            "all",
            "--mode",
            "all",
            "--max-examples",
            "25",
            "--generation-deterministic",
            "-H",
            f"Authorization: Bearer {TOKEN}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and "No issues found" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
    journal = httpx.get(f"{served}/__mock__/requests", headers={"Authorization": f"Bearer {TOKEN}"}).json()["requests"]
    statuses = Counter(entry["status"] for entry in journal)
    assert statuses[200] >= 20, statuses  # real answers, not only 404s for random ids
    assert {400, 401, 404, 405} <= set(statuses), statuses  # negative cases and auth were tried
    assert all(entry["verdict"] == "conforms" for entry in journal), [e for e in journal if e["violations"]][:3]
