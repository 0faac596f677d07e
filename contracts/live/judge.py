"""One answer -> one check's result: its outcome, its findings and their basis, the assumptions it
confirmed or contradicted, what a report shows of a failed answer (Truto's message, a snippet of a
body that is not JSON, the request id); and a list walk's pages joined into one result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from contracts.basis import is_assumed
from contracts.checker import Violation
from contracts.live.fetched import FINAL, Failure, Fetched
from contracts.live.findings import classify, locate
from contracts.live.matrix import WALK_CHECK, Case
from contracts.live.probe import redirect_to, truto_message
from contracts.live.results import CheckResult, Outcome
from contracts.responses import Exchange, check_response, shape_basis

SNIPPET_BYTES = 200
"""Bytes of a body that is not JSON shown in the reports (the token masked)."""


def judge(
    case: Case, fetched: Fetched, *, strict_fields: bool = False, fields: frozenset[str] | None = None
) -> tuple[CheckResult, Any]:
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
        result.outcome, result.failure = Outcome.ERRORED, fetched.failure or Failure.BROKEN
        result.error = fetched.error if result.failure in FINAL else f"{fetched.error} ({_tries(fetched)})"
        return result, None
    body, unreadable = fetched.json()
    result.message = truto_message(body)
    result.request_id = request_id(response.headers)
    if unreadable is not None:
        result.snippet = bytes(response.content[:SNIPPET_BYTES]).decode("utf-8", "replace")
    status = response.status_code
    if status >= 500 or status == 429:
        result.outcome, result.failure = Outcome.ERRORED, fetched.failure or Failure.UNAVAILABLE
        result.error = fetched.error if fetched.failure in FINAL else f"HTTP {status} ({_tries(fetched)})"
        return result, None
    if status in (401, 403) and case.expected_status not in (401, 403):
        result.outcome, result.error = Outcome.ERRORED, f"HTTP {status}: the token was refused during the run"
        return result, None
    spec = case.spec or WALK_CHECK
    exchange = Exchange.from_url(case.target, provider=case.account.provider)
    if case.expected_status is not None:
        exchange = Exchange(exchange.endpoint, case.account.provider, expected_status=case.expected_status,
                            expected_message=spec.error_case, expected_basis=spec.status_basis,
                            refusal_basis=spec.refusal_basis)  # fmt: skip
    found = check_response(status, response.headers, response.content if unreadable else body, exchange)
    if case.expected_status is None and status != 200:  # a read that should have worked
        found.insert(0, Violation("", "status", f"expected HTTP 200, got {status}", spec.status_basis))
    if 300 <= status < 400:  # where it pointed (never followed: the token stays on this host)
        said = f" ({redirect_to(response.headers)}; not followed)"
        found = [replace(v, message=v.message + said) if v.rule == "status" else v for v in found]
    result.findings = [classify(locate(v, body), strict_fields, fields) for v in found]
    settle(result, exercised(spec.basis, exchange, found))
    return result, body


def request_id(headers: Mapping[str, str]) -> str | None:
    """The answer's request id (`x-request-id`, `request-id`, `x-amzn-requestid`...), when it has one."""
    for key, value in headers.items():
        if key.lower().replace("_", "-").endswith(("request-id", "requestid", "correlation-id")):
            return str(value)[:200]
    return None


def exercised(bases: tuple[str, ...], exchange: Exchange, found: list[Violation]) -> set[str]:
    """The assumptions an answer put to the test: those of its status when the status was wrong,
    else the request's, its shape's and, for records that cannot hold nulls, `A-absent-not-null`."""
    wrong_status = [v.basis for v in found if v.rule == "status"]
    if wrong_status:
        return {b for b in wrong_status if is_assumed(b)}
    out = {b for b in bases if is_assumed(b)}
    unread = any(v.rule == "not-json" for v in found)  # a body that cannot be read tests no shape
    if exchange.expected_status is None and not unread:
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


def joined(walk: CheckResult, page: CheckResult) -> CheckResult:
    """The walk so far with one more page: its findings added, its outcome the worse of the two; the
    URL (and so the reproduce command) is the first page with a violation."""
    if page.violations and not walk.violations:
        walk.url, walk.status = page.url, page.status
    walk.findings += page.findings
    walk.seconds += page.seconds
    walk.attempts += page.attempts
    walk.throttled += page.throttled
    walk.rate_limit_wait += page.rate_limit_wait
    if page.outcome == Outcome.ERRORED:
        walk.outcome, walk.status, walk.url, walk.failure = Outcome.ERRORED, page.status, page.url, page.failure
        walk.message, walk.snippet, walk.request_id = page.message, page.snippet, page.request_id
        return walk
    if walk.outcome != Outcome.ERRORED:
        settle(walk, {*walk.confirmed, *walk.contradicted, *page.confirmed})
    return walk
