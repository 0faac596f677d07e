"""Stop signals for `python -m mockserver`: SIGINT, SIGTERM and SIGHUP, owned by the main thread.

Installed as the first thing the command does (this module imports only the standard library), so a
signal at any instant has one meaning: while starting it interrupts the start (one line, exit 130);
once serving it asks the server to stop (the stop line, exit 0). The HTTP server runs its event loop
in another thread and so installs no handlers of its own.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""SIGHUP (a closed terminal) stops the mock like Ctrl-C."""


class Interrupted(BaseException):
    """A stop signal arrived while the mock was still starting (a BaseException, like KeyboardInterrupt,
    so no `except Exception` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


RESEND_SECONDS = 0.01
RESEND_FOR = 5.0
"""An interruption lost in a `__del__` is sent again for this long (a start takes a second or two)."""


class _Stops:
    def __init__(self) -> None:
        self.requested = threading.Event()
        self.signals: list[int] = []
        self.raising = True
        self.during_start = False
        self.caught = False
        self.quiet = 0  # > 0: inside `held()` or the unraisable hook, where the handler must not raise
        self.resending = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self is not _stops:  # pragma: no cover - a handler left from an earlier install
            return
        self.signals.append(signum)
        self.requested.set()
        self._interrupt(signum)

    def release(self) -> None:
        """The end of `held()`: a stop that came meanwhile interrupts the start now."""
        self.quiet -= 1
        if self.signals:
            self._interrupt(self.signals[0])

    def _interrupt(self, signum: int) -> None:
        """While starting, and where raising is safe, a stop signal interrupts the start."""
        if self.raising and not self.caught and not self.quiet:
            self.during_start = True
            raise Interrupted(signum)

    def unraisable(self, info: Any) -> None:
        """Where an exception cannot propagate (a weakref callback, `__del__`), Python prints it as
        "Exception ignored" and goes on: an Interrupted there is raised again, silently, by a thread
        that sends the signal to the main thread once this hook has returned (a signal sent from
        inside the hook would run the handler inside it: "Exception ignored in sys.unraisablehook")."""
        if isinstance(info.exc_value, Interrupted) and info.exc_value.signum and not self.caught:
            self.quiet += 1
            if not self.resending:
                self.resending = True
                threading.Thread(
                    target=self._resend, args=(info.exc_value.signum,), name="truto-mock-resend-stop", daemon=True
                ).start()
            self.quiet -= 1  # the last statement: Python runs no handler before the hook returns
            return
        _default_unraisable(info)

    def _resend(self, signum: int) -> None:
        """Send `signum` to the main thread every RESEND_SECONDS until the start has caught an
        Interrupted (or is serving, where a signal only asks to stop), for at most RESEND_FOR."""
        main = threading.main_thread().ident
        deadline = time.monotonic() + RESEND_FOR
        try:
            while time.monotonic() < deadline and main is not None:
                time.sleep(RESEND_SECONDS)
                if self.caught or not self.raising or self is not _stops:
                    return
                if not self.quiet:
                    signal.pthread_kill(main, signum)
        finally:
            self.resending = False


_stops = _Stops()
_previous: dict[int, Any] = {}
_default_unraisable = sys.unraisablehook


def install() -> bool:
    """Take SIGINT, SIGTERM and SIGHUP: from now on the first one interrupts the start. False when
    they were taken already (the command takes them on import, before its heavier imports)."""
    global _stops
    if _previous:
        return False
    _stops = _Stops()
    sys.unraisablehook = _stops.unraisable
    for sig in STOP_SIGNALS:
        _previous[sig] = signal.signal(sig, _stops.handle)
    return True


@contextmanager
def held() -> Iterator[None]:
    """Hold the stop signals for the block: one that came meanwhile interrupts the start right after
    it, at a point where raising is safe.

    A Python exception raised inside a native extension's module initialisation (orjson's init calls
    back into Python) crashes the interpreter (SIGSEGV): the command imports those modules under
    `held()`. The handler still runs (it records the signal) but raises nothing: blocking the signal
    in the main thread is not enough, since the kernel then hands it to another thread and Python
    still runs the handler in the main thread, wherever it is."""
    stops = _stops
    stops.quiet += 1
    try:
        yield
    except BaseException:
        stops.quiet -= 1
        raise
    stops.release()


NATIVE_EXTENSIONS = ("orjson", "markupsafe", "watchfiles")
"""Third-party packages with native code that the mock imports in its main thread while starting
(a test compares this with what the start really loads): watchfiles also comes in with `import uvicorn`
(its reload supervisor), watched folder or not. uvloop is imported in the server's thread."""


