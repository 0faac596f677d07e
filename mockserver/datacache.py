"""A disk cache of the generated data set, so a restart of the mock skips Faker (about 0.3 s).

Generated records depend only on (provider, seed, count) and the generating code, so they are kept
as JSON lines under $XDG_CACHE_HOME/truto-interviews-kit (or ~/.cache/...), keyed by those and by a
hash of the code that shapes them. Any problem reading or writing falls back to generating.
TRUTO_MOCK_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import contracts.providers.ceipal
import contracts.providers.pinpoint

Records = Iterator[dict[str, Any]]


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "truto-interviews-kit"


@cache
def _code_hash() -> str:
    from mockserver import dataset

    digest = hashlib.sha256()
    for module in (dataset, contracts.providers.ceipal, contracts.providers.pinpoint):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def cached(key: str, count: int, produce: Callable[[], Records]) -> Records:
    """Yield the `count` records stored under `key`, or produce them (caching them as they stream)."""
    if os.environ.get("TRUTO_MOCK_NO_CACHE"):
        yield from produce()
        return
    path = cache_dir() / f"{key}-{_code_hash()}.jsonl"
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
