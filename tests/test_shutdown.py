"""Ctrl-C and kill stop the mock within 2 s every time, with one line saying so, even on a busy machine.

20 tries in all, spread over `python -m mockserver` and `make run` and over the ways a stop arrives:
SIGINT, SIGTERM or SIGHUP (a closed terminal) to the whole process group (a terminal's Ctrl-C), to the
mock's main process alone, to its granian worker alone (`kill $(lsof -t -i :PORT)`), and to `make`
alone (make does not pass a signal on: the mock sees make's handler reset in /proc).
Two bounded busy loops keep the CPUs busy meanwhile; tries run four at a
time, which keeps the machine busier still and the test short.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.serving import free_port, wait_until_serving

ROOT = Path(__file__).parents[1]
STOP_WITHIN = 2.0
BUSY_SECONDS = 90  # the busy loops end by themselves even if this test is killed
WAYS = [
    ("python", "group", signal.SIGINT),
    ("make", "group", signal.SIGINT),
    ("python", "main", signal.SIGTERM),
    ("make", "mock", signal.SIGINT),
    ("python", "group", signal.SIGTERM),
    ("make", "make", signal.SIGTERM),
    ("python", "main", signal.SIGINT),
    ("make", "group", signal.SIGTERM),
    ("make", "mock", signal.SIGTERM),
    ("make", "make", signal.SIGINT),
    ("python", "group", signal.SIGHUP),
    ("make", "group", signal.SIGHUP),
    ("python", "main", signal.SIGHUP),
    ("make", "mock", signal.SIGHUP),
    ("make", "make", signal.SIGHUP),
    ("python", "worker", signal.SIGINT),
    ("make", "worker", signal.SIGTERM),
    ("python", "worker", signal.SIGTERM),
    ("make", "worker", signal.SIGINT),
    ("python", "worker", signal.SIGHUP),
]
TRIES = len(WAYS)
BUSY = f"import time\nend = time.monotonic() + {BUSY_SECONDS}\nwhile time.monotonic() < end: pass\n"


@pytest.fixture(scope="module")
def busy_cpus() -> Iterator[None]:
    loops = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(os.cpu_count() or 2)]
    yield
    for loop in loops:
        loop.kill()
        loop.wait()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _group_alive(pgid: int, leader: subprocess.Popen[str]) -> bool:
    leader.poll()  # reap the leader, or its zombie would keep the group "alive"
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _try(index: int) -> str:
    """One start-and-stop; returns '' when it went right, else what went wrong."""
    runner, target, signum = WAYS[index % len(WAYS)]
    port = free_port()
    if runner == "python":
        argv = [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "0"]
    else:
        argv = ["make", "-s", "run", f"PORT={port}", "ARGS=--records 0"]
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        way = f"try {index}: {runner} run, {signal.Signals(signum).name} to {target}"
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/openapi.json", process)
            if target == "group":
                os.killpg(process.pid, signum)
            elif target == "mock":
                [mock] = _children(process.pid)
                os.kill(mock, signum)
            elif target == "worker":
                [mock] = _children(process.pid) if runner == "make" else [process.pid]
                [worker] = _children(mock)
                os.kill(worker, signum)
            else:
                os.kill(process.pid, signum)
            deadline = time.monotonic() + STOP_WITHIN
            while _group_alive(process.pid, process) and time.monotonic() < deadline:
                time.sleep(0.02)
            if _group_alive(process.pid, process):
                return f"{way}: still running after {STOP_WITHIN} s"
        finally:
            if _group_alive(process.pid, process):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.seek(0)
        output = out.read()
    by_signal = runner == "make" and target in ("group", "make")  # make re-raises the signal it got
    if process.returncode not in ((0, -signum) if by_signal else (0,)):
        return f"{way}: exit code {process.returncode}:\n{output[-1500:]}"
    stopped = [line for line in output.splitlines() if "stopped" in line]
    if len(stopped) != 1 or "Traceback" in output or "make: ***" in output:
        return f"{way}: expected one 'stopped' line and nothing else, got:\n{output[-1500:]}"
    return ""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_stops_within_2s_every_time_on_busy_cpus(busy_cpus: None) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [problem for problem in pool.map(_try, range(TRIES)) if problem]
    assert not failures, "\n".join(failures)
