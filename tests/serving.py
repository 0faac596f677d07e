"""Helpers for tests that start the mock as a real process: free ports, waiting that gives up."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_serving(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Return once `url` answers; fail at once if the process exits first, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the mock exited with {process.returncode} before serving")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the mock did not answer on {url} within {timeout}s")


@contextmanager
def served_asgi(config: dict[str, object] | None = None, **limits: float) -> Iterator[tuple[str, int]]:
    """The mock as `python -m mockserver` serves it (uvicorn, the ASGI app and its bounds), in this
    process on a free port: yields (host, port); stopped at the end of the block. `limits` are the
    app's (`mockserver.asgi.Limits`) and the connections' (`head_timeout`, `max_connections`)."""
    from mockserver import create_app
    from mockserver.asgi import Limits, MockASGI
    from mockserver.connguard import ConnectionLimits
    from mockserver.httpserver import HttpServer
    from mockserver.serve import listen

    connection_keys = {"head_timeout", "max_connections"}
    connections = ConnectionLimits(**{k: v for k, v in limits.items() if k in connection_keys})  # type: ignore[arg-type]
    app_limits = Limits(**{k: v for k, v in limits.items() if k not in connection_keys})  # type: ignore[arg-type]
    app = MockASGI(create_app(config or {"records": 0}), app_limits)
    sock = listen("127.0.0.1", 0)
    server = HttpServer(app, sock, app.bind_loop, connections)
    server.start()
    try:
        assert server.wait_started(30, threading.Event()), f"the server did not start: {server.failure}"
        yield "127.0.0.1", sock.getsockname()[1]
    finally:
        app.stop_soon()
        assert server.stop(), "the server thread did not end"


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes (or `timeout`); what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        with contextlib.suppress(OSError):  # the server may answer and close before taking it all
            conn.sendall(data)
        out = b""
        try:
            while chunk := conn.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out
