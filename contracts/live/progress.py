"""Progress lines on stderr: one whole line per write under one lock, so the lines of accounts read
concurrently (and of the client's waits) never run together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TextIO

_PRINTING = threading.Lock()


def say_to(progress: TextIO | None, prefix: str) -> Callable[[str], None]:
    """A printer of `prefix` + line + newline to `progress` (None: prints nothing)."""
    if progress is None:
        return lambda line: None

    def say(line: str) -> None:
        with _PRINTING:
            progress.write(f"{prefix}{line}\n")
            progress.flush()

    return say
