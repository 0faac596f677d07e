"""The request log of a test: every API request since the mock's reset, oldest first, to assert on.

Unlike the journal (the last `journal_size` requests, for the page and `/__mock__/requests`), the log
keeps every request of the test, up to LOG_LIMIT, with what the client sent: the query parsed, the
headers (the `Authorization` value masked: no token is ever kept) and whether the token was the
right one. Entries share the journal's, so a verdict is computed once; bodies are judged in batches
as the log grows, so a long test holds verdicts, not bodies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from contracts.query import QueryError, decode
from mockserver.journal import JUDGING, Entry

log = logging.getLogger("mockserver")
LOG_LIMIT = 10_000
"""Requests the log keeps per test (since a reset); later ones are counted, not kept, and one line says so."""
JUDGE_BATCH = 200
"""Unjudged entries the log lets pile up before judging them (and dropping their bodies)."""
SETTLE_SECONDS = 1.0
"""How long `requests()` waits for a request the live mock is still delaying (its client may have just
given up on it) before listing it as it stands; one line says so when it is hit."""
READ_TIMEOUT = "read-timeout"
"""`interrupted` of a request whose client stopped waiting during the answer's latency (its read timeout)."""
MASKED = "***"
SECRET_HEADERS = ("authorization", "proxy-authorization")


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers with lower-case names; a credential keeps its scheme word only (`Bearer ***`)."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in SECRET_HEADERS:
            scheme, sep, _ = value.strip().partition(" ")
            value = f"{scheme} {MASKED}" if sep else MASKED
        out[key] = value
    return out


def parse_query_dict(query_string: str) -> dict[str, Any]:
    """The query as a dict the way the mock reads it: `a[]=1&a[]=2` a list, `created_at[gt]=...` and
    `remote_query[k]=v` nested dicts. A query the decoder refuses is split plainly (repeated names a list)."""
    try:
        return decode(query_string)
    except QueryError:
        out: dict[str, Any] = {}
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            if name in out:
                previous = out[name]
                out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[name] = value
        return out


@dataclass(frozen=True, eq=False)
class LoggedRequest:
    """One request the mock answered during the test (`truto_mock.requests()`, `truto_respx.requests()`).

    Fields read as attributes or keys (`entry.status`, `entry["status"]`).
    """

    method: str
    """As sent (`GET`, `HEAD`, ...)."""
    path: str
    """As sent, percent-decoded."""
    query_string: str
    """The raw query, without `?`."""
    headers: dict[str, str]
    """The request's headers, names in lower case, `Authorization` masked (`Bearer ***`)."""
    token_ok: bool
    """The bearer token was the configured one (`token=`), or any token was sent where none is configured."""
    status: int | None
    """The status the client received; None when it got none (a script's `fail="drop"` or
    `"connect-timeout"`, or a latency beyond the client's read timeout)."""
    interrupted: str | None
    """`drop`, `cut` or `connect-timeout` when a script broke the connection, `read-timeout` when the
    client gave up during the answer's latency, else None."""
    scenario: str
    """What shaped the answer: a `Prefer` header, `fault: code=...`, `script: ...`, or empty."""
    latency_ms: float
    """How long the mock took to answer, in milliseconds, scripted latency included."""
    _entry: Entry = field(repr=False)

    @cached_property
    def query(self) -> dict[str, Any]:
        """The query parsed into a dict: lists, filters (`{"created_at": {"gt": ...}}`), `remote_query`."""
        return parse_query_dict(self.query_string)

    @property
    def verdict(self) -> str:
        """`conforms`, `unconfirmed` (only the kit's assumptions broken) or `violates`: what the contract
        says of the answer the mock gave."""
        return self._entry.word()

    @property
    def violations(self) -> list[str]:
        """Each contract violation of the answer (empty when it conforms)."""
        with JUDGING:
            return list(self._entry.verdict())

    def __getitem__(self, key: str) -> Any:
        if key.startswith("_") or key not in FIELDS:
            raise KeyError(f"{key!r}; a logged request has {', '.join(FIELDS)}")
        return getattr(self, key)

    def to_json(self) -> dict[str, Any]:
        """Every field by name (the Authorization header masked), JSON-safe: to save or print a test's requests."""
        return {name: getattr(self, name) for name in FIELDS}

    def __str__(self) -> str:
        query = f"?{self.query_string}" if self.query_string else ""
        status = self.status if self.status is not None else f"no answer ({self.interrupted})"
        return f"{self.method} {self.path}{query} -> {status}"


FIELDS = (
    "method", "path", "query", "query_string", "headers", "token_ok", "status", "interrupted", "scenario",
    "latency_ms", "verdict", "violations",
)  # fmt: skip
"""What each logged request tells (README lists them)."""


class RequestLog:
    """Every API request since the last reset (up to LOG_LIMIT), oldest first, thread-safe."""

    def __init__(self, limit: int = LOG_LIMIT) -> None:
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._entries: list[LoggedRequest] = []
        self._unjudged: list[Entry] = []
        self._held: list[LoggedRequest] = []
        self.limit = limit
        self.dropped = 0
        """Requests not kept since the reset, because the log was full."""

    def append(self, entry: LoggedRequest) -> None:
        backlog: list[Entry] = []
        with self._lock:
            if len(self._entries) >= self.limit:
                self.dropped += 1
                if self.dropped == 1:
                    log.warning(
                        "request log full: kept the first %d requests since the reset; later ones are not logged",
                        self.limit,
                    )
                return
            self._entries.append(entry)
            self._unjudged.append(entry._entry)
            if len(self._unjudged) >= JUDGE_BATCH:
                backlog, self._unjudged = self._unjudged, []
        if backlog:
            with JUDGING:
                for judged in backlog:
                    judged.verdict()

    def entries(self, settle: float = SETTLE_SECONDS) -> list[LoggedRequest]:
        """The requests, once none is held by an adapter still waiting out its latency (`held`), or
        after `settle` seconds, as they stand."""
        with self._settled:
            if not self._settled.wait_for(lambda: not self._held, timeout=settle):
                log.warning(
                    "request log: %d request(s) still waiting out their latency after %g s; listed with "
                    "the status the mock is about to send",
                    len(self._held),
                    settle,
                )
            return list(self._entries)

    @contextmanager
    def held(self, entry: LoggedRequest | None) -> Iterator[None]:
        """While the live mock waits out an answer's latency: `entries()` waits for the outcome (the
        client may give up at its read timeout), so a test reading the log right after its client
        raised sees what that client saw."""
        if entry is None:
            yield
            return
        with self._lock:
            self._held.append(entry)
        try:
            yield
        finally:
            with self._settled:
                self._held = [held for held in self._held if held is not entry]
                self._settled.notify_all()

    def unanswered(self, entry: LoggedRequest, interrupted: str, latency_ms: float) -> None:
        """The client of `entry` got no answer: the entry says so (no status, `interrupted`, the
        latency the client saw). Nothing happens when the entry is gone (a reset came first)."""
        with self._lock:
            for index in range(len(self._entries) - 1, -1, -1):  # a recent one
                if self._entries[index] is entry:
                    self._entries[index] = replace(entry, status=None, interrupted=interrupted, latency_ms=latency_ms)
                    return

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._unjudged.clear()
            self.dropped = 0