def import_native_extensions() -> None:
    """Import NATIVE_EXTENSIONS with the stop signals held (see `held`); a missing one is left to the
    code that needs it, which says which extra to install."""
    with held():
        for name in NATIVE_EXTENSIONS:
            try:
                importlib.import_module(name)
            except ImportError:
                continue


def uninstall() -> None:
    """Give the signals back to their previous handlers (for a caller that runs `main()` in-process)."""
    for sig, handler in _previous.items():
        signal.signal(sig, handler)
    _previous.clear()
    sys.unraisablehook = _default_unraisable


def interrupt_caught() -> None:
    """The caller has caught the interruption: further signals only set `stop_requested()`."""
    _stops.caught = True


def stop_requested() -> threading.Event:
    """Set by the first stop signal; once serving, the main thread waits on it."""
    return _stops.requested


def interrupted_start() -> bool:
    """True when the first stop signal came while starting. Code it interrupted may have turned the
    Interrupted into another exception (an error raised in `__set_name__` becomes a RuntimeError)."""
    return _stops.during_start


def first_signal() -> str:
    """The name of the first stop signal received (SIGINT, ...)."""
    return signal.Signals(_stops.signals[0]).name if _stops.signals else "stop"


def serving() -> None:
    """From now on a stop signal only sets `stop_requested()`: the serving loop ends the server."""
    _stops.raising = False


# --- `make run` when only make is signalled ---------------------------------------------------------

_MAKE_NAMES = ("make", "gmake")


def _proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _mask(status: dict[str, str], field: str) -> set[int]:
    mask = int(status.get(field, "0"), 16)
    return {sig for sig in STOP_SIGNALS if mask >> (sig - 1) & 1}


def _make_ancestor() -> int | None:
    """The `make` this mock runs under (its parent, or its grandparent through a shell), if any."""
    pid = os.getppid()
    for _ in range(2):
        status = _proc_status(pid)
        if status.get("Name", "").strip() in _MAKE_NAMES:
            return pid
        pid = int(status.get("PPid", "0") or 0)
        if pid <= 1:
            return None
    return None


def follow_make(poll_seconds: float = 0.05) -> None:
    """Stop when the `make` above us is told to stop, or goes. GNU make does not pass a signal sent to
    it alone on to its child (a terminal sends Ctrl-C to the whole group) and waits for the child; but
    its handler sets that signal back to the default, which /proc (Linux) shows: a thread watches for
    a stop signal make neither catches nor ignores, and sends the same signal to this process."""
    if not sys.platform.startswith("linux"):
        return
    make = _make_ancestor()
    if make is None or not _mask(_proc_status(make), "SigCgt"):
        return

    def received(status: dict[str, str]) -> set[int]:
        return {int(sig) for sig in STOP_SIGNALS} - _mask(status, "SigCgt") - _mask(status, "SigIgn")

    def watch() -> None:
        while not _stops.requested.is_set():
            status = _proc_status(make)
            if not status or received(status):
                os.kill(os.getpid(), min(received(status), default=signal.SIGTERM))
                return
            time.sleep(poll_seconds)

    threading.Thread(target=watch, name="truto-mock-follow-make", daemon=True).start()


def ignore_further() -> None:
    """The command is done: a stop signal from now on is ignored. Python's finalization sets the
    signals it handles back to their defaults, so a second Ctrl-C in the last instants of a stop
    would otherwise kill the mock by the signal after its stop line (exit -2; make adds
    `make: *** [...] Interrupt`). An ignored signal is left ignored."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def settle_with_make(timeout: float = 1.0) -> None:
    """Before exiting under make, let make's handler take a stop signal that is still pending in it.

    A terminal's Ctrl-C reaches make and the mock at once. When make is not scheduled before the mock
    has exited (a busy machine), make's main loop reaps the mock first; its signal handler then waits
    for a child that is gone and fails with `make: *** wait: No child processes.  Stop.` (exit 2).
    /proc shows the signal pending in make (`ShdPnd`/`SigPnd`) while make still catches it; once its
    handler runs it resets the signal to the default. The wait ends after `timeout` whatever make does:
    the mock's exit is never held longer (it then says nothing more, to keep the stop to one line)."""
    if not sys.platform.startswith("linux"):
        return
    make = _make_ancestor()
    if make is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _proc_status(make)
        if not (_mask(status, "ShdPnd") | _mask(status, "SigPnd")) & _mask(status, "SigCgt"):
            return
        time.sleep(0.005)
