"""The gate's run: probe each account, walk its list, sample ids, check the matrix, judge each answer.

A first probe of every account (the first list page) comes before any check, so a wrong URL, token
or account stops the run with one line (exit 2) before anything is counted. Accounts then run
concurrently, each within its own and the token's rate-limit budget (the client paces).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from contracts.accounts import Account
from contracts.checker import Violation
from contracts.live.baseline import Observer
from contracts.live.client import ApiClient
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason, await_accounts
from contracts.live.connection import Connection
from contracts.live.fetched import STOPPED, Failure, Fetched, LocalRequestError
from contracts.live.findings import locate
from contracts.live.judge import joined, judge, settle
from contracts.live.matrix import (
    WALK,
    WALK_CHECK,
    Case,
    Selection,
    build_cases,
    checks_for,
    instances,
    interview_path,
    plan_names,
    sample_ids,
    walk_query,
)
from contracts.live.probe import id_problem, probe_problem, usable
from contracts.live.progress import say_to
from contracts.live.results import (
    CheckResult,
    GateRun,
    OutageFinding,
    Outcome,
    Skipped,
    SkipReason,
)
from contracts.params import LIST_PATH
from contracts.query import encode_query

OBSERVED_CHECKS = (WALK, "list format=unified", "get format=unified")
"""Checks whose answers are whole unified records: the drift baseline is built from them."""


@dataclass(frozen=True)
class GateConfig(Connection):
    """Everything a gate run needs, already validated (see `contracts.cli.gate`)."""

    ids: tuple[str, ...] = ()
    max_ids: int = 3
    page_size: int = 50
    max_pages: int = 3
    walk_all: bool = False
    concurrency: int = 4
    selection: Selection = field(default_factory=Selection)
    strict_fields: bool = False
    """Fields the contract does not name are violations (not drift)."""
    fields: frozenset[str] | None = None
    """`--fields`: the top-level fields the consumer reads; findings on others are drift only."""

    def plan_key(self) -> dict[str, Any]:
        """What makes a plan (every shard of it alike): the accounts, the checks chosen, the id slots, the shards."""
        chosen = self.selection
        return {
            "accounts": [[a.label, a.provider, a.id] for a in self.accounts],
            "check": list(chosen.include),
            "exclude_check": list(chosen.exclude),
            "id_slots": self.id_slots,
            "shards": chosen.shard[1],
        }

    @property
    def id_slots(self) -> int:
        """Instances of each get check: the ids given with --id, else --max-ids (never the data's count)."""
        return len(dict.fromkeys(self.ids)) or self.max_ids


@contextmanager
def _pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that, when its block fails (a local request failure, Ctrl-C), cancels what has
    not started and does not wait for what has: the run stops promptly."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@dataclass
class _AccountRun:
    account: Account
    results: list[CheckResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    planned: list[tuple[str, str]] = field(default_factory=list)  # (check, instance) to report

    def unfinished(self, reason: StopReason) -> list[CheckResult]:
        """Errored results for what was planned and has no result (the run stopped first)."""
        done = {r.name for r in list(self.results)}
        failure = STOPPED[reason]
        error = "interrupted" if reason is StopReason.INTERRUPTED else "not run: deadline"
        label, provider = self.account.label, self.account.provider
        return [CheckResult(label, provider, check, name, "", Outcome.ERRORED, error=error, failure=failure)
                for check, name in self.planned if name not in done]  # fmt: skip


class Gate:
    """One run of the gate against one API; `run()` never raises for what the server does."""

    def __init__(
        self,
        config: GateConfig,
        client: ApiClient,
        *,
        progress: TextIO | None = None,
        observer: Observer | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.config, self.client, self.observer, self.clock = config, client, observer, clock
        assert client.stop is not None and client.breaker is not None
        self.stop, self.breaker = client.stop, client.breaker
        self._lock = threading.Lock()
        self._held: dict[int, list[str]] = {}  # id(outage) -> the checks it held back
        self._say: Callable[[str], None] = say_to(progress, "[gate] ")

    def run(self) -> GateRun:
        run = GateRun(accounts=list(self.config.accounts), started_at=datetime.now(UTC))
        started = self.clock.now()
        try:
            run.fatal, firsts = self._probe(run)
            if run.fatal is None and firsts is not None:
                self._check(run, firsts)
            elif run.fatal is None and self.stop.reason is not None:
                self._stopped_probing(run, self.stop.reason)
        except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
            run.fatal, run.results, run.skipped = str(exc), [], []
        self.breaker.close_all()
        run.notes += self.client.notes
        run.outages = [OutageFinding(o, tuple(self._held.get(id(o), []))) for o in self.breaker.outages]
        run.stopped, run.signal = self.stop.reason, self.stop.signal
        run.seconds = self.clock.now() - started
        return run

    def _probe(self, run: GateRun) -> tuple[str | None, list[Fetched] | None]:
        """The first list page of every account, then each `--id` on every account, before any check.
        (problem, None): exit 2; (None, None): the API gave no usable first answer (an errored probe
        result is in `run`: exit 3, or the run stopped)."""
        firsts: list[Fetched] = []
        for account in self.config.accounts:
            query = walk_query(account.id, None, self.config.page_size)
            first = self.client.get(f"{LIST_PATH}?{query}", account=account.id, probe=True)
            if first.failure in STOPPED.values():
                return None, None  # stopped before the checks: `_stopped_probing` reports the plan
            problem = probe_problem(first, account, self.config.base_url)
            if problem is not None:
                return problem, None
            if not usable(first):
                self._unusable_probe(run, account, first)
                return None, None
            firsts.append(first)
        for account in self.config.accounts:
            for interview_id in dict.fromkeys(self.config.ids):
                target = f"{interview_path(interview_id)}?{encode_query({'integrated_account_id': account.id})}"
                problem = id_problem(self.client.get(target, account=account.id), account, interview_id)
                if problem is not None:
                    return problem, None
        return None, firsts

    def _unusable_probe(self, run: GateRun, account: Account, first: Fetched) -> None:
        """The first page had no usable answer: one errored result; nothing else is sent."""
        case = Case(account, WALK, WALK, LIST_PATH, walk_query(account.id, None, self.config.page_size),
                    spec=WALK_CHECK)  # fmt: skip
        result, _ = self._judge(case, first)
        if result.outcome != Outcome.ERRORED:  # a garbled 200, twice: an availability error on the probe
            result.outcome, result.failure, result.findings = Outcome.ERRORED, Failure.BROKEN, []
            result.error = f"the first page was not JSON twice in a row ({first.error or 'garbled'})"
        run.results.append(result)
        if self.stop.reason is None:
            run.notes.append(f"{account.label}: the first probe had no usable answer, so nothing else was sent")

    def _stopped_probing(self, run: GateRun, reason: StopReason) -> None:
        """Stopped during the first requests: the plan is fixed by the options, so every account
        still has every planned check, errored `interrupted` (or `not run: deadline`), and its
        selection's skips; the note says no check was sent."""
        for account in self.config.accounts:
            part = _AccountRun(account)
            self._plan(part)
            run.results += part.unfinished(reason)
            run.skipped += part.skipped
        how = "interrupted by a stop signal" if reason is StopReason.INTERRUPTED else "stopped at the --deadline"
        run.notes.append(
            f"the run was {how} during its first requests (the probe of each account's list), before any "
            "check was sent: every planned check of every account is reported unfinished"
        )

    def _plan(self, out: _AccountRun) -> list[str]:
        """The account's checks to run; fills its plan (every instance, by the options alone) and
        the checks the selection leaves out."""
        checks, left = self.config.selection.split(out.account.provider)
        out.skipped += [Skipped(out.account.label, name, why) for name, why in left.items()]
        chosen = set(checks)
        out.planned = [(c.name, name) for c in checks_for(out.account.provider) if c.name in chosen
                       for name in instances(c, self.config.id_slots)]  # fmt: skip
        return checks

    def _check(self, run: GateRun, firsts: list[Fetched]) -> None:
        parts = [_AccountRun(account) for account in self.config.accounts]
        pool = ThreadPoolExecutor(max_workers=max(1, min(len(firsts), 8)))
        try:
            futures = [pool.submit(self._account, a, f, p) for a, f, p in zip(self.config.accounts, firsts, parts,
                                                                              strict=True)]  # fmt: skip
            await_accounts(futures, self.stop, self.clock)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        for part in parts:
            run.results += list(part.results)
            if self.stop.reason is not None:
                run.results += part.unfinished(self.stop.reason)
            run.skipped += part.skipped
            run.notes += part.notes

    def _judge(self, case: Case, fetched: Fetched) -> tuple[CheckResult, Any]:
        return judge(case, fetched, strict_fields=self.config.strict_fields, fields=self.config.fields)

    def _fetch(self, case: Case) -> tuple[CheckResult, Any]:
        fetched = self.client.get(case.target, account=case.account.id)
        result, body = self._judge(case, fetched)
        self._note_held(fetched, result)
        if self.observer is not None and result.status == 200 and case.check in OBSERVED_CHECKS:
            assert fetched.response is not None
            self.observer.add(case.account.provider, body, fetched.response.headers, case.check)
        return result, body

    def _note_held(self, fetched: Fetched, result: CheckResult) -> None:
        if fetched.outage is not None:
            with self._lock:
                self._held.setdefault(id(fetched.outage), []).append(f"[{result.account}] {result.name}")

    def _account(self, account: Account, first: Fetched, out: _AccountRun) -> None:
        """The account's plan: every instance of every chosen check, run or skipped with its reason."""
        checks = self._plan(out)
        slots = self.config.id_slots
        walked, walk_failed = self._walk(account, first, WALK in checks, out)
        ids = list(dict.fromkeys(self.config.ids)) or sample_ids(walked, self.config.max_ids)
        cases = build_cases(account, [c for c in checks if c != WALK], ids, slots)
        ran = {r.name for r in out.results} | {c.name for c in cases}
        for name in plan_names(account.provider, checks, slots):
            if name not in ran and self.stop.reason is not None:
                continue  # the run stopped before the walk gave ids: reported as unfinished
            if name not in ran:  # a get instance without an id: skipped, its name kept
                reason = SkipReason.FEWER_IDS if ids else SkipReason.NO_IDS
                detail = f"the list walk read {len(ids)} id(s)"
                if not ids:
                    detail = f"list walk failed: {walk_failed}" if walk_failed else "the list walk found no interview"
                out.skipped.append(Skipped(account.label, name, reason, detail))
        walked_checks = len(out.results)
        total = walked_checks + len(cases)
        with _pool(self.config.concurrency) as pool:
            for done, (result, _) in enumerate(pool.map(self._fetch, cases), start=walked_checks + 1):
                out.results.append(result)
                if done % 25 == 0 or done == total:
                    bad = sum(r.outcome != Outcome.PASSED for r in out.results)
                    self._say(f"{account.label}: {done}/{total} checked, {bad} not passed so far")

    def _walk(self, account: Account, first: Fetched, record: bool, out: _AccountRun) -> tuple[list[str], str | None]:
        """Page through the list from `first`: to the end with --walk-all (at most --page-ceiling
        pages), else up to --max-pages; memory grows with the ids kept, not with the pages.
        The walk is one check of the plan (its pages are progress, not checks): its result gathers
        every page's findings, and errors when a page had no usable answer. (ids read, why it
        failed or None)."""
        config = self.config
        if config.ids and not record:
            return [], None
        seen: dict[str, int] = {}
        cursors: set[str] = set()
        cursor: str | None = None
        fetched, page = first, 1
        walk: CheckResult | None = None
        try:
            while True:
                query = walk_query(account.id, cursor, config.page_size)
                case = Case(account, WALK, WALK, LIST_PATH, query, spec=WALK_CHECK)
                result, body = self._judge(case, fetched)
                self._note_held(fetched, result)
                walk = result if walk is None else joined(walk, result)
                if self.observer is not None and result.status == 200 and page <= config.max_pages:
                    assert fetched.response is not None  # the baseline sees the pages a default run reads
                    self.observer.add(account.provider, body, fetched.response.headers, WALK)
                items = body.get("result") if isinstance(body, dict) else None
                items = items if isinstance(items, list) else []
                page_ids = [str(i["id"]) for i in items if isinstance(i, dict) and "id" in i]
                extra = [
                    Violation(f"/result/{n}/id", "paging", f"id {i!r} was already on page {seen[i]}")
                    for n, i in enumerate(page_ids)
                    if config.walk_all and i in seen
                ]
                next_cursor = body.get("next_cursor") if isinstance(body, dict) else None
                if isinstance(next_cursor, str) and next_cursor in cursors:
                    extra.append(Violation("/next_cursor", "paging", "a cursor already followed came back: no end"))
                if extra and walk.outcome != Outcome.ERRORED:
                    walk.url = walk.url if walk.violations else result.url
                    walk.findings += [locate(v, body) for v in extra]
                    settle(walk, {*walk.confirmed, *walk.contradicted})
                for i in page_ids:
                    seen.setdefault(i, page)
                if (page > 1 or next_cursor) and (page <= 10 or page % 50 == 0):
                    self._say(f"{account.label}: list page {page}, {len(seen)} ids so far")
                if result.outcome == Outcome.ERRORED:
                    why = f"page {page}: {result.error}"
                    walk.error = why
                    if self.stop.reason is None:
                        out.notes.append(f"{account.label}: the list walk stopped at {why}")
                    return list(seen), why
                if not isinstance(next_cursor, str) or not next_cursor or next_cursor in cursors:
                    return list(seen), None
                if not config.walk_all and page >= config.max_pages:
                    out.notes.append(
                        f"{account.label}: the list walk stopped at the cap of {config.max_pages} page(s) of "
                        f"{config.page_size} ({len(seen)} ids); more pages exist (--walk-all reads to the end)"
                    )
                    return list(seen), None
                if config.page_ceiling and page >= config.page_ceiling:
                    out.notes.append(
                        f"{account.label}: the list walk stopped at --page-ceiling {config.page_ceiling} pages "
                        f"({len(seen)} ids); more pages exist (--page-ceiling 0 reads without a ceiling)"
                    )
                    return list(seen), None
                cursors.add(next_cursor)
                cursor, page = next_cursor, page + 1
                fetched = self.client.get(
                    f"{LIST_PATH}?{walk_query(account.id, cursor, config.page_size)}", account=account.id
                )
        finally:
            if record and walk is not None:
                walk.pages = page
                out.results.insert(0, walk)


def run_gate(
    config: GateConfig,
    *,
    progress: TextIO | None = None,
    observer: Observer | None = None,
    clock: Clock = SYSTEM_CLOCK,
    client: ApiClient | None = None,
    stop: Stop | None = None,
) -> GateRun:
    """Run the gate with a client built from `config` (or the one given); `stop` (a signal handler
    sets it) ends the run early, with every report still written."""
    try:
        with config.client(clock, given=client, stop=stop, say=say_to(progress, "[gate] ")) as api:
            return Gate(config, api, progress=progress, observer=observer, clock=clock).run()
    except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
        return GateRun(accounts=list(config.accounts), started_at=datetime.now(UTC), fatal=str(exc))
