"""A stop signal at any instant: one line, the right exit code, a free port, within 2 s, on busy CPUs.

SIGINT at 20 instants spread over 0-3 s after launch, for `python -m mockserver` and for `make run`
(40 tries), sent the ways a stop arrives: to the whole process group (a terminal's Ctrl-C), to the
mock alone, and under make to make alone (make does not pass a signal on: the mock sees make's handler
reset in /proc). A few more tries use SIGTERM and SIGHUP (a closed terminal). One bounded busy loop per
CPU runs meanwhile; tries run four at a time, which keeps the machine busier still.

An instant before the interpreter reaches the mock's first line (Python's own start-up, ~0.1 s) is
out of the mock's hands: each try waits until the mock has taken its signals (its SigCgt in /proc shows
SIGTERM caught) and sends at the planned instant or then, whichever is later.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving import free_port, wait_until_serving

ROOT = Path(__file__).parents[1]
STOP_WITHIN = 2.0
BUSY_SECONDS = 120  # the busy loops end by themselves even if this test is killed
INSTANTS = [3.0 * i / 19 for i in range(20)]
PYTHON_TARGETS = ("group", "mock")
MAKE_TARGETS = ("group", "make", "mock")
WAYS = [
    *(("python", at, PYTHON_TARGETS[i % 2], signal.SIGINT) for i, at in enumerate(INSTANTS)),
    *(("make", at, MAKE_TARGETS[i % 3], signal.SIGINT) for i, at in enumerate(INSTANTS)),
    ("python", 0.3, "group", signal.SIGTERM),
    ("python", 2.5, "mock", signal.SIGHUP),
    ("make", 0.6, "make", signal.SIGTERM),
    ("make", 2.8, "group", signal.SIGHUP),
    ("make", 2.2, "mock", signal.SIGTERM),
    ("make", 1.4, "make", signal.SIGHUP),
]
BUSY = f"import time\nend = time.monotonic() + {BUSY_SECONDS}\nwhile time.monotonic() < end: pass\n"
STARTING = "truto-mock: interrupted while starting"
ENV = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}


@contextmanager
def _session(argv: list[str], **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """`argv` in a session of its own (a stop signal can go to its whole group), its output as text;
    killed with its group at the end of the block if it is still running."""
    process = subprocess.Popen(argv, env=ENV, text=True, start_new_session=True, **popen)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def busy_cpus() -> Iterator[None]:
    loops = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(os.cpu_count() or 2)]
    yield
    for loop in loops:
        loop.kill()
        loop.wait()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _takes_stop_signals(pid: int) -> bool:
    """The process runs the mock and has its own SIGTERM handler (only the mock's code installs one)."""
    try:
        if b"mockserver" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) >> (signal.SIGTERM - 1) & 1)


def _group_alive(pgid: int, leader: subprocess.Popen[str]) -> bool:
    leader.poll()  # reap the leader, or its zombie would keep the group "alive"
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "listening"
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


PORT_TAKEN = ("is in use (another mock running?)", "is still taken after the stop")


def _try(index: int) -> tuple[str, str]:
    """One start-and-stop on a fresh port; again on another port (three tries) when a parallel test
    took this one between `free_port()` and the mock's bind: the mock then says so and exits 2, or the
    port is still held by that other test once the mock is gone. A mock that kept its port on every
    try still fails."""
    for _ in range(3):
        problem, done = _try_on(index, free_port())
        if not any(sign in problem for sign in PORT_TAKEN):
            break
    return problem, done


def _try_on(index: int, port: int) -> tuple[str, str]:
    """One start-and-stop: ('', what happened) when it went right, else (what went wrong, '')."""
    runner, at, target, signum = WAYS[index]
    if runner == "python":
        argv = [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "0"]
    else:
        argv = ["make", "-s", "run", f"PORT={port}", "ARGS=--records 0"]
    way = f"try {index}: {runner} run, {signal.Signals(signum).name} to {target} at {at:.2f} s"
    with tempfile.TemporaryFile("w+") as out:
        launched = time.monotonic()
        process = subprocess.Popen(
            argv, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        try:
            mock = None
            while mock is None and time.monotonic() < launched + 30 and process.poll() is None:
                mock = next((p for p in [process.pid, *_children(process.pid)] if _takes_stop_signals(p)), None)
                time.sleep(0.002)
            if mock is None:
                return f"{way}: the mock never took its signals (exit {process.returncode})", ""
            time.sleep(max(0.0, launched + at - time.monotonic()))
            sent = time.monotonic()
            try:
                {"group": lambda: os.killpg(process.pid, signum), "make": lambda: os.kill(process.pid, signum)}.get(
                    target, lambda: os.kill(mock, signum)
                )()
            except ProcessLookupError:
                process.wait(timeout=STOP_WITHIN)
                out.seek(0)
                return (
                    f"{way}: the mock exited before the signal (exit {process.returncode}):\n{out.read()[-1500:]}",
                    "",
                )
            while _group_alive(process.pid, process) and time.monotonic() < sent + STOP_WITHIN:
                time.sleep(0.02)
            if _group_alive(process.pid, process):
                return f"{way}: still running {STOP_WITHIN} s after the signal", ""
            took = time.monotonic() - sent
        finally:
            if _group_alive(process.pid, process):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.seek(0)
        output = out.read()
    lines = [
        line for line in output.splitlines() if not line.startswith(" ") and line not in ("Try:", "Stop with Ctrl-C.")
    ]
    lines = [line for line in lines if "serving on" not in line]
    stopped = f"Truto interviews mock stopped ({signal.Signals(signum).name})."
    by_make = runner == "make" and target in ("group", "make")  # make exits by the signal it got
    codes = (0, -signum) if by_make else (0,) if runner == "make" else (0, 130)
    if lines not in ([STARTING], [stopped]) or "Traceback" in output:
        return f"{way}: expected one line, got (exit {process.returncode}):\n{output[-1500:]}", ""
    expected = 130 if runner == "python" and lines == [STARTING] else 0
    if process.returncode not in codes or (runner == "python" and process.returncode != expected):
        return f"{way}: exit code {process.returncode}:\n{output[-1500:]}", ""
    if not _port_free(port):
        return f"{way}: port {port} is still taken after the stop", ""
    return "", f"{'starting' if lines == [STARTING] else 'serving'} {took:.2f}s"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_stop_at_any_instant_is_one_line_and_frees_the_port(busy_cpus: None) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_try, range(len(WAYS))))
    failures = [problem for problem, _ in results if problem]
    assert not failures, "\n".join(failures)
    kinds = [done.split()[0] for _, done in results]
    assert "starting" in kinds and "serving" in kinds, kinds  # both phases were hit
    print("stops:", ", ".join(done for _, done in results))


