"""Helpers for tests that talk to a fresh mock app through Flask's test client."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from contracts import Exchange, Violation, check_response

CEIPAL_ACCOUNT = "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"
PINPOINT_ACCOUNT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
ACCOUNTS = {"ceipal": CEIPAL_ACCOUNT, "pinpoint": PINPOINT_ACCOUNT}
AUTH = {"Authorization": "Bearer test-token"}
LIST_PATH = "/unified/ats/interviews"


def get(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    return client.get(url, headers={**AUTH, **headers})


def violations(response: TestResponse, url: str, provider: str | None) -> list[Violation]:
    return check_response(
        response.status_code,
        dict(response.headers),
        response.get_data(),
        Exchange.from_url(url, provider=provider),
    )


def assert_error(response: TestResponse, status: int, message: str) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert response.status_code == status, body
    assert body["statusCode"] == status and isinstance(body["error"], str) and message in body["message"], body
    assert response.mimetype == "application/json"
    return body
