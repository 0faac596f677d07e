"""Bounds on connections (`mockserver.connguard`), as `python -m mockserver` serves: a request head must
be whole within `--head-timeout` (slowloris clients are cut, with a 408 in Truto's shape), and
connections beyond `--max-connections` are answered 503 and closed; nobody else waits meanwhile."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from contextlib import ExitStack

import httpx

from tests.mock_helpers import PINPOINT_ACCOUNT
from tests.serving import served_asgi

STALLED = 40
HEAD_TIMEOUT = 1.0


def _connect(port: int, first: bytes = b"") -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    if first:
        conn.sendall(first)
    return conn


def _read_all(conn: socket.socket) -> bytes:
    """Everything until the server closes (the socket's own timeout bounds each read)."""
    out = b""
    while chunk := conn.recv(65536):
        out += chunk
    return out


def _error(answer: bytes, status: int) -> str:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert b"\r\nConnection: close" in head
    error = json.loads(body)
    assert set(error) == {"statusCode", "error", "message"} and error["statusCode"] == status
    message: str = error["message"]
    return message


def test_stalled_request_heads_are_cut_after_the_head_timeout_and_nobody_waits() -> None:
    with served_asgi({"records": 0}, head_timeout=HEAD_TIMEOUT) as (_, port), ExitStack() as stack:
        started = time.monotonic()
        stalled = [stack.enter_context(_connect(port, b"GET /unified/ats/inter")) for _ in range(STALLED)]
        idle = stack.enter_context(_connect(port))
        api = f"http://127.0.0.1:{port}/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}"
        asked = time.monotonic()
        response = httpx.get(api, headers={"Authorization": "Bearer x"}, timeout=5)
        assert response.status_code == 200 and time.monotonic() - asked < 1.0
        for conn in stalled:
            message = _error(_read_all(conn), 408)
        took = time.monotonic() - started
        assert message == "The request head (request line and headers) did not arrive within 1 s (--head-timeout)."
        assert HEAD_TIMEOUT * 0.8 < took < HEAD_TIMEOUT + 5, took
        assert _read_all(idle) == b""  # sent nothing: closed without an answer


def test_a_stalled_second_request_on_a_kept_alive_connection_is_cut_too() -> None:
    """uvicorn's keep-alive timer stops at the first byte of the next request; the head deadline does not."""
    with served_asgi({"records": 0}, head_timeout=HEAD_TIMEOUT) as (_, port), _connect(port) as conn:
        conn.sendall(b"GET /__mock__/health HTTP/1.1\r\nHost: m\r\n\r\n")
        first = conn.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 "), first[:200]
        conn.sendall(b"GET /__mock__/hea")
        started = time.monotonic()
        assert _error(_read_all(conn), 408).endswith("(--head-timeout).")
        assert time.monotonic() - started < HEAD_TIMEOUT + 5


def test_a_request_slower_than_the_head_timeout_is_not_cut_once_its_head_came() -> None:
    """The deadline covers the head only: a long `Prefer: delay` still gets its answer."""
    with served_asgi({"records": 0}, head_timeout=0.5) as (_, port):
        url = f"http://127.0.0.1:{port}/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}"
        headers = {"Authorization": "Bearer x", "Prefer": "delay=1500"}
        with httpx.Client(headers=headers, timeout=10) as client:  # one kept-alive connection, two requests
            assert [client.get(url).status_code for _ in range(2)] == [200, 200]


def test_connections_over_the_cap_are_answered_503_and_closed() -> None:
    with served_asgi({"records": 0}, max_connections=20) as (_, port), ExitStack() as stack:
        held = [stack.enter_context(_connect(port)) for _ in range(20)]
        over = stack.enter_context(_connect(port))
        assert _error(_read_all(over), 503) == (
            "The mock has 20 connections open (--max-connections); retry when some have closed."
        )
        for conn in held[:5]:
            conn.close()
        deadline = time.monotonic() + 5
        while True:  # the server counts a connection out once it has seen it close
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/__mock__/health", timeout=5)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                break
            assert time.monotonic() < deadline, "closed connections were not counted out"
            time.sleep(0.05)


def test_the_connection_cap_fits_the_open_file_limit() -> None:
    """Under `ulimit -n 300` (soft), the soft limit is raised to make room for 1000 connections; when
    the hard limit is 300 too, the cap is lowered instead."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (300, int(sys.argv[1])))\n"
        "from mockserver.connguard import FD_RESERVE, fit_to_file_limit\n"
        "print(fit_to_file_limit(1000), resource.getrlimit(resource.RLIMIT_NOFILE)[0], FD_RESERVE)\n"
    )
    results = []
    for hard in (300, 2000):
        done = subprocess.run([sys.executable, "-c", code, str(hard)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        results.append([int(n) for n in done.stdout.split()])
    reserve = results[0][2]
    assert results == [[300 - reserve, 300, reserve], [1000, 1000 + reserve, reserve]]
