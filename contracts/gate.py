"""The CI contract gate: exercise a Truto-shaped API across the contract's query matrix and check
every response with the shared checker.

Exit codes: 0 every response conforms, 1 any violation, 2 usage or connection errors.
The token is read from an environment variable, sent only in the Authorization header, and
redacted from everything the gate prints or writes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from contracts.checker import Violation
from contracts.fields import PROVIDERS
from contracts.gate_matrix import Case, error_cases, get_cases, list_cases, paging_query
from contracts.params import LIST_PATH
from contracts.responses import Exchange, check_response, parse_body

MAX_RETRIES = 3
MAX_RETRY_WAIT = 30.0


@dataclass(frozen=True)
class GateConfig:
    base_url: str
    accounts: dict[str, str]  # provider -> integrated account id
    token: str = field(repr=False)
    ids: tuple[str, ...] = ()
    max_ids: int = 3
    page_size: int = 10
    max_pages: int = 200
    timeout: float = 15.0
    concurrency: int = 4


@dataclass
class CaseResult:
    case: Case
    status: int | None
    violations: list[Violation]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.violations


@dataclass
class GateRun:
    results: list[CaseResult] = field(default_factory=list)
    fatal: str | None = None  # a usage or connection error that stopped the run

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 2
        return 0 if all(r.passed for r in self.results) else 1


class Redactor:
    """Replaces the token wherever it would appear in output."""

    def __init__(self, secret: str) -> None:
        self.secret = secret if len(secret) >= 4 else ""

    def __call__(self, text: str) -> str:
        return text.replace(self.secret, "[REDACTED]") if self.secret else text


def retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after", "1")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_WAIT)
    except ValueError:
        return 1.0


class Fetcher:
    """GETs with bounded retries on 429 (honouring Retry-After); transport failures become violations."""

    def __init__(self, client: httpx.Client, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.sleep = sleep

    def fetch(self, target: str) -> tuple[httpx.Response | None, str | None]:
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = self.client.get(target)
            except httpx.TimeoutException:
                return None, "the server did not answer in time"
            except httpx.HTTPError as exc:
                return None, f"the connection failed: {type(exc).__name__}"
            if response.status_code != 429 or attempt == MAX_RETRIES:
                return response, None
            self.sleep(retry_after(response))
        raise AssertionError("unreachable")  # pragma: no cover


def _check(fetcher: Fetcher, case: Case) -> tuple[CaseResult, Any]:
    started = time.perf_counter()
    response, problem = fetcher.fetch(case.target)
    if response is None:
        violation = Violation("", "transport", problem or "no response")
        return CaseResult(case, None, [violation], time.perf_counter() - started), None
    exchange = Exchange.from_url(case.target, provider=case.provider)
    if case.expected_status is not None:
        exchange = Exchange(
            exchange.endpoint, case.provider, expected_status=case.expected_status, expected_message=case.check
        )
    body, unreadable = parse_body(response.content)  # parsed once, for the check and for paging
    found = check_response(response.status_code, response.headers, response.content if unreadable else body, exchange)
    if case.expected_status is None and response.status_code != 200:  # a read that should have worked
        found.insert(0, Violation("", "status", f"expected HTTP 200, got {response.status_code}"))
    return CaseResult(case, response.status_code, found, time.perf_counter() - started), body


def _walk(fetcher: Fetcher, provider: str, account: str, config: GateConfig, run: GateRun) -> list[str]:
    """Page through the list endpoint to its end, checking each page; returns the ids seen."""
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(config.max_pages):
        case = Case(provider, "list paging to the end", LIST_PATH, paging_query(account, cursor, config.page_size))
        result, body = _check(fetcher, case)
        run.results.append(result)
        if not isinstance(body, dict) or not isinstance(body.get("result"), list):
            return ids
        ids += [str(item["id"]) for item in body["result"] if isinstance(item, dict) and "id" in item]
        cursor = body.get("next_cursor")
        if not cursor or not isinstance(cursor, str):
            return ids
    run.results.append(
        CaseResult(case, None, [Violation("", "paging", f"still a next_cursor after {config.max_pages} pages")], 0.0)
    )
    return ids


def run_gate(config: GateConfig, *, progress: TextIO | None = None, client: httpx.Client | None = None) -> GateRun:
    """Run the whole matrix against `config.base_url`; never raises for what the server does."""
    run = GateRun()
    own = client is None
    http = client or httpx.Client(
        base_url=config.base_url,
        headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"},
        timeout=config.timeout,
        # Certificates are loaded only for https (verified); loading them for http costs 0.1 s.
        verify=config.base_url.startswith("https://"),
    )
    fetcher = Fetcher(http)
    try:
        try:
            http.get("/unified/ats/interviews")
        except httpx.HTTPError as exc:
            run.fatal = f"cannot reach {config.base_url}: {type(exc).__name__}"
            return run
        for provider, account in config.accounts.items():
            walked = _walk(fetcher, provider, account, config, run)
            ids = list(config.ids) or walked[: config.max_ids]
            cases = list_cases(provider, account) + error_cases(provider, account, ids)
            for interview_id in ids:
                cases += get_cases(provider, account, interview_id)
            with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
                for done, (result, _) in enumerate(pool.map(lambda c: _check(fetcher, c), cases), start=1):
                    run.results.append(result)
                    if progress is not None and (done % 25 == 0 or done == len(cases)):
                        failed = sum(not r.passed for r in run.results)
                        print(f"[gate] {provider}: {done}/{len(cases)} checked, {failed} failing so far", file=progress)
    finally:
        if own:
            http.close()
    return run


def parse_accounts(values: Sequence[str], option: str = "--account") -> dict[str, str]:
    """`PROVIDER=UUID` strings -> {provider: uuid}; ValueError naming the option and the bad value."""
    out: dict[str, str] = {}
    for value in values:
        provider, sep, uuid = value.partition("=")
        if not sep or provider not in PROVIDERS or not uuid:
            raise ValueError(f"{option} takes PROVIDER=UUID, PROVIDER one of {', '.join(PROVIDERS)}; got {value!r}")
        out[provider] = uuid
    return out


def main_gate(args: Any, environ: dict[str, str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The `python -m contracts gate` command (arguments already parsed)."""
    from contracts.gate_report import print_summary, write_junit

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        accounts = parse_accounts(args.account)
    except ValueError as exc:
        print(f"gate: {exc}", file=err)
        return 2
    token = environ.get(args.token_env, "")
    if not token:
        print(f"gate: set the API token in ${args.token_env} (it is never printed)", file=err)
        return 2
    config = GateConfig(
        base_url=args.base_url.rstrip("/"),
        accounts=accounts,
        token=token,
        ids=tuple(args.id or ()),
        max_ids=args.max_ids,
        timeout=args.timeout,
    )
    redact = Redactor(token)
    started = time.perf_counter()
    run = run_gate(config, progress=err)
    elapsed = time.perf_counter() - started
    print_summary(run, elapsed, out, redact)
    if args.junit_xml:
        write_junit(run, args.junit_xml, elapsed, redact)
    if run.fatal:
        print(f"gate: {redact(run.fatal)}", file=err)
    return run.exit_code
