"""Live data folders: the mock reads its data folder again when a file in it is saved.

watchfiles (inotify, FSEvents or ReadDirectoryChangesW underneath) reports changes from a daemon
thread; a change is served within about a second (changes are grouped for at most `DEBOUNCE_MS`).
A folder that became broken leaves the last good data in place; the terminal and the page say what
is wrong, every problem of every record as at start. Only `python -m mockserver` watches (unless
`--no-watch`); the pytest plugin's `data_dir` never does.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles

if TYPE_CHECKING:
    from mockserver.state import MockState, Reload

PROG = "truto-mock"
DEBOUNCE_MS = 300
"""Changes arriving together (an editor's save, a script writing several files) are read as one,
grouped for at most this long."""
QUIET_MS = 50
"""A group of changes is read once no new change came for this long."""
STOP_SECONDS = 1.0
"""`close()` waits at most this long for the watching thread (a daemon: it never holds up an exit)."""
WAKE_MS = 250
"""The watching thread wakes this often without changes (to notice `close()` and to say it is ready)."""


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # the terminal is gone; the page still shows the problems
        print(line, file=sys.stderr, flush=True)


class FolderWatcher:
    """Reloads a mock's data folder whenever a file in it changes, until `close()`."""

    def __init__(self, state: MockState, say: Callable[[str], None] = _say) -> None:
        if state.config.data_dir is None:
            raise ValueError("only a mock serving a data folder can watch it")
        self.state = state
        self.folder = Path(state.config.data_dir)
        self.say = say
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="truto-mock-watch", daemon=True)
        self.ready = threading.Event()
        """Set once the watch is in place (changes before that are not seen)."""

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(STOP_SECONDS)

    def _run(self) -> None:
        try:
            changes = watchfiles.watch(
                self.folder.resolve(),
                stop_event=self._stop,
                debounce=DEBOUNCE_MS,
                step=QUIET_MS,
                rust_timeout=WAKE_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            )
            for found in changes:
                self.ready.set()
                if found and not self._stop.is_set():
                    self.report(self.state.reload())
        except Exception as exc:  # a vanished folder, too many watches: say so, keep serving
            self.ready.set()
            if not self._stop.is_set():
                self.say(f"{PROG}: stopped watching {self.folder}: {exc}")

    def report(self, result: Reload) -> None:
        """One line per reload in the terminal: what was replaced, or every problem."""
        if result.ok:
            what = f"{len(result.changed)} account(s) replaced" if result.changed else "nothing changed"
            self.say(f"{PROG}: data folder {self.folder} reloaded: {what}")
            return
        lines = [f"{PROG}: data folder {self.folder} cannot be served; still serving the last good data:"]
        self.say("\n".join(lines + [f"  {line}" for line in result.problems]))
