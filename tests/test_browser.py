"""The page at / in a real headless Chromium: accounts render, a request made here shows in the
journal with its verdict, a scenario link works. A screenshot lands in tests/artifacts/page.png."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from mockserver import create_app
from mockserver.live import LiveServer
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here (make test installs Debian's chromium where it runs as root)"
)


def chromium(*args: str, budget_ms: int = 3000) -> str:
    """Run headless Chromium with the flags this sandbox needs; returns what it printed."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", *args],
            capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    live = LiveServer()
    live.app = create_app({"records": 5})
    yield live.url
    live.stop()


def test_page_renders_accounts_and_the_journal(server: str) -> None:
    response = httpx.get(
        f"{server}/unified/ats/interviews/9001",
        params={"integrated_account_id": CEIPAL_ACCOUNT},
        headers={"Authorization": "Bearer browser-test"},
    )
    assert response.status_code == 200
    dom = chromium("--dump-dom", f"{server}/")
    assert re.search(rf'data-account-id="{CEIPAL_ACCOUNT}"[^>]*data-provider="ceipal"', dom)
    assert re.search(rf'data-account-id="{PINPOINT_ACCOUNT}"[^>]*data-provider="pinpoint"', dom)
    row = re.search(r"<tr data-seq=\"\d+\">(.*?)</tr>", dom, re.S)
    assert row is not None, "the journal has no rows"
    assert "/unified/ats/interviews/9001" in row.group(1) and 'class="conforms"' in row.group(1)


def test_journal_is_refreshed_by_the_page_script(server: str) -> None:
    """The script replaces the journal from /__mock__/requests and counts its refreshes."""
    httpx.get(
        f"{server}/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}&limit=3",
        headers={"Authorization": "Bearer browser-test", "Prefer": "code=503, remote=true"},
    )
    dom = chromium("--dump-dom", f"{server}/", budget_ms=5000)
    body = re.search(r'<tbody id="journal" data-refreshed="(\d+)">(.*?)</tbody>', dom, re.S)
    assert body is not None and int(body.group(1)) >= 2, "the page script did not refresh the journal"
    assert "limit=3" in body.group(2) and "code=503, remote=true" in body.group(2)


def test_scenario_link_works(server: str) -> None:
    dom = chromium("--dump-dom", f"{server}/")
    link = re.search(r'<a href="([^"]+)" data-scenario="code=429">', dom)
    assert link is not None
    page = chromium("--dump-dom", server + unescape(link.group(1)))
    assert re.search(r'id="status">429<', page)
    assert re.search(r'id="verdict" class="conforms">conforms<', page)
    assert "Too Many Requests" in page


def test_screenshot(server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "page.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1280,1400", "--hide-scrollbars", f"{server}/")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


TOKEN = "s3cret-browser"
SEED = "<script>sessionStorage.setItem('truto-mock-token', '{token}'); location.replace('/');</script>"


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    """A mock started with a token; `/static/seed-<token>.html` puts a token in the tab's session
    storage and opens the page, as typing it into the page's form does."""
    live = LiveServer()
    app = create_app({"records": 5, "token": TOKEN})
    app.add_url_rule("/static/seed-<token>.html", "seed", lambda token: SEED.format(token=token))
    live.app = app
    yield live.url
    live.stop()


def test_the_guarded_page_shows_no_data_until_it_has_the_token(guarded: str) -> None:
    httpx.get(
        f"{guarded}/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}&limit=2",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    shell = chromium("--dump-dom", f"{guarded}/")
    assert re.search(r'<form id="token-form">', shell) and CEIPAL_ACCOUNT not in shell
    page = chromium("--dump-dom", f"{guarded}/static/seed-{TOKEN}.html", budget_ms=5000)
    assert re.search(r'<form id="token-form" hidden', page)
    assert re.search(rf'data-account-id="{CEIPAL_ACCOUNT}"', page) and 'id="faults-form"' in page
    body = re.search(r'<tbody id="journal" data-refreshed="(\d+)">(.*?)</tbody>', page, re.S)
    assert body is not None and "limit=2" in body.group(2)
    refused = chromium("--dump-dom", f"{guarded}/static/seed-wrong.html", budget_ms=5000)
    assert "That token was refused." in refused and CEIPAL_ACCOUNT not in refused
