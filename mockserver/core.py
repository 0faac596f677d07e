"""The mock's core: one function from an API request to its response, with no web framework in it.

`answer(state, method, path, query_string, headers)` routes, authenticates, applies scenarios and
faults, parses the query, renders the body and writes the journal entry. The Flask app is a thin
adapter around it, and an httpx/respx side effect can call it directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, unquote_plus

from contracts.errors import ERROR_KEYS, error_body
from contracts.params import GET, GET_PATH, LIST, LIST_PATH
from contracts.providers import provider_module
from contracts.query import QueryError, decode, parse_query
from mockserver.faults import WINDOW_SECONDS
from mockserver.guard import API_PREFIX, bearer, token_matches
from mockserver.paging import check_filters, decode_cursor, select_page
from mockserver.render import dumps, render_get, render_list, stream_chunks
from mockserver.requestlog import READ_TIMEOUT, LoggedRequest, masked_headers
from mockserver.scenarios import Scenario, ScenarioError, parse_prefer, rate_limit_headers, scenario_error
from mockserver.scripts import Interruption, RequestFacts, Script
from mockserver.state import MockState

log = logging.getLogger("mockserver")
__all__ = [
    "ALLOWED_METHODS",
    "API_PREFIX",
    "JSON",
    "ApiError",
    "MockResponse",
    "RequestRecord",
    "answer",
    "client_timed_out",
    "error_answer",
    "json_answer",
]
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
JSON = "application/json"
_GET_PREFIX = GET_PATH.removesuffix("{id}")


@dataclass(frozen=True)
class MockResponse:
    """An answer: status, headers and body (bytes, or chunks for the `stream` format)."""

    status: int
    headers: dict[str, str]
    body: bytes | Iterable[bytes]
    json: Any = field(default=None, repr=False)
    """The object the body was serialised from (None for an empty body)."""
    delay: float = 0.0
    """Seconds to wait before sending (`Prefer: delay`, `--latency`). The core never sleeps: each
    adapter waits its own way (a thread sleeps, the server awaits, the in-process router compares it
    with the client's timeout)."""
    interrupt: Interruption | None = None
    """A network failure a script asked for: each adapter breaks its connection the way the
    `Interruption` says (the in-process router raises the httpx exception a network would)."""
    logged: LoggedRequest | None = field(default=None, repr=False, compare=False)
    """The request log's entry for this answer (under the pytest plugin), for `client_timed_out`."""

    def content(self) -> bytes:
        """The whole body as bytes (joins a stream's chunks)."""
        return self.body if isinstance(self.body, bytes) else b"".join(self.body)


class ApiError(Exception):
    """An answer in Truto's error shape."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.headers, self.extra = status, message, dict(headers or {}), extra


@dataclass
class RequestRecord:
    """What one request leaves for its journal entry, filled in as the request is answered."""

    started: float = field(default_factory=time.perf_counter)
    provider: str | None = None
    scenario: str = ""
    rate_headers: dict[str, str] = field(default_factory=dict)
    """`ratelimit-*` headers for every response while rate limits are on (Truto sends them always)."""
    delay: float = 0.0
    """Seconds the answer waits before it is sent (see `MockResponse.delay`)."""
    token_ok: bool = False
    """The bearer token passed the check (the request log tells it)."""
    nth: int = 0
    """This request's number since the reset (scripts' `when={"nth": ...}`)."""
    interrupt: Interruption | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def json_answer(body: Any, status: int = 200, *, stream: bool = False, headers: Mapping[str, str] = {}) -> MockResponse:
    """A JSON answer; `stream` sends the document in chunks."""
    data = dumps(body)
    return MockResponse(status, {"Content-Type": JSON, **headers}, stream_chunks(data) if stream else data, body)


def error_answer(status: int, message: str, headers: Mapping[str, str] = {}, **extra: Any) -> MockResponse:
    """An error in Truto's shape `{statusCode, error, message}` plus any documented extra keys."""
    return json_answer(error_body(status, message, **extra), status, headers=headers)


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value


def _bearer_token(mock: MockState, headers: Mapping[str, str], record: RequestRecord) -> str:
    token = bearer(_header(headers, "Authorization"))
    if token is None:
        raise ApiError(401, "Missing or malformed Authorization header; send `Authorization: Bearer <api-token>`.")
    if not token_matches(mock.config.token, token):
        raise ApiError(401, "Invalid API token.")
    record.token_ok = True
    return token


