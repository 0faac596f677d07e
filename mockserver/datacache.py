"""A disk cache of the generated data set, so a restart of the mock skips Faker (about 0.3 s).

Records are kept as JSON lines in the user's cache folder (platformdirs: $XDG_CACHE_HOME or ~/.cache
on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows), one file per key. The caller makes
the key from everything the records depend on (for the data set: provider, seed, count, a hash of
the code that shapes them and the versions of Faker and of the kit); this module knows nothing of
what it stores. Any problem reading or writing falls back to producing. TRUTO_MOCK_NO_CACHE=1 turns
the cache off.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs

Records = Iterator[dict[str, Any]]


APP_NAME = "truto-interviews-kit"
"""The kit's distribution name: its cache folder's name, and its version is part of the cache key."""


def cache_dir() -> Path:
    """This kit's folder in the user's cache directory (platformdirs honours XDG_CACHE_HOME)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def cached(key: str, count: int, produce: Callable[[], Records]) -> Records:
    """Yield the `count` records stored under `key`, or produce them (caching them as they stream)."""
    if os.environ.get("TRUTO_MOCK_NO_CACHE"):
        yield from produce()
        return
    path = cache_dir() / f"{key}.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        lines = []
    if count and len(lines) == count:  # written atomically, so a complete file is a good file
        for line in lines:
            yield json.loads(line)
        return
    yield from _produce_and_store(path, produce)


def _produce_and_store(path: Path, produce: Callable[[], Records]) -> Records:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:  # a read-only home: just generate
        yield from produce()
        return
    complete = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for record in produce():
                handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                yield record
        complete = True
    finally:
        if complete:
            os.replace(temporary, path)  # atomic: a reader sees all of it or nothing
        else:
            os.unlink(temporary)
