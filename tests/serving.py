"""Helpers for tests that start the mock as a real process: free ports, waiting that gives up."""

from __future__ import annotations

import socket
import subprocess
import time

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
