"""The Flask app factory: API routes, authentication, scenarios and faults, Truto-shaped errors, CORS.

`create_app(config)` builds everything fresh (data set, store, journal); importing this module does
nothing.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from contracts.errors import ERROR_KEYS, error_body
from contracts.params import GET, GET_PATH, LIST, LIST_PATH
from contracts.providers import provider_module
from contracts.query import QueryError, parse_query
from mockserver.config import MockConfig
from mockserver.dataset import load_dataset
from mockserver.faults import WINDOW_SECONDS, Faults
from mockserver.journal import Journal
from mockserver.render import check_filters, dumps, render_get, render_list, select_page, stream_chunks
from mockserver.scenarios import Scenario, ScenarioError, parse_prefer, rate_limit_headers, scenario_error
from mockserver.store import Store

log = logging.getLogger("mockserver")
EXPOSED_HEADERS = ["Retry-After", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]
API_PREFIX = "/unified/"


class ApiError(Exception):
    """An answer in Truto's error shape."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.headers, self.extra = status, message, dict(headers or {}), extra


@dataclass
class MockState:
    """What one app instance owns; reachable as `app.extensions["truto_mock"]`."""

    config: MockConfig
    store: Store
    journal: Journal
    faults: Faults

    def reset(self) -> int:
        """Data, journal and faults back to their start; returns how many journal entries went."""
        self.store.reset()
        self.faults.reset()
        return self.journal.clear()


def state() -> MockState:
    mock: MockState = current_app.extensions["truto_mock"]
    return mock


def json_response(body: Any, status: int = 200, *, stream: bool = False, headers: Mapping[str, str] = {}) -> Response:
    g.truto_body = body  # the journal judges the object, not re-parsed bytes
    data = dumps(body)
    payload: Any = stream_chunks(data) if stream else data
    response = Response(payload, status=status, mimetype="application/json")
    response.headers.update(headers)
    return response


def error_response(status: int, message: str, headers: Mapping[str, str] = {}, **extra: Any) -> Response:
    return json_response(error_body(status, message, **extra), status, headers=headers)


def _bearer_token(config: MockConfig) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "Missing or malformed Authorization header; send `Authorization: Bearer <api-token>`.")
    if config.token is not None and not hmac.compare_digest(token.encode(), config.token.encode()):
        raise ApiError(401, "Invalid API token.")
    return token


def _apply_scenario_and_faults(mock: MockState, token: str) -> None:
    """Raise the error a Prefer scenario, a rate limit or an injected fault asks for; sleep for delays."""
    try:
        scenario = parse_prefer(request.headers.get("Prefer"))
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None
    g.truto_scenario = request.headers.get("Prefer", "")
    account_id = request.args.get("integrated_account_id")
    budget = mock.faults.rate_limit(token, account_id)
    if budget is not None:  # Truto sends the tighter scope's budget on every response
        g.truto_rate_headers = rate_limit_headers(budget.limit, budget.remaining, budget.reset, retry=budget.limited)
    if budget is not None and budget.limited:
        raise ApiError(
            429,
            f"Rate limit exceeded: {budget.limit} requests per {WINDOW_SECONDS:g} seconds per {budget.scope}.",
            g.truto_rate_headers,
        )
    delay = scenario.delay_ms / 1000 or mock.faults.delay_seconds()
    if delay:
        mock.faults.sleep(delay)
    injected = scenario if scenario.code is not None else mock.faults.random_error()
    if injected is not None:
        g.truto_scenario = g.truto_scenario or f"fault: code={injected.code}"
        _raise_scenario(mock, injected, account_id)


def _raise_scenario(mock: MockState, scenario: Scenario, account_id: str | None) -> None:
    account = mock.store.account(account_id) if account_id else None
    status, body, headers = scenario_error(scenario, account.provider if account else None)
    g.truto_provider = account.provider if account else None
    extra = {k: v for k, v in body.items() if k not in ERROR_KEYS}
    raise ApiError(status, body["message"], headers, **extra)


def _answer(endpoint: str, interview_id: str | None) -> Response:
    mock = state()
    token = _bearer_token(mock.config)
    _apply_scenario_and_faults(mock, token)
    query = parse_query(
        request.query_string.decode("utf-8", "replace"), endpoint=endpoint, strict=mock.config.strict_query
    )
    account = mock.store.account(query.integrated_account_id)
    if account is None:
        raise ApiError(404, f"Integrated account {query.integrated_account_id} was not found.")
    g.truto_provider = account.provider
    stream = query.response_format == "stream"
    if endpoint == GET:
        assert interview_id is not None
        record = mock.store.get(account.id, interview_id)
        if record is None:
            raise ApiError(404, f"Interview {interview_id} was not found for this integrated account.")
        return json_response(render_get(record, query, account), stream=stream)
    check_filters(query, account.provider)
    page = select_page(mock.store.records(account.id), query, provider_module(account.provider).default_page_size)
    return json_response(render_list(page, query, account), stream=stream)


def _register_api(app: Flask) -> None:
    @app.get(GET_PATH.replace("{id}", "<interview_id>"))
    def get_interview(interview_id: str) -> Response:
        return _answer(GET, interview_id)

    @app.get(LIST_PATH)
    def list_interviews() -> Response:
        return _answer(LIST, None)

    @app.before_request
    def start_clock() -> None:
        g.truto_started = time.perf_counter()

    @app.after_request
    def journal(response: Response) -> Response:
        for key, value in g.get("truto_rate_headers", {}).items():
            response.headers.setdefault(key, value)
        if request.path.startswith(API_PREFIX) and request.method != "OPTIONS":
            state().journal.record(
                method=request.method,
                path=request.path,
                query=request.query_string.decode("utf-8", "replace"),
                status=response.status_code,
                latency_ms=(time.perf_counter() - g.get("truto_started", time.perf_counter())) * 1000,
                provider=g.get("truto_provider"),
                scenario=g.get("truto_scenario", ""),
                headers=dict(response.headers),
                body=g.get("truto_body"),
            )
        return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, exc.headers, **exc.extra)

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> Response:
        return json_response(exc.body(), exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if isinstance(exc, MethodNotAllowed):
            allowed = sorted(exc.valid_methods or [])
            message = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}."
            return error_response(status, message, {"Allow": ", ".join(allowed)})
        if status == 404:
            return error_response(404, f"No route for {request.path}; see /openapi.json.")
        return error_response(status, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return error_response(500, f"The mock failed on this request ({type(exc).__name__}); see its log.")


def create_app(config: Mapping[str, Any] | MockConfig | None = None) -> Flask:
    """A fresh mock app: its own data set, store and journal, built from `config` (see `MockConfig`)."""
    from mockserver.admin import admin

    cfg = MockConfig.from_mapping(config)
    dataset = load_dataset(seed=cfg.seed, records=cfg.records, data_dir=cfg.data_dir)
    app = Flask("mockserver")
    app.extensions["truto_mock"] = MockState(cfg, Store(dataset), Journal(cfg.journal_size), Faults(cfg))
    CORS(
        app,
        resources={r"/unified/*": {}, r"/openapi.json": {}, r"/__mock__/*": {}},
        origins=cfg.cors_origin,
        expose_headers=EXPOSED_HEADERS,
        allow_headers=["Authorization", "Content-Type", "Accept", "Prefer"],
        methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"],
        max_age=600,
    )
    _register_api(app)
    app.register_blueprint(admin)
    _register_errors(app)
    return app
