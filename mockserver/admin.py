"""The mock's own endpoints: OpenAPI, health, accounts, the request journal, faults, admin writes, the
try page (the page at `/` is `mockserver.page`)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import Blueprint, Response, render_template, request

from contracts.jsontext import load_json
from contracts.openapi import openapi_document
from contracts.providers import MappingError
from contracts.responses import Exchange, check_response, verdict
from mockserver.adapter import answer_later, error_response, json_response
from mockserver.adapter import current_state as state
from mockserver.config import DEV_TOKEN
from mockserver.core import ApiError, answer
from mockserver.guard import HEALTH_PATH
from mockserver.openapi_examples import served_document
from mockserver.statuses import served_statuses
from mockserver.store import DuplicateRecordError

FORMAT = "truto_response_format"
admin = Blueprint("truto_mock_admin", __name__, template_folder="templates")
MAX_ADMIN_BODY = 20 * 1024 * 1024
MAX_FAULTS_BODY = 64 * 1024
"""A faults document is a few dozen bytes; anything past this is refused (413) unread."""


@admin.get(HEALTH_PATH)
def health() -> Response:
    """Readiness for scripts and orchestrators: open even with --token, so it says nothing else."""
    return json_response({"status": "ok"})


@admin.get("/openapi.json")
def openapi() -> Response:
    document = openapi_document(served_statuses())
    return json_response(served_document(document, state(), request.host_url.rstrip("/")))


@admin.get("/__mock__/accounts")
def accounts() -> Response:
    return json_response([account.to_json() for account in state().store.accounts()])


@admin.get("/__mock__/requests")
def journal() -> Response:
    entries = [e.to_json() for e in state().journal.entries()]
    return json_response({"requests": entries, "size": state().config.journal_size})


@admin.delete("/__mock__/requests")
def clear_journal() -> Response:
    return json_response({"cleared": state().journal.clear()})


@admin.post("/__mock__/reset")
def reset() -> Response:
    """Data (read again from a data folder on disk), journal and faults back to their start."""
    mock = state()
    cleared = mock.reset_from_disk()
    body: dict[str, Any] = {"reset": True, "journal_cleared": cleared}
    if mock.data_problems:
        body["data_problems"] = mock.data_problems
    return json_response(body)


def _read_body(limit: int) -> bytes:
    """The request body, read in pieces and refused (413) as soon as it passes `limit` bytes, however it
    is framed (Content-Length or chunked)."""
    too_large = ApiError(413, f"Send at most {limit // (1024 * 1024)} MiB of records at once.")
    if (request.content_length or 0) > limit:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    while chunk := request.stream.read(min(64 * 1024, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large
    return b"".join(chunks)


@admin.get("/__mock__/faults")
def faults() -> Response:
    """The faults in force (latency, error rate, rate limits), as `PUT` takes them."""
    return json_response(state().faults.settings.to_json())


@admin.put("/__mock__/faults")
def put_faults() -> Response:
    """Change faults while serving: a JSON object with any of the settings (the others keep their
    value), each checked as its command-line flag is; `POST /__mock__/reset` restores the flags'."""
    data = request.stream.read(MAX_FAULTS_BODY + 1)
    if len(data) > MAX_FAULTS_BODY:
        raise ApiError(413, f"Send at most {MAX_FAULTS_BODY // 1024} KiB of faults.")
    try:
        body = orjson.loads(data) if request.is_json else None
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(
            400,
            'Send a JSON object of faults (Content-Type: application/json), e.g. {"latency_ms": "50-300", '
            '"error_rate": 0.1, "rate_limit_token": 0, "rate_limit_account": 0}.',
        )
    try:
        changed = state().faults.update(body)
    except ValueError as exc:
        raise ApiError(400, f"Refused: {exc}") from None
    return json_response(changed.to_json())


@admin.route("/__mock__/accounts/<account_id>/records", methods=["POST", "PUT"])
def put_records(account_id: str) -> Response:
    """POST adds raw records (an id the account holds is a 409 unless `?overwrite=true`); PUT replaces
    all of the account's records."""
    mock = state()
    if mock.store.account(account_id) is None:
        raise ApiError(404, f"Integrated account {account_id} was not found.")
    if not request.is_json:
        raise ApiError(400, "Send a JSON array of raw provider records (Content-Type: application/json).")
    body, problem = load_json(_read_body(MAX_ADMIN_BODY), "the request body")
    if problem is not None:
        raise ApiError(400, f"Send a JSON array of raw provider records: {problem}.")
    raws: Any = body if isinstance(body, list) else [body]
    overwrite = request.args.get("overwrite", "false").lower()
    if overwrite not in ("true", "false"):
        raise ApiError(400, f"`overwrite` must be true or false, got {request.args['overwrite']!r}")
    try:
        added = mock.store.put(account_id, raws, replace=request.method == "PUT", overwrite=overwrite == "true")
    except DuplicateRecordError as exc:
        status = 409 if exc.existing else 400
        message = f"Refused: {exc}".replace("overwrite=True", "?overwrite=true")
        raise ApiError(status, message, details={"ids": exc.ids}) from None
    except MappingError as exc:
        failures = [part.strip() for part in str(exc).split(";")]
        raise ApiError(400, f"Refused: {exc}", details={"failures": failures}) from None
    return json_response({"ids": [r.id for r in added], "replaced": request.method == "PUT"}, 201)


@admin.get("/__mock__/try")
def try_request() -> str:
    """Send a request through the mock on the browser's behalf (a link cannot set Authorization): with
    --token, the caller's own token (checked before this runs), else the dev token."""
    path = request.args.get("path", "")
    if not path.startswith("/unified/"):
        raise ApiError(400, "`path` must be an API path starting with /unified/.")
    prefer = request.args.get("prefer", "")
    mock = state()
    authorization = request.headers["Authorization"] if mock.config.token else f"Bearer {DEV_TOKEN}"
    headers = {"Authorization": authorization, **({"Prefer": prefer} if prefer else {})}
    parts = urlsplit(path)
    response = answer(mock, "GET", parts.path, parts.query, headers)
    answer_later(response.delay)
    data = response.content()
    exchange = Exchange.from_url(path, accounts={a.id: a.provider for a in mock.store.accounts()})
    found = check_response(response.status, response.headers, data, exchange)
    violations = [str(v) for v in found]
    try:
        body = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError:
        body = data.decode("utf-8", "replace")
    return render_template(
        "try.html",
        path=path,
        prefer=prefer,
        status=response.status,
        headers=list(response.headers.items()),
        body=body,
        verdict=verdict(found),
        violations=violations,
    )


@admin.app_errorhandler(413)
def too_large(exc: Exception) -> Response:
    return error_response(413, "The request body is too large.")
