"""The mock's own endpoints: OpenAPI, accounts, the request journal, admin writes, the page at `/`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Response, render_template, request

from contracts.datafolder import Account
from contracts.jsontext import load_json
from contracts.openapi import openapi_document
from contracts.params import LIST_PATH, RESPONSE_FORMATS
from contracts.providers import MappingError
from contracts.responses import Exchange, check_response, verdict
from mockserver.adapter import current_state as state
from mockserver.adapter import error_response, json_response
from mockserver.config import DEV_TOKEN
from mockserver.core import ApiError, answer
from mockserver.openapi_examples import served_document
from mockserver.scenarios import REMOTE_CODES, TRUTO_CODES
from mockserver.statuses import api_error_statuses
from mockserver.store import DuplicateRecordError

FORMAT = "truto_response_format"
admin = Blueprint("truto_mock_admin", __name__, template_folder="templates")
MAX_ADMIN_BODY = 20 * 1024 * 1024


@admin.get("/openapi.json")
def openapi() -> Response:
    document = openapi_document(api_error_statuses())
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
    """Send a request through the mock on the browser's behalf (a link cannot set Authorization)."""
    path = request.args.get("path", "")
    if not path.startswith("/unified/"):
        raise ApiError(400, "`path` must be an API path starting with /unified/.")
    prefer = request.args.get("prefer", "")
    mock = state()
    token = mock.config.token or DEV_TOKEN
    headers = {"Authorization": f"Bearer {token}", **({"Prefer": prefer} if prefer else {})}
    parts = urlsplit(path)
    response = answer(mock, "GET", parts.path, parts.query, headers)
    if response.delay:
        mock.faults.sleep(response.delay)
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


def _try_link(path: str, query: dict[str, str], prefer: str = "") -> str:
    """A link to /__mock__/try, which sends the request with a token (a plain link cannot)."""
    params = {"path": f"{path}?{urlencode(query)}", **({"prefer": prefer} if prefer else {})}
    return f"/__mock__/try?{urlencode(params)}"


def _account_view(account: Account, base: str, token_shown: str) -> dict[str, Any]:
    mock = state()
    ids = [r.id for r in mock.store.records(account.id)]
    scope = {"integrated_account_id": account.id}
    return {
        "account": account,
        "list_links": {
            fmt: _try_link(LIST_PATH, {**scope, "truto_response_format": fmt, "limit": "5"}) for fmt in RESPONSE_FORMATS
        },
        "interviews": [
            {
                "id": interview_id,
                "links": {
                    fmt: _try_link(
                        f"{LIST_PATH}/{quote(interview_id, safe='')}", {**scope, "truto_response_format": fmt}
                    )
                    for fmt in RESPONSE_FORMATS
                },
            }
            for interview_id in ids
        ],
        "curl": f'curl -H "Authorization: Bearer {token_shown}" "{base}{LIST_PATH}?{urlencode(scope)}&limit=2"',
    }


def _scenario_links(account: Account | None) -> list[dict[str, str]]:
    if account is None:
        return []
    scope = {"integrated_account_id": account.id}
    prefers = [f"code={code}" for code in TRUTO_CODES] + [f"code={code}, remote=true" for code in REMOTE_CODES]
    prefers.append("delay=1500")
    return [{"label": prefer, "href": _try_link(LIST_PATH, scope, prefer)} for prefer in prefers]


@admin.get("/")
def page() -> str:
    """The page for the person at the keyboard: accounts, scenarios, the live journal, interviews."""
    mock = state()
    base = request.host_url.rstrip("/")
    token_shown = "$TRUTO_MOCK_TOKEN" if mock.config.token else DEV_TOKEN
    accounts = mock.store.accounts()
    return render_template(
        "index.html",
        accounts=[_account_view(a, base, token_shown) for a in accounts],
        scenarios=_scenario_links(accounts[0] if accounts else None),
        journal=[e.to_json() for e in mock.journal.entries()[:50]],
        base=base,
        data_problems=mock.data_problems,
        null_absent=mock.config.null_absent,
    )


@admin.app_errorhandler(413)
def too_large(exc: Exception) -> Response:
    return error_response(413, "The request body is too large.")