def test_a_short_request_in_flight_completes_and_a_long_one_is_cut() -> None:
    """A stop lets a request that needs at most 0.5 s more finish (200); one that needs 8 s is answered
    503 after about 1 s; the mock is gone within 2 s."""
    port = free_port()
    argv = [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "0"]
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/unified/ats/interviews/9001?integrated_account_id=c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"
    answers: dict[str, httpx.Response | Exception] = {}

    def ask(name: str, delay_ms: int) -> None:
        try:
            headers = {"Authorization": "Bearer x", "Prefer": f"delay={delay_ms}"}
            answers[name] = httpx.get(url, headers=headers, timeout=10)
        except Exception as exc:  # reported below
            answers[name] = exc

    with _session(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        wait_until_serving(f"{base}/openapi.json", process)
        threads = []
        for name, delay_ms in (("long", 8000), ("short", 600)):  # the short one has >= 0.4 s to go at the stop
            threads.append(threading.Thread(target=ask, args=(name, delay_ms)))
            threads[-1].start()
            deadline = time.monotonic() + 10
            while len(httpx.get(f"{base}/__mock__/requests").json()["requests"]) < len(threads):
                assert time.monotonic() < deadline, f"the {name} request never reached the mock"
                time.sleep(0.005)
        sent = time.monotonic()
        os.kill(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=STOP_WITHIN + 1)
        took = time.monotonic() - sent
        for thread in threads:
            thread.join(timeout=5)
    short, long = answers["short"], answers["long"]
    assert isinstance(short, httpx.Response) and short.status_code == 200, short
    assert short.json()["id"] == "9001"
    assert isinstance(long, httpx.Response) and long.status_code == 503, long
    assert long.json()["message"] == "The mock is stopping; this request was cut."
    assert took < STOP_WITHIN and process.returncode == 0
    assert output.strip().endswith("Truto interviews mock stopped (SIGINT).") and "Traceback" not in output


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_under_make_the_mock_outlives_a_ctrl_c_that_make_has_not_handled_yet() -> None:
    """A Ctrl-C reaches make and the mock together; on a busy machine make may run its handler only
    after the mock is gone, and then dies with `make: *** wait: No child processes`. Make is held
    (SIGSTOP) so its SIGINT stays pending: the mock waits for it instead of exiting first."""
    port = free_port()
    argv = ["make", "-s", "run", f"PORT={port}", "ARGS=--records 0"]
    with _session(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        deadline = time.monotonic() + 30
        mock = None
        while mock is None and time.monotonic() < deadline and process.poll() is None:
            mock = next((p for p in _children(process.pid) if _takes_stop_signals(p)), None)
            time.sleep(0.01)
        assert mock is not None, "the mock never took its signals"
        os.kill(process.pid, signal.SIGSTOP)
        while _state(process.pid) != "T" and time.monotonic() < deadline:  # stopped before the Ctrl-C
            time.sleep(0.005)
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.5)
        held = _state(mock)
        os.kill(process.pid, signal.SIGCONT)
        output, _ = process.communicate(timeout=10)
    assert held not in ("Z", "gone"), f"the mock exited before make handled the signal ({held})"
    assert "No child processes" not in output and "Traceback" not in output, output
    assert process.returncode == -signal.SIGINT, (process.returncode, output)


def test_a_closed_stdout_does_not_stop_the_mock() -> None:
    """`truto-mock | head -1`: the reader leaves; the mock serves on and stops cleanly, no traceback."""
    port = free_port()
    argv = [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "0"]
    with _session(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        process.stdout.close()  # gone before the banner is written
        wait_until_serving(f"http://127.0.0.1:{port}/__mock__/health", process)
        assert httpx.get(f"http://127.0.0.1:{port}/__mock__/health", timeout=5).status_code == 200
        os.killpg(process.pid, signal.SIGINT)
        _, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors
    assert "Traceback" not in errors, errors


STOP_THEN_SHOW_HANDLER = """
import signal, sys
from mockserver.__main__ import main
code = main()
print("after main:", signal.getsignal(signal.SIGINT).name, flush=True)
sys.exit(code)
"""


def test_after_its_stop_line_the_mock_ignores_a_second_signal() -> None:
    """Python's finalization sets handled signals back to their defaults, so a second Ctrl-C in the
    last instants of a stop would kill the mock by the signal (exit -2, make adds `Interrupt`): once
    `main` is done the stop signals are ignored."""
    port = free_port()
    argv = [sys.executable, "-c", STOP_THEN_SHOW_HANDLER, "--port", str(port), "--records", "0"]
    with _session(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        wait_until_serving(f"http://127.0.0.1:{port}/__mock__/health", process)
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert "after main: SIG_IGN" in output, output
