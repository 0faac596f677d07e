"""No starvation: 200 clients sending a body slowly, 200 requests waiting `Prefer: delay=60000` and 20
try-page requests waiting as long take no thread from anyone; a normal API request and the page still
answer within 1 s, as served by `python -m mockserver` (uvicorn + the ASGI app)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlencode

import httpx
import pytest

from tests.mock_helpers import PINPOINT_ACCOUNT
from tests.serving import served_asgi

SLOW, DELAYED = 200, 200


@pytest.mark.slow
def test_slow_senders_and_long_delays_starve_nobody() -> None:
    with served_asgi({"records": 0, "journal_size": 1000}) as (_, port):
        base = f"http://127.0.0.1:{port}"
        api = f"/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}"
        records = f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records"
        opened: list[socket.socket] = []
        try:
            for _ in range(SLOW):
                conn = socket.create_connection(("127.0.0.1", port))
                conn.sendall(f"POST {records} HTTP/1.1\r\nHost: m\r\nContent-Length: 1000000\r\n\r\n[".encode())
                opened.append(conn)
            for _ in range(DELAYED):
                conn = socket.create_connection(("127.0.0.1", port))
                conn.sendall(
                    f"GET {api} HTTP/1.1\r\nHost: m\r\nAuthorization: Bearer x\r\nPrefer: delay=60000\r\n\r\n".encode()
                )
                opened.append(conn)
            with httpx.Client(base_url=base, headers={"Authorization": "Bearer x"}, timeout=5) as client:
                deadline = time.monotonic() + 20
                while len(client.get("/__mock__/requests").json()["requests"]) < DELAYED:  # all of them waiting
                    assert time.monotonic() < deadline, "the delayed requests did not all arrive"
                    time.sleep(0.05)
                for path in (api, "/", "/__mock__/accounts"):
                    started = time.monotonic()
                    response = client.get(path)
                    took = time.monotonic() - started
                    assert response.status_code == 200 and took < 1.0, f"{path}: {response.status_code} in {took:.2f}s"
        finally:
            for conn in opened:
                conn.close()


TRIES = 20


def test_try_page_delays_hold_no_thread() -> None:
    """The page's try endpoint answers a `Prefer: delay` late without holding one of the 16 threads
    that serve the page and admin routes: 20 tries waiting 60 s leave `/` and the accounts answering."""
    with served_asgi({"records": 0}) as (_, port):
        base = f"http://127.0.0.1:{port}"
        api = f"/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}"
        try_path = "/__mock__/try?" + urlencode({"path": api, "prefer": "delay=60000"})
        opened: list[socket.socket] = []
        try:
            for _ in range(TRIES):
                conn = socket.create_connection(("127.0.0.1", port))
                conn.sendall(f"GET {try_path} HTTP/1.1\r\nHost: m\r\n\r\n".encode())
                opened.append(conn)
            with httpx.Client(base_url=base, timeout=5) as client:
                deadline = time.monotonic() + 20
                while len(client.get("/__mock__/requests").json()["requests"]) < TRIES:  # all answered, waiting
                    assert time.monotonic() < deadline, "the try requests did not all reach the core"
                    time.sleep(0.05)
                for path in ("/__mock__/accounts", "/"):
                    started = time.monotonic()
                    response = client.get(path)
                    took = time.monotonic() - started
                    assert response.status_code == 200 and took < 1.0, f"{path}: {response.status_code} in {took:.2f}s"
                started = time.monotonic()
                page = client.get("/__mock__/try", params={"path": api, "prefer": "delay=400"})
                assert page.status_code == 200 and "text/html" in page.headers["content-type"]
                assert time.monotonic() - started >= 0.4, "the delay was not applied"
        finally:
            for conn in opened:
                conn.close()
