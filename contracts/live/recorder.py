"""The recorder's run: probe every account, then read each one's list in the unified format (with
`remote_data`) through the gate's client (retries, pacing), and hand the interviews to a `Recording`.

A first list page of every account comes before anything is recorded, so a wrong URL, token or
account stops the run with one line (exit 2) and writes nothing. After that, a page that gets no
usable answer (after the client's retries) ends that account's recording there: what was read is
kept and the run says it is partial (exit 3).

Pages are written to the data folder as they are read (memory holds a page, not an account), at
most `--page-ceiling` pages per account. A stop signal or the `--deadline` ends the reading within
a second: the folder then holds what was read, marked partial (exit 130/143 for a signal).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from contracts.accounts import Account
from contracts.live.client import ApiClient
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason, await_accounts
from contracts.live.connection import Connection
from contracts.live.fetched import FINAL, Fetched, LocalRequestError
from contracts.live.masking import SecretMasker
from contracts.live.matrix import walk_query
from contracts.live.probe import probe_problem, redirect_to, truto_message
from contracts.live.progress import say_to
from contracts.live.recording import Recording
from contracts.live.results import ExitCode
from contracts.params import LIST_PATH


@dataclass(frozen=True)
class RecordConfig(Connection):
    """Everything a recording needs, already validated (see `contracts.cli.record`)."""

    max_records: int | None = None
    """Interviews kept per account at most (None: all)."""
    page_size: int = 100
    redact: bool = True


@dataclass
class RecordRun:
    """What a recording run did: the recording, whether some account stopped early, and why."""

    recording: Recording
    fatal: str | None = None
    """Nothing was recorded: a usage or connection problem found by the first probe (exit 2)."""
    partial: list[str] = field(default_factory=list)
    """Accounts whose list could not be read to the end, and why (exit 3 when nothing disagrees)."""
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    throttled: int = 0
    stopped: StopReason | None = None
    signal: int | None = None

    @property
    def exit_code(self) -> int:
        """128 + a stop signal; else 2 before 1 before 3 before 0, as the gate orders them."""
        if self.stopped is StopReason.INTERRUPTED:
            return ExitCode.SIGNAL_BASE + (self.signal or 2)
        if self.fatal is not None:
            return ExitCode.USAGE
        if not self.recording.agrees:
            return ExitCode.VIOLATED
        return ExitCode.ERRORED if self.partial else ExitCode.PASSED


def read_page(fetched: Fetched) -> tuple[dict[str, Any], str | None]:
    """(the list page's body, None) or ({}, why the page gave nothing to record after the retries)."""
    tries = f"after {fetched.attempts} attempt{'s' if fetched.attempts != 1 else ''}"
    if fetched.response is None:
        return {}, fetched.error if fetched.failure in FINAL else f"{fetched.error} ({tries})"
    status = fetched.response.status_code
    if status >= 500 or status == 429:
        return {}, fetched.error if fetched.failure in FINAL else f"HTTP {status} ({tries})"
    if 300 <= status < 400:
        return {}, f"HTTP {status}, {redirect_to(fetched.response.headers)} (not followed)"
    body, unreadable = fetched.json()
    if status != 200:
        message = truto_message(body)
        return {}, f"HTTP {status}" + (f": {message}" if message else "")
    if unreadable is not None or not isinstance(body, dict) or not isinstance(body.get("result"), list):
        return {}, "the list answer is not a unified list (no `result` array)"
    return body, None


class Recorder:
    """One recording run against one API; `run()` never raises for what the server does."""

    def __init__(
        self,
        config: RecordConfig,
        client: ApiClient,
        recording: Recording,
        *,
        progress: TextIO | None = None,
        out: Path | str | None = None,
    ) -> None:
        self.config, self.client, self.folder = config, client, out
        assert client.stop is not None
        self.stop = client.stop
        self.out = RecordRun(recording)
        self._lock = threading.Lock()
        self._closed = False  # the run is over: late pages of abandoned threads are not added
        hide = SecretMasker(config.token)  # a server may echo the token in what it says
        say = say_to(progress, "[record] ")
        self._say: Callable[[str], None] = lambda line: say(hide(line))

    def _get(self, account: Account, cursor: str | None, *, probe: bool = False) -> Fetched:
        target = f"{LIST_PATH}?{walk_query(account.id, cursor, self._limit)}"
        fetched = self.client.get(target, account=account.id, probe=probe)
        with self._lock:
            self.out.requests += fetched.attempts
            self.out.throttled += fetched.throttled
        return fetched

    @property
    def _limit(self) -> int:
        cap = self.config.max_records
        return min(self.config.page_size, cap) if cap else self.config.page_size

    def run(self) -> RecordRun:
        try:
            self._run()
        except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
            self.out.fatal = str(exc)
        with self._lock:
            self._closed = True
        self.out.stopped, self.out.signal = self.stop.reason, self.stop.signal
        if self.out.stopped is not None and self.out.fatal is None:
            how = "interrupted by a stop signal" if self.out.stopped is StopReason.INTERRUPTED else (
                "stopped at the --deadline")  # fmt: skip
            self.out.partial.append(f"the recording was {how}; the folder holds what was read until then")
        self.out.notes += self.client.notes
        self.out.recording.partial = list(self.out.partial)
        return self.out

    def _run(self) -> None:
        firsts: list[Fetched] = []
        for account in self.config.accounts:
            first = self._get(account, None, probe=True)
            self.out.fatal = probe_problem(first, account, self.config.base_url)
            if self.out.fatal is not None or self.stop.reason is not None:
                return
            firsts.append(first)
        for account in self.config.accounts:  # accounts appear in the folder in the order given
            self.out.recording.account(account)
        if self.folder is not None:
            self.out.recording.stream_to(self.folder)
        pool = ThreadPoolExecutor(max_workers=max(1, min(len(firsts), 8)))
        try:
            futures = [pool.submit(self._walk, a, f) for a, f in zip(self.config.accounts, firsts, strict=True)]
            await_accounts(futures, self.stop, self.client.clock)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _walk(self, account: Account, first: Fetched) -> None:
        """Read `account`'s pages from `first` on, recording each, until the end or the cap."""
        label, cap = account.label, self.config.max_records
        fetched, page, kept = first, 1, 0
        cursors: set[str] = set()
        ceiling = self.config.page_ceiling
        while True:
            if self.stop.reason is not None:
                return
            body, problem = read_page(fetched)
            if problem is not None:
                if self.stop.reason is None:
                    with self._lock:
                        self.out.partial.append(f"{label}: stopped at list page {page} with {kept} read: {problem}")
                    self._say(f"{label}: stopped at page {page}: {problem}")
                return
            items = [i if isinstance(i, Mapping) else {} for i in body["result"]]
            if cap is not None:
                items = items[: cap - kept]
            with self._lock:
                if self._closed:
                    return
                recorded = self.out.recording.add(account, items)
            kept += len(items)
            next_cursor = body.get("next_cursor")
            del body
            if page <= 10 or page % 50 == 0 or not next_cursor:
                dups = f", {recorded.duplicates} duplicate id(s) skipped" if recorded.duplicates else ""
                self._say(f"{label}: page {page}, {kept} interviews read, {len(recorded.seen)} distinct{dups}")
            if not isinstance(next_cursor, str) or not next_cursor:
                return
            if ceiling and page >= ceiling:
                with self._lock:
                    self.out.notes.append(f"{label}: stopped at --page-ceiling {ceiling} pages with {kept} read; the "
                                          "account has more (--page-ceiling 0 reads without a ceiling)")  # fmt: skip
                return
            if cap is not None and kept >= cap:
                with self._lock:
                    self.out.notes.append(f"{label}: stopped at --max-records {cap}; the account has more")
                return
            if next_cursor in cursors:
                with self._lock:
                    self.out.partial.append(f"{label}: the list's next_cursor came back to a page already read")
                return
            cursors.add(next_cursor)
            fetched, page = self._get(account, next_cursor), page + 1


def run_recording(
    config: RecordConfig,
    *,
    progress: TextIO | None = None,
    clock: Clock = SYSTEM_CLOCK,
    client: ApiClient | None = None,
    stop: Stop | None = None,
    out: Path | str | None = None,
) -> RecordRun:
    """Record with a client built from `config` (or the one given), pacing and retrying as the gate
    does; with `out`, records are streamed to that folder as they are read (`Recording.write` then
    finishes it); `stop` ends the run early, keeping what was read."""
    recording = Recording(redact=config.redact, token=config.token)
    try:
        with config.client(clock, given=client, stop=stop, say=say_to(progress, "[record] ")) as api:
            return Recorder(config, api, recording, progress=progress, out=out).run()
    except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
        return RecordRun(recording, fatal=str(exc))