def _apply_scenario_and_faults(
    mock: MockState, token: str, headers: Mapping[str, str], account_id: str | None, record: RequestRecord
) -> Scenario:
    """Raise the error a Prefer scenario, a rate limit or an injected fault asks for; note any delay."""
    prefer = _header(headers, "Prefer")
    try:
        scenario = parse_prefer(prefer)
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None
    record.scenario = prefer
    budget = mock.faults.rate_limit(token, account_id.lower() if account_id else account_id)  # UUIDs: any case
    if budget is not None:  # Truto sends the tighter scope's budget on every response
        record.rate_headers = rate_limit_headers(budget.limit, budget.remaining, budget.reset, retry=budget.limited)
    if budget is not None and budget.limited:
        raise ApiError(
            429,
            f"Rate limit exceeded: {budget.limit} requests per {WINDOW_SECONDS:g} seconds per {budget.scope}.",
            record.rate_headers,
        )
    record.delay = scenario.delay_ms / 1000 or mock.faults.delay_seconds()
    injected = scenario if scenario.code is not None else mock.faults.random_error()
    if injected is not None:
        record.scenario = record.scenario or f"fault: code={injected.code}"
        _raise_scenario(mock, injected, account_id, record)
    return scenario


def _raise_scenario(mock: MockState, scenario: Scenario, account_id: str | None, record: RequestRecord) -> None:
    account = mock.store.account(account_id) if account_id else None
    status, body, headers = scenario_error(scenario, account.provider if account else None)
    record.provider = account.provider if account else None
    extra = {k: v for k, v in body.items() if k not in ERROR_KEYS}
    raise ApiError(status, body["message"], headers, **extra)


def _route(method: str, path: str) -> tuple[str, str | None]:
    """(endpoint, interview id) of an API path as sent (percent-encoded): an id is one path segment,
    decoded after the split, so an id containing `/` is reached at its encoded path (`%2F`). ApiError
    404 for no route, 405 for another method."""
    head, _, last = path.rpartition("/")
    if unquote(path) == LIST_PATH:
        endpoint, interview_id = LIST, None
    elif last and unquote(head) + "/" == _GET_PREFIX:
        endpoint, interview_id = GET, unquote(last)
    else:
        raise ApiError(404, f"No route for {path}; see /openapi.json.")
    if method not in ALLOWED_METHODS:
        allowed = ", ".join(ALLOWED_METHODS)
        raise ApiError(405, f"{method} is not allowed here; allowed: {allowed}.", {"Allow": allowed})
    return endpoint, interview_id


def endpoint_of(path: str) -> str:
    """`get` or `list` for an API path, empty for any other path."""
    try:
        return _route("GET", path)[0]
    except ApiError:
        return ""


def _account_id(query_string: str) -> str | None:
    """The integrated account a request names, for rate limits and scenarios before the query is parsed."""
    for part in query_string.split("&"):
        name, _, value = part.partition("=")
        if name == "integrated_account_id":
            return unquote_plus(value)
    return None


def request_facts(mock: MockState, method: str, path: str, endpoint: str, query_string: str, nth: int) -> RequestFacts:
    """What scripts (and the request log's helpers) match on: page numbers from the cursor and the
    page size the request gets; `endpoint` empty for a path that is neither endpoint."""
    try:
        query = decode(query_string)
    except QueryError:
        query = {}
    account_id = query.get("integrated_account_id")
    account = mock.store.account(account_id) if isinstance(account_id, str) and account_id else None
    cursor = query.get("next_cursor") if isinstance(query.get("next_cursor"), str) else None
    page = None
    if endpoint == LIST:
        page = 1
        if cursor:
            limit = query.get("limit")
            size = int(limit) if isinstance(limit, str) and limit.isdigit() and int(limit) > 0 else None
            if size is None and account is not None:
                size = provider_module(account.provider).default_page_size
            try:
                page = decode_cursor(cursor, account.id) // size + 1 if size and account is not None else None
            except QueryError:
                page = None
    return RequestFacts(
        method=method,
        path=path,
        endpoint=endpoint,
        account=account_id.lower() if isinstance(account_id, str) else None,
        provider=account.provider if account else None,
        cursor=cursor or None,
        page=page,
        nth=nth,
    )


def _note_script(script: Script, record: RequestRecord) -> None:
    """A script's mark on the answer: its name in the journal, its latency, headers and interruption."""
    record.scenario = f"script: {script}"
    record.interrupt = script.fail
    record.extra_headers = dict(script.headers)
    if script.latency_ms is not None:
        record.delay = script.latency_ms / 1000


def _raise_script_error(script: Script, facts: RequestFacts, record: RequestRecord) -> None:
    """A script with an error status answers it, in Truto's shape, before any fault or the data."""
    if script.status is not None:
        record.provider = facts.provider
        status, body, headers = script.error(facts.provider)
        raise ApiError(status, body["message"], headers, **{k: v for k, v in body.items() if k not in ERROR_KEYS})


