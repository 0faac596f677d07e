"""The journal judges the mock's own answers on every error path as conforming (and still catches a
wrong answer), and lists carry Truto's published envelope."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import MockConfig, create_app
from mockserver.core import answer
from mockserver.state import MockState
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

AUTH = {"Authorization": "Bearer t"}
LIST = "/unified/ats/interviews"
ACCOUNT = f"integrated_account_id={PINPOINT_ACCOUNT}"
UNKNOWN = "integrated_account_id=00000000-0000-4000-8000-000000000000"

# (what the path tests, method, path, query, headers, expected status)
ERROR_PATHS: list[tuple[str, str, str, str, dict[str, str], int]] = [
    ("method on the get route", "PUT", f"{LIST}/412", "", AUTH, 405),
    ("method on the list route", "DELETE", LIST, ACCOUNT, AUTH, 405),
    ("unknown route", "GET", "/unified/ats/nope", "", AUTH, 404),
    ("trailing slash", "GET", f"{LIST}/", ACCOUNT, AUTH, 404),
    ("no token", "GET", LIST, ACCOUNT, {}, 401),
    ("no token, no account id", "GET", LIST, "", {}, 401),
    ("malformed token", "GET", f"{LIST}/412", ACCOUNT, {"Authorization": "Basic eA=="}, 401),
    ("unknown account", "GET", LIST, UNKNOWN, AUTH, 404),
    ("unknown interview", "GET", f"{LIST}/99999", ACCOUNT, AUTH, 404),
    ("missing account id", "GET", LIST, "", AUTH, 400),
    ("bad parameter", "GET", LIST, f"{ACCOUNT}&limit=0", AUTH, 400),
    ("unknown parameter", "GET", f"{LIST}/412", f"{ACCOUNT}&sort=asc", AUTH, 400),
    ("bad cursor", "GET", LIST, f"{ACCOUNT}&next_cursor=nope", AUTH, 400),
    ("unsupported filter", "GET", LIST, f"integrated_account_id={CEIPAL_ACCOUNT}&start_at[gt]=2024-01-01", AUTH, 400),
    ("unknown scenario", "GET", LIST, ACCOUNT, {**AUTH, "Prefer": "code=418"}, 400),
    ("Truto scenario", "GET", LIST, ACCOUNT, {**AUTH, "Prefer": "code=503"}, 503),
    ("scenario before a bad query", "GET", LIST, "limit=0", {**AUTH, "Prefer": "code=429"}, 429),
    ("remote scenario", "GET", f"{LIST}/412", ACCOUNT, {**AUTH, "Prefer": "code=403, remote=true"}, 403),
]


def _state(**settings: Any) -> MockState:
    return MockState.build(MockConfig(records=2, **settings))


@pytest.mark.parametrize("case", ERROR_PATHS, ids=[case[0] for case in ERROR_PATHS])
def test_every_error_path_is_judged_conforming(case: tuple[str, str, str, str, dict[str, str], int]) -> None:
    _, method, path, query, headers, status = case
    mock = _state()
    assert answer(mock, method, path, query, headers).status == status
    [entry] = mock.journal.entries()
    assert entry.to_json()["verdict"] == "conforms", entry.to_json()["violations"]


@pytest.mark.parametrize(
    ("settings", "status"),
    [({"rate_limit_token": 1}, 429), ({"rate_limit_account": 1}, 429), ({"error_rate": 1.0}, None)],
)
def test_faults_are_judged_conforming(settings: dict[str, Any], status: int | None) -> None:
    mock = _state(**settings)
    for query in (ACCOUNT, f"{ACCOUNT}&limit=0", ACCOUNT):
        answer(mock, "GET", LIST, query, AUTH)
    statuses = [entry.status for entry in mock.journal.entries()]
    assert status is None or status in statuses
    assert all(s >= 500 for s in statuses) if status is None else True
    assert all(e.to_json()["verdict"] == "conforms" for e in mock.journal.entries())


def test_a_wrong_status_is_still_a_violation() -> None:
    mock = _state()
    mock.journal.record(
        method="GET",
        path=f"{LIST}/412",
        query="",  # no integrated_account_id: a 400 is due, not a 404
        status=404,
        latency_ms=1.0,
        provider=None,
        scenario="",
        headers={"Content-Type": "application/json"},
        body={"statusCode": 404, "error": "Not Found", "message": "x"},
    )
    mock.journal.record(
        method="PUT",
        path=f"{LIST}/412",
        query="",
        status=405,
        latency_ms=1.0,
        provider=None,
        scenario="",
        headers={"Content-Type": "application/json"},  # no Allow header
        body={"statusCode": 405, "error": "Method Not Allowed", "message": "x"},
    )
    missing_allow, wrong_status = (e.to_json() for e in mock.journal.entries())
    assert missing_allow["violations"] == ["/: a 405 must say which methods are allowed (`Allow`) [allow-header]"]
    assert missing_allow["verdict"] == "violates"  # RFC 9110: documented
    # The 400 for a missing account is the kit's assumption (the refusal itself is documented).
    assert wrong_status["violations"] == ["/: expected HTTP 400, got 404 [status; assumed A-missing-account-400]"]
    assert wrong_status["verdict"] == "unconfirmed"


def test_lists_carry_prev_cursor_and_result_count() -> None:
    client = create_app({"records": 5}).test_client()
    url = f"{LIST}?{ACCOUNT}&limit=4"
    first = client.get(url, headers=AUTH).get_json()
    assert first["prev_cursor"] is None and first["result_count"] == 4 and "is_partial_response" not in first
    second = client.get(f"{url}&next_cursor={first['next_cursor']}", headers=AUTH).get_json()
    assert second["result_count"] == len(second["result"]) == 4 and second["prev_cursor"]
    back = client.get(f"{url}&next_cursor={second['prev_cursor']}", headers=AUTH).get_json()
    assert back["result"] == first["result"]  # prev_cursor leads back


def test_partial_scenario_marks_the_list() -> None:
    client = create_app({"records": 2}).test_client()
    body = client.get(f"{LIST}?{ACCOUNT}", headers={**AUTH, "Prefer": "partial=true"}).get_json()
    assert body["is_partial_response"] is True
    entries = client.get("/__mock__/requests").get_json()["requests"]
    assert entries[0]["verdict"] == "conforms"
