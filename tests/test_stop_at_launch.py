"""A stop signal at any instant from launch: `python -m contracts gate` and `truto-contracts gate`,
as real processes against a server that never answers, signalled from the start of the run to about
a second in. Whether it lands while the kit is still importing, before the first request or during
the run: one line (or the run's stop lines), exit 130 / 143, never a traceback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile import TOKEN, environment
from tests.mock_helpers import CEIPAL_ACCOUNT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")

SCRIPT = Path(sys.executable).parent / "truto-contracts"
STARTING = ": stopped before any request; exiting now"
RUNNING = ": stopping; what was found is reported"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections (the kernel's backlog) and never answers: a run stays in its probe."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def _catches(pid: int, number: int) -> bool:
    """Whether the process has a handler for `number` (the SigCgt mask of /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) >> (number - 1) & 1)


def _launch_and_signal(command: list[str], at: float, sig: signal.Signals, tmp: Path) -> tuple[int, str, str, float]:
    """Launch, signal `at` seconds later, wait for the exit: (code, stdout, stderr, seconds until the kit
    took its signals). A signal is never sent before that moment: until then the process is CPython's
    own start (its `site`, the installed packages' .pth files), where no code of the kit can run."""
    out, err = tmp / f"out-{at}-{sig.name}.txt", tmp / f"err-{at}-{sig.name}.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        launched = time.monotonic()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=environment(), cwd=tmp)
        try:
            # Python itself never catches SIGTERM: a handler for it is the kit's (its first instruction).
            while not _catches(process.pid, signal.SIGTERM) and process.poll() is None:
                assert time.monotonic() - launched < 30, "the kit never took its stop signals"
                time.sleep(0.001)
            took = time.monotonic() - launched
            time.sleep(max(0.0, launched + at - time.monotonic()))
            process.send_signal(sig)
            code = process.wait(20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return code, out.read_text(), err.read_text(), took


@pytest.mark.parametrize(
    ("entry", "at", "sig"),
    [
        ("-m", 0.0, signal.SIGINT),
        ("script", 0.0, signal.SIGTERM),
        ("-m", 0.05, signal.SIGTERM),
        ("script", 0.15, signal.SIGINT),
        ("-m", 0.4, signal.SIGINT),
        ("-m", 1.0, signal.SIGTERM),
    ],
)
def test_a_stop_at_any_instant_from_launch_is_one_line_never_a_traceback(
    entry: str, at: float, sig: signal.Signals, silent_port: int, tmp_path: Path
) -> None:
    start = [sys.executable, "-m", "contracts"] if entry == "-m" else [str(SCRIPT)]
    command = [*start, "gate", "--base-url", f"http://127.0.0.1:{silent_port}",
               "--account", f"ceipal={CEIPAL_ACCOUNT}", "--timeout", "10"]  # fmt: skip
    code, out, err, took = _launch_and_signal(command, at, sig, tmp_path)
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    assert TOKEN not in out + err
    assert code == 128 + sig, (code, err)  # the run (10 s --timeout) cannot have finished by itself
    lines = err.splitlines()
    if lines and lines[0].endswith(f"{sig.name}{STARTING}"):  # still starting: that line alone
        assert lines == [f"python -m contracts: {sig.name}{STARTING}"] and out == ""
    else:  # the run had begun: it stops and reports what it found (tests/test_hostile_server.py)
        assert f"gate: {sig.name}{RUNNING}" in err, err
    print(f"{entry} {sig.name} at {at}s: took the signals {took * 1000:.0f} ms after launch")


def test_the_entry_points_import_nothing_of_the_kit_before_the_signals_are_taken(tmp_path: Path) -> None:
    """What runs before `main`'s first line: the packages (their names load on first use, but for
    `contracts.basis`, see `contracts/__init__.py`), the entry module and the stop-signal module; the
    kit's heavy modules come after the signals."""
    probe = (
        "import sys; from contracts.__main__ import main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('contracts', 'httpx', 'mockserver')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    before = ["contracts", "contracts.__main__", "contracts.basis", "contracts.live", "contracts.live.signals"]
    assert loaded.stdout.strip() == str(before)