def _serve(
    mock: MockState, method: str, path: str, query_string: str, headers: Mapping[str, str], record: RequestRecord
) -> MockResponse:
    endpoint, interview_id = _route(method, path)
    if method == "OPTIONS":
        return MockResponse(204, {"Allow": ", ".join(ALLOWED_METHODS)}, b"")
    token = _bearer_token(mock, headers, record)
    script = None
    if mock.scripts.active():
        facts = request_facts(mock, method, path, endpoint, query_string, record.nth)
        script = mock.scripts.take(facts)
        if script is not None:
            _note_script(script, record)
            _raise_script_error(script, facts, record)
    scenario = _apply_scenario_and_faults(mock, token, headers, _account_id(query_string), record)
    if script is not None:  # a script's latency and name win over the faults'
        _note_script(script, record)
    query = parse_query(query_string, endpoint=endpoint, strict=mock.config.strict_query)
    account = mock.store.account(query.integrated_account_id)
    if account is None:
        raise ApiError(404, f"Integrated account {query.integrated_account_id} was not found.")
    record.provider = account.provider
    stream = query.response_format == "stream"
    if endpoint == GET:
        assert interview_id is not None
        stored = mock.store.get(account.id, interview_id)
        if stored is None:
            raise ApiError(404, f"Interview {interview_id} was not found for this integrated account.")
        return json_answer(render_get(stored, query, account, null_absent=mock.config.null_absent), stream=stream)
    check_filters(query, account.provider)
    page = select_page(mock.store.records(account.id), query, provider_module(account.provider).default_page_size)
    body = render_list(page, query, account, partial=scenario.partial, null_absent=mock.config.null_absent)
    return json_answer(body, stream=stream)


def answer(mock: MockState, method: str, path: str, query_string: str, headers: Mapping[str, str]) -> MockResponse:
    """Answer one request to an API path (`/unified/...`) and log it in the journal.

    `path` is the path as sent (percent-encoded, so `%2F` inside an interview id stays inside it),
    `query_string` the raw one (without `?`), `headers` any mapping
    (looked up case-insensitively). Never raises: every failure is an answer in Truto's error shape.
    """
    method = method.upper()
    record = RequestRecord()
    if method != "OPTIONS":
        record.nth = mock.scripts.count_request()
    try:
        response = _serve(mock, method, path, query_string, headers, record)
    except ApiError as exc:
        response = error_answer(exc.status, exc.message, exc.headers, **exc.extra)
    except QueryError as exc:
        response = json_answer(exc.body(), exc.status)
    except Exception as exc:
        log.exception("unexpected error answering %s %s", method, path)
        response = error_answer(500, f"The mock failed on this request ({type(exc).__name__}); see its log.")
    if record.rate_headers or record.delay or record.interrupt or record.extra_headers:
        merged = {**record.rate_headers, **response.headers, **record.extra_headers}
        response = MockResponse(response.status, merged, response.body, response.json, record.delay, record.interrupt)
    if method != "OPTIONS":
        entry = mock.journal.record(
            method=method,
            path=path,
            query=query_string,
            status=response.status,
            latency_ms=(time.perf_counter() - record.started + record.delay) * 1000,
            provider=record.provider,
            scenario=record.scenario,
            headers=response.headers,
            body=response.json,
        )
        if mock.log is not None:
            logged = _log(mock, method, path, query_string, headers, record, response, entry)
            response = replace(response, logged=logged)
    if method == "HEAD":
        return replace(response, body=b"")
    return response


def client_timed_out(mock: MockState, response: MockResponse, waited: float) -> None:
    """The client stopped waiting `waited` seconds into the answer's latency (its read timeout
    passed): the request log says it got no answer (`interrupted="read-timeout"`), as it says of a
    dropped connection, whichever fixture served it."""
    if mock.log is not None and response.logged is not None:
        latency_ms = response.logged.latency_ms - max(response.delay - waited, 0.0) * 1000
        mock.log.unanswered(response.logged, READ_TIMEOUT, latency_ms)


def _log(
    mock: MockState,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    record: RequestRecord,
    response: MockResponse,
    entry: Any,
) -> LoggedRequest:
    assert mock.log is not None
    unanswered = record.interrupt in (Interruption.DROP, Interruption.CONNECT_TIMEOUT)
    logged = LoggedRequest(
        method=method,
        path=path,
        query_string=query_string,
        headers=masked_headers(headers),
        token_ok=record.token_ok,
        status=None if unanswered else response.status,
        interrupted=str(record.interrupt) if record.interrupt else None,
        scenario=record.scenario,
        latency_ms=entry.latency_ms,
        _entry=entry,
    )
    mock.log.append(logged)
    return logged
