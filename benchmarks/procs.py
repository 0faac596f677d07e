"""Process helpers for the benchmarks: free ports, servers in subprocesses, the load generators.

The load comes from `wrk` where it is installed (C, so it is never the bottleneck), otherwise from
`load.py` (asyncio, which saturates one core at a few thousand requests per second and then measures
itself as much as the server: its figures are marked so).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AUTH = {"Authorization": "Bearer bench"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, timeout: float = 60.0) -> float:
    """Seconds until `url` answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, headers=AUTH, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@contextmanager
def server(argv: Sequence[str], probe: str, env: dict[str, str] | None = None) -> Iterator[float]:
    """Run a server until the block ends; yields its start-up time (spawn to first 200)."""
    started = time.perf_counter()
    # Bytecode caching on for every server alike: this sandbox turns it off, users' machines do not.
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    process = subprocess.Popen(
        list(argv), cwd=ROOT, env={**environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(probe)
        yield time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=15)


WRK = shutil.which("wrk")
LOAD_GENERATOR = "wrk -t1" if WRK else "benchmarks/load.py (wrk not installed: the generator may be the bottleneck)"


def load(url: str, seconds: float, connections: int = 16) -> dict[str, float]:
    """{"rps", "p99_ms", "errors"} of `connections` keep-alive clients for `seconds`."""
    if WRK is None:
        done = subprocess.run(
            [sys.executable, str(HERE / "load.py"), url, str(seconds), str(connections)],
            capture_output=True,
            text=True,
            check=True,
        )
        result: dict[str, float] = json.loads(done.stdout)
        return result
    header = [f"{name}: {value}" for name, value in AUTH.items()]
    argv = [WRK, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-H", *header, url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else 0.0,
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def gunicorn_minimal(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", "minimal_app:app"]  # fmt: skip


def mock_server(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", "--port", str(port), *extra]


def peak_rss_mib(code: str) -> float:
    """Peak resident memory (VmHWM) of a fresh interpreter running `code`.

    Not ru_maxrss: Linux carries that across exec from the forked parent, which would count the
    benchmark process itself.
    """
    script = f"{code}\nprint(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1]) / 1024
