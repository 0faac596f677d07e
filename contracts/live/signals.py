"""SIGINT and SIGTERM as a run's `Stop`: the first stops sending at once and lets the run write every
report it was asked for (exit 128 + the signal: 130, 143); a second one, or a signal before a run
has started, ends the process at once with one line. A CI cancel sends SIGTERM (often after
SIGINT), so both are handled alike, from the command's first instruction on: `python -m contracts`
and `truto-contracts` take them before they import the kit, so a stop at any instant from launch is
one line and exit 130 / 143, never a traceback. This module imports only the standard library.
"""

from __future__ import annotations

import contextlib
import os
import signal
from types import FrameType

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: imported before the kit, keep it light
if TYPE_CHECKING:
    from contracts.live.clock import Stop

HANDLED = (signal.SIGINT, signal.SIGTERM)


def _line(text: str) -> None:
    with contextlib.suppress(OSError):  # os.write: safe even if the handler interrupted a print
        os.write(2, text.encode("utf-8", "replace"))


class StopSignals:
    """The process's stop-signal handler; `attach` hands it the running command's `Stop`."""

    def __init__(self) -> None:
        self.stop: Stop | None = None
        self.command = "python -m contracts"

    def install(self) -> None:
        """Take SIGINT and SIGTERM for this process (the command's first instruction)."""
        for number in HANDLED:
            signal.signal(number, self._handle)

    def attach(self, stop: Stop, command: str) -> None:
        self.stop, self.command = stop, command

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        stop = self.stop
        if stop is None or stop.signal is not None:
            what = "a second stop signal" if stop is not None else "stopped before any request"
            _line(f"{self.command}: {name}: {what}; exiting now\n")
            os._exit(128 + signum)
        stop.interrupt(signum)
        _line(f"{self.command}: {name}: stopping; what was found is reported (a second signal exits at once)\n")

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.event.is_set()


SIGNALS = StopSignals()
"""The one handler of this process (signals are process-wide)."""
