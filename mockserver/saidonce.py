"""Say in the terminal, once per kind, that a bound was hit: the client's answer says it every time, the
terminal only the first time (a flood of slow or refused clients is one line, not thousands)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

log = logging.getLogger("mockserver")


class SaidOnce:
    """`said(key, line)` logs `truto-mock: <line> (said once)` the first time `key` comes, never again."""

    def __init__(self) -> None:
        self._said: set[Hashable] = set()
        self._lock = threading.Lock()

    def __call__(self, key: Hashable, line: str) -> None:
        with self._lock:
            if key in self._said:
                return
            self._said.add(key)
        log.warning("truto-mock: %s (said once)", line)
