"""The request journal: the last N requests to the API, each with the contract verdict of its answer.

Verdicts are computed when the journal is read, not while serving, so keeping a journal costs the
hot path one append under a lock held for nothing else; readers judge entries under a lock of their own.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.responses import Exchange, check_response, verdict

JUDGING = threading.Lock()
"""Held while an entry is judged: the journal and the request log share entries, judged once."""


@dataclass
class Entry:
    """One answered request, as the journal keeps it (the body only until it is judged)."""

    seq: int
    at: float
    method: str
    path: str
    query: str
    status: int
    latency_ms: float
    provider: str | None
    scenario: str
    headers: dict[str, str]
    body: Any = field(repr=False)
    _verdict: list[str] | None = field(default=None, repr=False)
    _word: str = field(default="conforms", repr=False)
    _assumed: list[str] = field(default_factory=list, repr=False)

    def verdict(self) -> list[str]:
        """The contract violations of the response (empty when it conforms); those resting on an
        assumption say so (`[rule; assumed A-...]`). Call it holding JUDGING."""
        if self._verdict is None:
            url = f"{self.path}?{self.query}" if self.query else self.path
            exchange = Exchange.from_url(url, provider=self.provider, method=self.method)
            found = check_response(self.status, self.headers, self.body, exchange)
            self._word, self._assumed = verdict(found), sorted({v.basis for v in found if v.assumed})
            self._verdict = [str(v) for v in found]
            self.body = None  # the verdict is all the journal keeps of a body
        return self._verdict

    def word(self) -> str:
        """`conforms`, `unconfirmed` (only assumed rules broken) or `violates`."""
        with JUDGING:
            self.verdict()
        return self._word

    def to_json(self) -> dict[str, Any]:
        violations = self.verdict()
        return {
            "seq": self.seq,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at)),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "latency_ms": round(self.latency_ms, 2),
            "provider": self.provider,
            "scenario": self.scenario,
            "verdict": self._word,
            "violations": violations,
            "assumptions": self._assumed,
        }


class Journal:
    """A bounded, thread-safe log of requests, newest last."""

    def __init__(self, size: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._lock = threading.Lock()  # the request path's: appends only
        self._seq = itertools.count(1)
        self.listeners: list[Callable[[Entry], None]] = []
        """Called with each new entry, outside the lock (the plugin's coverage report counts them)."""

    def record(self, **values: Any) -> Entry:
        with self._lock:
            entry = Entry(seq=next(self._seq), at=time.time(), **values)
            self._entries.append(entry)
        for listener in self.listeners:
            listener(entry)
        return entry

    def entries(self) -> list[Entry]:
        """Newest first."""
        with self._lock:
            entries = list(self._entries)
        entries.reverse()
        with JUDGING:  # readers never race on an entry; the request path never waits for them
            for entry in entries:
                entry.verdict()
        return entries

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
