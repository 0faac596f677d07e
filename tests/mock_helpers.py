"""Helpers for tests that talk to a fresh mock app through Flask's test client."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from contracts import Exchange, Violation, check_response
from contracts.datafolder import default_accounts, default_folder
from contracts.params import LIST
from contracts.providers import provider_module

CEIPAL_ACCOUNT = "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"
PINPOINT_ACCOUNT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
ACCOUNTS = {account.provider: account.id for account in reversed(default_accounts())}
"""Each provider's first built-in account (every provider has one)."""
FIRST_ID = {
    provider: provider_module(provider).record_id(default_folder().records[account][0])
    for provider, account in ACCOUNTS.items()
}
"""Each of those accounts' first hand-written interview id."""
AUTH = {"Authorization": "Bearer test-token"}
LIST_PATH = "/unified/ats/interviews"
DRIFT = "not_in_the_contract"


def get(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    return client.get(url, headers={**AUTH, **headers})


def violations(response: TestResponse, url: str, provider: str | None) -> list[Violation]:
    """The response's violations. When it carries an interview, the same response with an undocumented
    field added must be caught, so a checker that accepts everything cannot make a test pass."""
    exchange = Exchange.from_url(url, provider=provider)
    found = check_response(response.status_code, dict(response.headers), response.get_data(), exchange)
    drifted = _with_drift(response, exchange)
    if drifted is not None:
        caught = check_response(response.status_code, dict(response.headers), drifted, exchange)
        assert any(v.rule == "unknown-field" and v.pointer.endswith(DRIFT) for v in caught), (
            f"the checker missed an undocumented field in {url}: {caught}"
        )
    return found


def _with_drift(response: TestResponse, exchange: Exchange) -> bytes | None:
    """The body with `DRIFT` added to its first interview; None when it holds none (errors, raw, empty lists)."""
    if response.status_code != 200 or exchange.response_format == "raw":
        return None
    body = json.loads(response.get_data())
    target = body["result"] if exchange.response_format == "debug" else body
    if exchange.endpoint == LIST:
        items = list(target["result"].values()) if isinstance(target["result"], dict) else target["result"]
        target = items[0] if items else None
    if not isinstance(target, dict):
        return None
    target[DRIFT] = True
    return json.dumps(body).encode()


def assert_error(response: TestResponse, status: int, message: str) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert response.status_code == status, body
    assert body["statusCode"] == status and isinstance(body["error"], str) and message in body["message"], body
    assert response.mimetype == "application/json"
    return body
