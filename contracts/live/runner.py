"""The gate's run: probe each account, walk its list, sample ids, check the matrix, judge each answer.

A first probe of every account (the first list page) comes before any check, so a wrong URL, token
or account stops the run with one line (exit 2) before anything is counted. Accounts then run
concurrently, each within its own and the token's rate-limit budget (the client paces).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from contracts.basis import is_assumed
from contracts.checker import Violation
from contracts.accounts import Account
from contracts.live.baseline import Observer
from contracts.live.client import ApiClient, Connection, Fetched, LocalRequestError
from contracts.live.clock import SYSTEM_CLOCK, Clock
from contracts.live.matrix import WALK, WALK_CHECK, Case, Selection, build_cases, interview_path, sample_ids, walk_query
from contracts.live.probe import id_problem, probe_problem, truto_message
from contracts.live.results import CheckResult, GateRun, Outcome, Skipped
from contracts.params import LIST_PATH
from contracts.query import encode_query
from contracts.responses import Exchange, check_response, parse_body, shape_basis

OBSERVED_CHECKS = (WALK, "list format=unified", "get format=unified")
"""Checks whose answers are whole unified records: the drift baseline is built from them."""


@dataclass(frozen=True)
class GateConfig(Connection):
    """Everything a gate run needs, already validated (see `contracts.__main__`)."""

    ids: tuple[str, ...] = ()
    max_ids: int = 3
    page_size: int = 50
    max_pages: int = 3
    walk_all: bool = False
    concurrency: int = 4
    selection: Selection = field(default_factory=Selection)


def judge(case: Case, fetched: Fetched) -> tuple[CheckResult, Any]:
    """One answer -> its outcome (and the parsed body, for paging)."""
    result = CheckResult(
        account=case.account.label,
        provider=case.account.provider,
        check=case.check,
        name=case.name,
        url=fetched.url,
        outcome=Outcome.PASSED,
        status=fetched.status,
        seconds=fetched.seconds,
        started=fetched.started,
        attempts=fetched.attempts,
        throttled=fetched.throttled,
        rate_limit_wait=fetched.rate_limit_wait,
    )
    response = fetched.response
    if response is None:
        result.outcome, result.error = Outcome.ERRORED, f"{fetched.error} ({_tries(fetched)})"
        return result, None
    body, unreadable = parse_body(response.content)
    result.message = truto_message(body)
    status = response.status_code
    if status >= 500 or status == 429:
        result.outcome, result.error = Outcome.ERRORED, f"HTTP {status} ({_tries(fetched)})"
        return result, None
    if status in (401, 403) and case.expected_status not in (401, 403):
        result.outcome, result.error = Outcome.ERRORED, f"HTTP {status}: the token was refused during the run"
        return result, None
    spec = case.spec or WALK_CHECK
    exchange = Exchange.from_url(case.target, provider=case.account.provider)
    if case.expected_status is not None:
        exchange = Exchange(exchange.endpoint, case.account.provider, expected_status=case.expected_status,
                            expected_message=case.check.split(" error ", 1)[-1], expected_basis=spec.status_basis,
                            refusal_basis=spec.refusal_basis)  # fmt: skip
    found = check_response(status, response.headers, response.content if unreadable else body, exchange)
    if case.expected_status is None and status != 200:  # a read that should have worked
        found.insert(0, Violation("", "status", f"expected HTTP 200, got {status}", spec.status_basis))
    result.violations = found
    settle(result, exercised(spec.basis, exchange, found))
    return result, body


def exercised(bases: tuple[str, ...], exchange: Exchange, found: list[Violation]) -> set[str]:
    """The assumptions an answer put to the test: those of its status when the status was wrong,
    else the request's, its shape's and, for records that cannot hold nulls, `A-absent-not-null`."""
    wrong_status = [v.basis for v in found if v.rule == "status"]
    if wrong_status:
        return {b for b in wrong_status if is_assumed(b)}
    out = {b for b in bases if is_assumed(b)}
    if exchange.expected_status is None:
        shape = shape_basis(exchange)
        out |= {shape} if shape else set()
        if exchange.response_format in ("unified", "stream", "debug"):
            out.add("A-absent-not-null")
    return out


def settle(result: CheckResult, tested: set[str]) -> None:
    """The outcome from the findings: violated if any rests on a documented fact, unconfirmed if all
    rest on assumptions; and which assumptions the answer confirmed or contradicted."""
    contradicted = {v.basis for v in result.violations if v.assumed}
    result.contradicted = tuple(sorted(contradicted))
    result.confirmed = tuple(sorted(tested - contradicted))
    if not result.violations:
        result.outcome = Outcome.PASSED
    elif len(contradicted) and all(v.assumed for v in result.violations):
        result.outcome = Outcome.UNCONFIRMED
    else:
        result.outcome = Outcome.VIOLATED


def _tries(fetched: Fetched) -> str:
    return f"after {fetched.attempts} attempt{'s' if fetched.attempts != 1 else ''}"


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
    results: list[CheckResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
        self._say: Callable[[str], None] = (lambda line: print(f"[gate] {line}", file=progress, flush=True)) if (
            progress is not None
        ) else (lambda line: None)  # fmt: skip

    def run(self) -> GateRun:
        run = GateRun(accounts=list(self.config.accounts), started_at=datetime.now(UTC))
        started = self.clock.now()
        try:
            run.fatal, firsts = self._probe()
            if run.fatal is None:
                self._check(run, firsts)
        except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
            run.fatal, run.results, run.skipped = str(exc), [], []
        run.seconds = self.clock.now() - started
        return run

    def _probe(self) -> tuple[str | None, list[Fetched]]:
        """The first list page of every account, then each `--id` on every account, before any check."""
        firsts: list[Fetched] = []
        for account in self.config.accounts:
            query = walk_query(account.id, None, self.config.page_size)
            first = self.client.get(f"{LIST_PATH}?{query}", account=account.id)
            problem = probe_problem(first, account, self.config.base_url)
            if problem is not None:
                return problem, firsts
            firsts.append(first)
        for account in self.config.accounts:
            for interview_id in dict.fromkeys(self.config.ids):
                target = f"{interview_path(interview_id)}?{encode_query({'integrated_account_id': account.id})}"
                problem = id_problem(self.client.get(target, account=account.id), account, interview_id)
                if problem is not None:
                    return problem, firsts
        return None, firsts

    def _check(self, run: GateRun, firsts: list[Fetched]) -> None:
        with _pool(max(1, min(len(firsts), 8))) as pool:
            for part in pool.map(self._account, self.config.accounts, firsts):
                run.results += part.results
                run.skipped += part.skipped
                run.notes += part.notes

    def _fetch(self, case: Case) -> tuple[CheckResult, Any]:
        fetched = self.client.get(case.target, account=case.account.id)
        result, body = judge(case, fetched)
        if self.observer is not None and result.status == 200 and case.check in OBSERVED_CHECKS:
            assert fetched.response is not None
            self.observer.add(case.account.provider, body, fetched.response.headers)
        return result, body

    def _account(self, account: Account, first: Fetched) -> _AccountRun:
        out = _AccountRun()
        checks, left = self.config.selection.split(account.provider)
        out.skipped += [Skipped(account.label, name, why) for name, why in left.items()]
        walked = self._walk(account, first, WALK in checks, out)
        get_checks = [c for c in checks if c.startswith("get ")]
        ids = list(self.config.ids) or sample_ids(walked, self.config.max_ids)
        if not ids and get_checks:
            out.skipped += [Skipped(account.label, name, "no interview ids found by the list walk") for name in
                            get_checks if " error " not in name]  # fmt: skip
        cases = build_cases(account, [c for c in checks if c != WALK], ids)
        walked_pages = len(out.results)  # the walk's pages are testcases too: counted alike
        total = walked_pages + len(cases)
        with _pool(self.config.concurrency) as pool:
            for done, (result, _) in enumerate(pool.map(self._fetch, cases), start=walked_pages + 1):
                out.results.append(result)
                if done % 25 == 0 or done == total:
                    bad = sum(r.outcome != Outcome.PASSED for r in out.results)
                    self._say(f"{account.label}: {done}/{total} checked, {bad} not passed so far")
        return out

    def _walk(self, account: Account, first: Fetched, record: bool, out: _AccountRun) -> list[str]:
        """Page through the list from `first`: to the end with --walk-all, else up to --max-pages."""
        config = self.config
        if config.ids and not record:
            return []
        ids: list[str] = []
        seen: dict[str, int] = {}
        cursors: set[str] = set()
        cursor: str | None = None
        fetched, page = first, 1
        while True:
            query = walk_query(account.id, cursor, config.page_size)
            case = Case(account, WALK, f"{WALK} page {page}", LIST_PATH, query, spec=WALK_CHECK)
            result, body = judge(case, fetched)
            if self.observer is not None and result.status == 200:
                assert fetched.response is not None
                self.observer.add(account.provider, body, fetched.response.headers)
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
            if extra:
                result.violations += extra
                if result.outcome != Outcome.ERRORED:
                    settle(result, {*result.confirmed, *result.contradicted})
            if record:
                out.results.append(result)
            for i in page_ids:
                seen.setdefault(i, page)
            ids += page_ids
            if page > 1 or next_cursor:
                self._say(f"{account.label}: list page {page}, {len(seen)} ids so far")
            if not isinstance(next_cursor, str) or not next_cursor or next_cursor in cursors:
                if result.outcome == Outcome.ERRORED:
                    out.notes.append(f"{account.label}: the list walk stopped at page {page}: {result.error}")
                return ids
            if not config.walk_all and page >= config.max_pages:
                out.notes.append(
                    f"{account.label}: the list walk stopped at the cap of {config.max_pages} page(s) of "
                    f"{config.page_size} ({len(seen)} ids); more pages exist (--walk-all reads to the end)"
                )
                return ids
            cursors.add(next_cursor)
            cursor, page = next_cursor, page + 1
            fetched = self.client.get(
                f"{LIST_PATH}?{walk_query(account.id, cursor, config.page_size)}", account=account.id
            )


def run_gate(
    config: GateConfig,
    *,
    progress: TextIO | None = None,
    observer: Observer | None = None,
    clock: Clock = SYSTEM_CLOCK,
    client: ApiClient | None = None,
) -> GateRun:
    """Run the gate with a client built from `config` (or the one given)."""
    try:
        with config.client(clock, given=client) as api:
            return Gate(config, api, progress=progress, observer=observer, clock=clock).run()
    except LocalRequestError as exc:  # nothing could be sent: the configuration, not the API
        return GateRun(accounts=list(config.accounts), started_at=datetime.now(UTC), fatal=str(exc))
