"""The Flask app factory: routes, authentication, Truto-shaped errors and CORS.

`create_app(config)` builds everything fresh (data set, store); importing this module does nothing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from contracts.errors import error_body
from contracts.openapi import GET_PATH, LIST_PATH, openapi_document
from contracts.params import GET, LIST
from contracts.providers import provider_module
from contracts.query import QueryError, parse_query
from mockserver.config import MockConfig
from mockserver.dataset import load_dataset
from mockserver.render import check_filters, dumps, render_get, render_list, select_page, stream_chunks
from mockserver.store import Store

log = logging.getLogger("mockserver")
EXPOSED_HEADERS = ["Retry-After", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]


class ApiError(Exception):
    """An answer in Truto's error shape."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass
class MockState:
    """What one app instance owns; reachable as `app.extensions["truto_mock"]`."""

    config: MockConfig
    store: Store


def state() -> MockState:
    mock: MockState = current_app.extensions["truto_mock"]
    return mock


def json_response(body: Any, status: int = 200, *, stream: bool = False) -> Response:
    text = dumps(body)
    payload: Any = stream_chunks(text) if stream else text
    return Response(payload, status=status, mimetype="application/json")


def error_response(status: int, message: str, **extra: Any) -> Response:
    return json_response(error_body(status, message, **extra), status)


def _authorize(config: MockConfig) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "Missing or malformed Authorization header; send `Authorization: Bearer <api-token>`.")
    if config.token is not None and not hmac.compare_digest(token.encode(), config.token.encode()):
        raise ApiError(401, "Invalid API token.")


def _answer(endpoint: str, interview_id: str | None) -> Response:
    mock = state()
    _authorize(mock.config)
    query = parse_query(
        request.query_string.decode("utf-8", "replace"), endpoint=endpoint, strict=mock.config.strict_query
    )
    account = mock.store.account(query.integrated_account_id)
    if account is None:
        raise ApiError(404, f"Integrated account {query.integrated_account_id} was not found.")
    stream = query.response_format == "stream"
    if endpoint == GET:
        assert interview_id is not None
        record = mock.store.get(account.id, interview_id)
        if record is None:
            raise ApiError(404, f"Interview {interview_id} was not found for this integrated account.")
        return json_response(render_get(record, query, account), stream=stream)
    check_filters(query, account.provider)
    page = select_page(mock.store.records(account.id), query, provider_module(account.provider).DEFAULT_PAGE_SIZE)
    return json_response(render_list(page, query, account), stream=stream)


def _register_routes(app: Flask) -> None:
    @app.get(GET_PATH.replace("{id}", "<interview_id>"))
    def get_interview(interview_id: str) -> Response:
        return _answer(GET, interview_id)

    @app.get(LIST_PATH)
    def list_interviews() -> Response:
        return _answer(LIST, None)

    @app.get("/openapi.json")
    def openapi() -> Response:
        document = openapi_document()
        document["servers"] = [{"url": request.host_url.rstrip("/")}, *document["servers"]]
        return json_response(document)

    @app.get("/__mock__/accounts")
    def accounts() -> Response:
        return json_response([{"id": a.id, "provider": a.provider, "label": a.label} for a in state().store.accounts()])


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, **exc.extra)

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> Response:
        return json_response(exc.body(), exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if isinstance(exc, MethodNotAllowed):
            allowed = sorted(exc.valid_methods or [])
            response = error_response(status, f"{request.method} is not allowed here; allowed: {', '.join(allowed)}.")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        if status == 404:
            return error_response(404, f"No route for {request.path}; see /openapi.json.")
        return error_response(status, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return error_response(500, f"The mock failed on this request ({type(exc).__name__}); see its log.")


def create_app(config: Mapping[str, Any] | MockConfig | None = None) -> Flask:
    """A fresh mock app: its own data set and store, built from `config` (see `MockConfig`)."""
    cfg = MockConfig.from_mapping(config)
    dataset = load_dataset(seed=cfg.seed, records=cfg.records, data_dir=cfg.data_dir)
    app = Flask("mockserver")
    app.extensions["truto_mock"] = MockState(cfg, Store(dataset))
    CORS(
        app,
        origins=cfg.cors_origin,
        expose_headers=EXPOSED_HEADERS,
        allow_headers=["Authorization", "Content-Type", "Accept", "Prefer"],
        methods=["GET", "HEAD", "OPTIONS"],
        max_age=600,
    )
    _register_routes(app)
    _register_errors(app)
    return app
