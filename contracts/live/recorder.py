"""The recorder's run: probe every account, then read each one's list in the unified format (with
`remote_data`) through the gate's client (retries, pacing), and hand the interviews to a `Recording`.

A first list page of every account comes before anything is recorded, so a wrong URL, token or
account stops the run with one line (exit 2) and writes nothing. After that, a page that gets no
usable answer (after the client's retries) ends that account's recording there: what was read is
kept and the run says it is partial (exit 3).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from contracts import datafolder
from contracts.live.accounts import Account
from contracts.live.client import ApiClient, Connection, Fetched, LocalRequestError
from contracts.live.clock import SYSTEM_CLOCK, Clock
from contracts.live.masking import SecretMasker
from contracts.live.matrix import walk_query
from contracts.live.probe import probe_problem, truto_message
from contracts.live.recording import Recording
from contracts.live.results import ExitCode
from contracts.params import LIST_PATH
from contracts.responses import parse_body


@dataclass(frozen=True)
class RecordConfig(Connection):
    """Everything a recording needs, already validated (see `contracts.__main__`)."""

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

    @property
    def exit_code(self) -> int:
        """2 before 1 before 3 before 0, as the gate orders them."""
        if self.fatal is not None:
            return ExitCode.USAGE
        if not self.recording.agrees:
            return ExitCode.VIOLATED
        return ExitCode.ERRORED if self.partial else ExitCode.PASSED


def read_page(fetched: Fetched) -> tuple[dict[str, Any], str | None]:
    """(the list page's body, None) or ({}, why the page gave nothing to record after the retries)."""
    tries = f"after {fetched.attempts} attempt{'s' if fetched.attempts != 1 else ''}"
    if fetched.response is None:
        return {}, f"{fetched.error} ({tries})"
    status = fetched.response.status_code
    if status >= 500 or status == 429:
        return {}, f"HTTP {status} ({tries})"
    body, unreadable = parse_body(fetched.response.content)
    if status != 200:
        message = truto_message(body)
        return {}, f"HTTP {status}" + (f": {message}" if message else "")
    if unreadable is not None or not isinstance(body, dict) or not isinstance(body.get("result"), list):
        return {}, "the list answer is not a unified list (no `result` array)"
    return body, None


class Recorder:
    """One recording run against one API; `run()` never raises for what the server does."""

    def __init__(
        self, config: RecordConfig, client: ApiClient, recording: Recording, *, progress: TextIO | None = None
    ) -> None:
        self.config, self.client = config, client
        self.out = RecordRun(recording)
        self._lock = threading.Lock()
        hide = SecretMasker(config.token)  # a server may echo the token in what it says
        self._say: Callable[[str], None] = (
            (lambda line: print(hide(f"[record] {line}"), file=progress, flush=True)) if progress else (lambda _: None)
        )

    def _get(self, account: Account, cursor: str | None) -> Fetched:
        fetched = self.client.get(f"{LIST_PATH}?{walk_query(account.id, cursor, self._limit)}", account=account.id)
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
            return self._run()
        except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
            self.out.fatal = str(exc)
            return self.out

    def _run(self) -> RecordRun:
        firsts: list[Fetched] = []
        for account in self.config.accounts:
            first = self._get(account, None)
            self.out.fatal = probe_problem(first, account, self.config.base_url)
            if self.out.fatal is not None:
                return self.out
            firsts.append(first)
        for account in self.config.accounts:  # accounts appear in the folder in the order given
            self.out.recording.account(self._folder_account(account))
        with ThreadPoolExecutor(max_workers=max(1, min(len(firsts), 8))) as pool:
            list(pool.map(self._walk, self.config.accounts, firsts))
        return self.out

    @staticmethod
    def _folder_account(account: Account) -> datafolder.Account:
        return datafolder.Account(account.id, account.provider, account.label)

    def _walk(self, account: Account, first: Fetched) -> None:
        """Read `account`'s pages from `first` on, recording each, until the end or the cap."""
        label, cap = account.label, self.config.max_records
        fetched, page, kept = first, 1, 0
        cursors: set[str] = set()
        while True:
            body, problem = read_page(fetched)
            if problem is not None:
                with self._lock:
                    self.out.partial.append(f"{label}: stopped at list page {page} with {kept} read: {problem}")
                self._say(f"{label}: stopped at page {page}: {problem}")
                return
            items = [i if isinstance(i, Mapping) else {} for i in body["result"]]
            if cap is not None:
                items = items[: cap - kept]
            with self._lock:
                self.out.recording.add(self._folder_account(account), items)
            kept += len(items)
            next_cursor = body.get("next_cursor")
            self._say(f"{label}: page {page}, {kept} interviews read")
            if not isinstance(next_cursor, str) or not next_cursor:
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
) -> RecordRun:
    """Record with a client built from `config` (or the one given), pacing and retrying as the gate does."""
    try:
        with config.client(clock, given=client) as api:
            return Recorder(config, api, Recording(redact=config.redact), progress=progress).run()
    except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
        return RecordRun(Recording(redact=config.redact), fatal=str(exc))
