"""A stop signal never lands inside a native extension's import (a crash there is SIGSEGV, no line)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import pytest

from mockserver import stopsignals

ROOT = Path(__file__).parents[1]

# What the mock's start loads in its main thread, as `python -m mockserver` does before serving.
START = """
import sys
from mockserver import stopsignals
stopsignals.install()
stopsignals.import_native_extensions()
before = set(sys.modules)
from mockserver.cli import run_cli
import mockserver.serve, mockserver.asgi, mockserver.httpserver, mockserver.bridge
mockserver.create_app({{"records": 0}})
import uvicorn  # as mockserver.httpserver.HttpServer does, in the main thread (it imports watchfiles)
installed = {INSTALLED!r}
native = {{
    name.split(".")[0] for name, module in list(sys.modules.items())
    if name not in before and (getattr(module, "__file__", None) or "").endswith(".so")
    and (getattr(module, "__file__", None) or "").startswith(installed)
}}
print(" ".join(sorted(native)))
"""


def test_every_third_party_native_module_of_the_start_is_imported_with_signals_held() -> None:
    """A new native dependency imported while starting must join NATIVE_EXTENSIONS."""
    code = START.format(INSTALLED=tuple({sysconfig.get_paths()["platlib"], sysconfig.get_paths()["purelib"]}))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"imported while starting, outside held(): {done.stdout}"
    loaded = subprocess.run(
        [sys.executable, "-c", code.replace("stopsignals.import_native_extensions()", "")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert set(loaded.stdout.split()) == set(stopsignals.NATIVE_EXTENSIONS), loaded.stdout


@pytest.mark.parametrize("sender", ["main thread", "another thread"])
def test_a_signal_while_held_lands_right_after_the_block(sender: str) -> None:
    """Also when another thread takes the signal (the mock's make watcher sends one to its own
    process): Python then still runs the handler in the main thread, inside the held block."""

    def send() -> None:
        signal.raise_signal(signal.SIGTERM) if sender == "another thread" else os.kill(os.getpid(), signal.SIGTERM)

    stopsignals.install()
    try:
        reached_end_of_block = False
        try:
            with stopsignals.held():
                thread = threading.Thread(target=send) if sender == "another thread" else None
                thread.start() if thread else send()
                if thread:
                    thread.join()
                for _ in range(1000):  # bytecode for the handler to run in
                    time.sleep(0)
                assert stopsignals.stop_requested().is_set()
                reached_end_of_block = True
            raise AssertionError("the held signal did not land after the block")
        except stopsignals.Interrupted as interrupted:
            assert interrupted.signum == signal.SIGTERM
        assert reached_end_of_block
    finally:
        stopsignals.interrupt_caught()
        stopsignals.uninstall()


class _SignalledWhileDying:
    """Its finalizer takes a stop signal: the handler's Interrupted cannot propagate out of `__del__`."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # bytecode for the handler to run in, inside __del__
            time.sleep(0)


def test_an_interruption_lost_in_a_finalizer_lands_after_it_silently(capfd: pytest.CaptureFixture[str]) -> None:
    stopsignals.install()
    try:
        with pytest.raises(stopsignals.Interrupted):
            dying = _SignalledWhileDying()
            del dying
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.001)
    finally:
        stopsignals.interrupt_caught()
        stopsignals.uninstall()
    assert "Exception ignored" not in capfd.readouterr().err
