"""Faults in sight and changeable while serving (`GET/PUT /__mock__/faults`, the page), and rate-limit
state that stays bounded whatever tokens and accounts clients send."""

from __future__ import annotations

import gc
import logging
import os
import secrets
import time
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient

from mockserver import create_app
from mockserver.config import MockConfig
from mockserver.core import answer
from mockserver.faults import MAX_TRACKED_KEYS, WINDOW_SECONDS, FaultSettings, SlidingWindow
from mockserver.live import LiveServer, mock_state
from mockserver.state import MockState
from tests.mock_helpers import AUTH, LIST_PATH, PINPOINT_ACCOUNT, assert_error

PINPOINT_LIST = f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}"
OFF = {"latency_ms": None, "error_rate": 0.0, "rate_limit_token": 0, "rate_limit_account": 0}


def client(**config: Any) -> FlaskClient:
    return create_app({"records": 2, **config}).test_client()


def faults(c: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = c.get("/__mock__/faults").get_json()
    return body


def test_faults_start_as_the_command_line_set_them() -> None:
    assert faults(client()) == {**OFF, "window_seconds": WINDOW_SECONDS}
    started = faults(client(latency_ms=(5, 9), error_rate=0.25, rate_limit_account=50))
    assert started == {**OFF, "latency_ms": [5, 9], "error_rate": 0.25, "rate_limit_account": 50, "window_seconds": 10}


def test_put_changes_faults_without_a_restart_and_reset_restores_the_command_lines() -> None:
    c = client(rate_limit_account=50)
    changed = c.put("/__mock__/faults", json={"rate_limit_token": 2, "latency_ms": "3-3"})
    assert changed.status_code == 200
    assert changed.get_json() == {
        **OFF,
        "latency_ms": [3, 3],
        "rate_limit_token": 2,
        "rate_limit_account": 50,
        "window_seconds": 10,
    }
    slept: list[float] = []
    mock_state(c.application).faults.sleep = slept.append
    assert [c.get(PINPOINT_LIST, headers=AUTH).status_code for _ in range(3)] == [200, 200, 429]
    assert c.get(PINPOINT_LIST, headers=AUTH).headers["ratelimit-limit"] == "2;w=10"
    assert c.put("/__mock__/faults", json={"error_rate": 1, "rate_limit_token": 0}).status_code == 200
    assert c.get(PINPOINT_LIST, headers=AUTH).status_code in (500, 502, 503)
    c.post("/__mock__/reset")
    assert faults(c) == {**OFF, "rate_limit_account": 50, "window_seconds": 10}
    assert c.get(PINPOINT_LIST, headers=AUTH).status_code == 200


def test_a_rate_limit_that_stays_on_keeps_its_count() -> None:
    c = client(rate_limit_token=3)
    for _ in range(2):
        c.get(PINPOINT_LIST, headers=AUTH)
    c.put("/__mock__/faults", json={"rate_limit_token": 2})
    assert c.get(PINPOINT_LIST, headers=AUTH).status_code == 429


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"latency_ms": "9-3"}, "latency_ms needs MIN <= MAX, got 9-3"),
        ({"latency_ms": [1, 2, 3]}, "latency_ms takes MS or MIN-MAX"),
        ({"error_rate": 2}, "error_rate must be a number between 0 and 1, got 2"),
        ({"error_rate": "lots"}, "error_rate must be a number between 0 and 1"),
        ({"error_rate": True}, "error_rate must be a number between 0 and 1"),
        ({"rate_limit_token": -1}, "rate_limit_token must be 0 or more"),
        ({"rate_limit_account": 1.5}, "rate_limit_account must be a whole number"),
        ({"seed": 3}, "unknown fault setting(s) seed; known: latency_ms, error_rate"),
        ({"error_rate": 0.5, "token": "x"}, "unknown fault setting(s) token"),
    ],
)
def test_a_bad_fault_is_a_truto_shaped_400_and_changes_nothing(body: dict[str, Any], message: str) -> None:
    c = client()
    assert_error(c.put("/__mock__/faults", json=body), 400, message)
    assert faults(c) == {**OFF, "window_seconds": 10}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"not json", "application/json"),
        (b'{"error_rate": NaN}', "application/json"),
        (b"[1]", "application/json"),
        (b'{"error_rate": 0.5}', "text/plain"),
        (b"[" * 30_000 + b"]" * 30_000, "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(data: bytes, content_type: str) -> None:
    c = client()
    assert_error(c.put("/__mock__/faults", data=data, content_type=content_type), 400, "JSON object of faults")


def test_a_big_faults_body_is_a_413_however_it_is_framed() -> None:
    c = client()
    big = b'{"error_rate": 0.5, "pad": "' + b"x" * 70_000 + b'"}'
    assert_error(c.put("/__mock__/faults", data=big, content_type="application/json"), 413, "KiB")
    live = LiveServer()
    try:
        live.app = c.application
        chunks = (big[i : i + 4096] for i in range(0, len(big), 4096))  # no Content-Length: sent chunked
        chunked = httpx.put(f"{live.url}/__mock__/faults", content=chunks, headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413 and "KiB" in chunked.json()["message"]
    finally:
        live.stop()
    assert faults(c)["error_rate"] == 0


def test_the_page_shows_the_faults_at_the_top() -> None:
    html = client(latency_ms=(800, 1500), error_rate=0.3, rate_limit_token=6).get("/").get_data(as_text=True)
    on = html.index("Faults are on:")
    assert on < html.index("Integrated accounts")
    assert "latency 800-1500 ms; error rate 30% (random 500/502/503); rate limit 6 requests per 10 s per token" in html
    assert 'name="latency_ms" value="800-1500"' in html and 'name="rate_limit_token" value="6"' in html
    calm = client().get("/").get_data(as_text=True)
    assert "Faults are on" not in calm and "No faults" in calm


def test_fault_settings_describe_and_check_like_the_flags() -> None:
    settings = FaultSettings.from_config(MockConfig(latency_ms=(5, 5), rate_limit_account=50))
    assert settings.describe() == ["latency 5 ms", "rate limit 50 requests per 10 s per integrated account"]
    assert FaultSettings().describe() == []
    assert settings.changed({"latency_ms": None, "error_rate": "0.1"}).describe() == [
        "error rate 10% (random 500/502/503)",
        "rate limit 50 requests per 10 s per integrated account",
    ]


# --- bounded rate-limit state ----------------------------------------------------------------------


def test_expired_windows_are_dropped_and_at_most_max_keys_are_kept(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    window = SlidingWindow(2, lambda: now[0], max_keys=3)
    for key in ("a", "b", "c"):
        window.take(key, "token")
    window.take("a", "token")  # a is now the most recently seen
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        window.take("d", "token")
        window.take("e", "token")
    assert len(window) == 3
    assert window.take("a", "token").limited  # a kept its two requests: b and c went first
    assert window.take("b", "token").remaining == 1  # b starts afresh
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "tracking 3 keys at once" in caplog.records[0].getMessage()
    now[0] = WINDOW_SECONDS + 1
    window.take("z", "token")
    assert len(window) == 1  # every other window was over


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def test_random_accounts_are_bounded_too() -> None:
    faults = MockState.build(MockConfig(records=0, rate_limit_account=50)).faults
    for i in range(12_000):
        faults.rate_limit("one-token", f"account-{i}")
    assert faults.tracked_keys() == MAX_TRACKED_KEYS


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads the resident size from /proc")
def test_memory_stays_flat_over_100k_requests_with_random_tokens() -> None:
    """Through the core (no HTTP, so it takes seconds): 100,000 requests, each with a new token, under
    Truto's per-token limit; the mock may grow by less than 15 MB."""
    mock = MockState.build(MockConfig(records=0, rate_limit_token=500))
    tokens = [{"Authorization": f"Bearer {secrets.token_hex(8)}"} for _ in range(100_000)]
    path, query = f"{LIST_PATH}/1", f"integrated_account_id={PINPOINT_ACCOUNT}"
    for headers in tokens[:2_000]:  # warm up the caches that are bounded by design
        answer(mock, "GET", path, query, headers)
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    for headers in tokens:
        answer(mock, "GET", path, query, headers)
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 15, f"grew {grown:.1f} MB over 100k requests ({time.perf_counter() - started:.1f} s)"
    assert mock.faults.tracked_keys() == MAX_TRACKED_KEYS
