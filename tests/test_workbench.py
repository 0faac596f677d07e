"""The mock as a workbench: Prefer scenarios, server-wide faults, the journal, admin writes, the page."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from contracts import Exchange, check_response
from mockserver import create_app
from mockserver.core import answer
from mockserver.faults import SlidingWindow
from mockserver.live import mock_state
from mockserver.scenarios import REMOTE_CODES, TRUTO_CODES
from tests.mock_helpers import AUTH, CEIPAL_ACCOUNT, LIST_PATH, PINPOINT_ACCOUNT, assert_error

PINPOINT_LIST = f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}"
CEIPAL_GET = f"{LIST_PATH}/9001?integrated_account_id={CEIPAL_ACCOUNT}"


def client(**config: Any) -> FlaskClient:
    return create_app({"records": 3, **config}).test_client()


def conforms(response: Any, url: str, provider: str | None) -> bool:
    exchange = Exchange.from_url(url, provider=provider)
    return check_response(response.status_code, dict(response.headers), response.get_data(), exchange) == []


# --- scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TRUTO_CODES))
def test_truto_scenarios(code: int) -> None:
    c = client()
    response = c.get(PINPOINT_LIST, headers={**AUTH, "Prefer": f"code={code}"})
    body = assert_error(response, code, "")
    assert "truto_is_remote_error" not in body and conforms(response, PINPOINT_LIST, "pinpoint")
    if code == 429:
        assert response.headers["Retry-After"] == "10"
        assert response.headers["ratelimit-limit"] == "50;w=10" and response.headers["ratelimit-remaining"] == "0"


@pytest.mark.parametrize("code", sorted(REMOTE_CODES))
@pytest.mark.parametrize(("url", "provider"), [(PINPOINT_LIST, "pinpoint"), (CEIPAL_GET, "ceipal")])
def test_remote_scenarios(code: int, url: str, provider: str) -> None:
    response = client().get(url, headers={**AUTH, "Prefer": f"code={code}, remote=true"})
    body = assert_error(response, code, "")
    assert body["truto_is_remote_error"] is True and body["raw_response"]
    insight = body["truto_error_insight"]
    specific = {429: {"rate_limit_error"}, 403: {"forbidden_error"}}.get(code, set())
    assert set(insight) == {"remote_error", *specific}  # remote_error always, beside the specific one
    if provider == "pinpoint":
        assert body["raw_response"]["errors"][0]["status"] == str(code)
    if code == 429:
        assert response.headers["Retry-After"] == "30"
    if code == 403:
        assert insight["forbidden_error"]["value"]["missing_scopes"]
    assert conforms(response, url, provider)


def fake_time(c: FlaskClient) -> list[float]:
    """The app's latency sleeps on a list the test reads instead of on real time."""
    slept: list[float] = []
    mock_state(c.application).faults.use_clock(time.monotonic, slept.append)
    return slept


def test_delay_scenario_answers_late_and_normally() -> None:
    c = client()
    slept = fake_time(c)
    response = c.get(PINPOINT_LIST, headers={**AUTH, "Prefer": "delay=120"})
    assert response.status_code == 200 and slept == [0.12]


@pytest.mark.parametrize(
    "prefer", ["code=418", "code=200", "colour=red", "code=abc", "delay=-1", "delay=999999", "code=401, remote=maybe",
               "code=400, remote=true", "code=429, code=500", "respond-async"],
)  # fmt: skip
def test_unknown_scenario_is_400_listing_the_valid_ones(prefer: str) -> None:
    body = assert_error(client().get(PINPOINT_LIST, headers={**AUTH, "Prefer": prefer}), 400, "valid: code=401")
    assert "remote=true" in body["message"] and "delay=" in body["message"]


@pytest.mark.parametrize("prefer", ["code=429\xff", "\xff", "code=429\x00", "delay=1\tcode=500"])
def test_an_unreadable_prefer_is_a_400_like_an_unknown_one(prefer: str) -> None:
    """Raw bytes reach the app as latin-1 text (WSGI, ASGI); the core refuses them in Prefer."""
    body = assert_error(
        client().get(PINPOINT_LIST, headers={**AUTH, "Prefer": prefer}), 400, "Prefer must be printable"
    )
    assert "valid: code=401" in body["message"]
    mock = mock_state(client().application)
    raw = answer(mock, "GET", LIST_PATH, f"integrated_account_id={PINPOINT_ACCOUNT}", {**AUTH, "Prefer": prefer})
    assert raw.status == 400


def test_scenarios_still_need_a_token() -> None:
    assert_error(client().get(PINPOINT_LIST, headers={"Prefer": "code=500"}), 401, "Authorization")


# --- faults ------------------------------------------------------------------------------------


def test_latency_fault() -> None:
    c = client(latency_ms=(60, 80))
    slept = fake_time(c)
    for _ in range(20):
        assert c.get(PINPOINT_LIST, headers=AUTH).status_code == 200
    assert len(slept) == 20 and all(0.06 <= s <= 0.08 for s in slept) and len(set(slept)) > 1


def test_rate_limit_headers_on_every_response_while_limits_are_on() -> None:
    now = [0.0]
    c = client(rate_limit_token=4, rate_limit_account=3)
    mock_state(c.application).faults.use_clock(lambda: now[0])
    first = c.get(PINPOINT_LIST, headers=AUTH)
    assert first.status_code == 200 and "Retry-After" not in first.headers
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("3;w=10", "2")
    assert first.headers["ratelimit-reset"] == "10"
    now[0] = 4.0
    c.get(CEIPAL_GET, headers=AUTH)
    c.get(CEIPAL_GET, headers=AUTH)  # the token has 1 left, pinpoint's account 2: the token is tighter
    tighter = c.get(PINPOINT_LIST, headers=AUTH)
    assert (tighter.headers["ratelimit-limit"], tighter.headers["ratelimit-remaining"]) == ("4;w=10", "0")
    assert tighter.headers["ratelimit-reset"] == "6"
    refused = c.get(PINPOINT_LIST, headers=AUTH)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "6"
    assert "ratelimit-limit" not in client().get(PINPOINT_LIST, headers=AUTH).headers


def statuses(seed: int, count: int = 40) -> list[int]:
    c = client(seed=seed, error_rate=0.5)
    return [c.get(PINPOINT_LIST, headers=AUTH).status_code for _ in range(count)]


def test_error_rate_is_deterministic_under_the_seed() -> None:
    first = statuses(5)
    assert first == statuses(5)
    assert set(first) == {200, 500, 502, 503}
    assert 8 <= sum(s != 200 for s in first) <= 32
    assert statuses(6) != first


def test_injected_errors_have_truto_bodies_and_are_journaled() -> None:
    c = client(error_rate=1.0)
    response = c.get(PINPOINT_LIST, headers=AUTH)
    assert response.status_code in (500, 502, 503) and conforms(response, PINPOINT_LIST, "pinpoint")
    entry = c.get("/__mock__/requests").get_json()["requests"][0]
    assert entry["scenario"] == f"fault: code={response.status_code}"


def test_rate_limit_per_account() -> None:
    c = client(rate_limit_account=3)
    assert [c.get(PINPOINT_LIST, headers=AUTH).status_code for _ in range(3)] == [200, 200, 200]
    limited = c.get(PINPOINT_LIST, headers=AUTH)
    assert_error(limited, 429, "3 requests per 10 seconds per integrated account")
    assert 1 <= int(limited.headers["Retry-After"]) <= 10 and limited.headers["ratelimit-limit"] == "3;w=10"
    assert c.get(CEIPAL_GET, headers=AUTH).status_code == 200  # another account is not limited


def test_rate_limit_per_token() -> None:
    c = client(rate_limit_token=2)
    assert [c.get(CEIPAL_GET, headers={"Authorization": "Bearer a"}).status_code for _ in range(3)] == [200, 200, 429]
    assert c.get(CEIPAL_GET, headers={"Authorization": "Bearer b"}).status_code == 200


def test_sliding_window_frees_up_after_ten_seconds() -> None:
    now = [0.0]
    window = SlidingWindow(2, lambda: now[0])
    assert not window.take("k", "token").limited and not window.take("k", "token").limited
    assert window.take("k", "token").reset == 10 and window.take("k", "token").limited
    now[0] = 9.5
    assert window.take("k", "token").reset == 1
    now[0] = 10.0
    assert not window.take("k", "token").limited


def test_rate_limits_are_off_by_default() -> None:
    c = client()
    assert all(c.get(CEIPAL_GET, headers=AUTH).status_code == 200 for _ in range(60))


@pytest.mark.parametrize(
    "config",
    [{"latency_ms": (5, 1)}, {"error_rate": 1.5}, {"rate_limit_token": -1}, {"journal_size": "10"}],
)
def test_bad_fault_settings_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        create_app(config)


# --- journal and admin -------------------------------------------------------------------------


def test_journal_records_requests_with_verdicts() -> None:
    c = client(journal_size=3)
    c.get(CEIPAL_GET, headers=AUTH)
    c.get(f"{PINPOINT_LIST}&limit=-1", headers=AUTH)
    c.get(PINPOINT_LIST, headers={**AUTH, "Prefer": "code=503, remote=true"})
    c.get("/__mock__/accounts")  # the mock's own endpoints are not journaled
    entries = c.get("/__mock__/requests").get_json()["requests"]
    assert [e["status"] for e in entries] == [503, 400, 200]
    first = entries[-1]
    assert first["path"] == "/unified/ats/interviews/9001" and first["provider"] == "ceipal"
    assert first["verdict"] == "conforms" and first["violations"] == [] and first["latency_ms"] >= 0
    assert entries[0]["scenario"] == "code=503, remote=true"
    for _ in range(3):
        c.get(CEIPAL_GET, headers=AUTH)
    assert len(c.get("/__mock__/requests").get_json()["requests"]) == 3  # bounded
    assert c.delete("/__mock__/requests").get_json() == {"cleared": 3}
    assert c.get("/__mock__/requests").get_json()["requests"] == []


def test_journal_verdict_flags_a_broken_response() -> None:
    app = create_app({"records": 0})
    c = app.test_client()
    # a raw record the mock accepts but that the response-level check rejects when asked with a wrong id
    c.get(f"{LIST_PATH}/9001?integrated_account_id={CEIPAL_ACCOUNT}", headers=AUTH)
    journal = app.extensions["truto_mock"].journal
    journal.record(
        method="GET", path="/unified/ats/interviews/1", query=f"integrated_account_id={PINPOINT_ACCOUNT}",
        status=200, latency_ms=1.0, provider="pinpoint", scenario="", headers={"Content-Type": "application/json"},
        body={"id": "1", "candidate": {"id": "2"}, "remote_data": {}},
    )  # fmt: skip
    newest = c.get("/__mock__/requests").get_json()["requests"][0]
    assert newest["verdict"] == "violates"
    assert newest["violations"] == ["/candidate: pinpoint does not return `candidate` [provider-coverage]"]


def test_admin_adds_replaces_and_refuses_records() -> None:
    c = client()
    raw = {"id": "900", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    url = f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records"
    added = c.post(url, json=[raw])
    assert added.status_code == 201 and added.get_json() == {"ids": ["900"], "replaced": False}
    assert c.get(f"{LIST_PATH}/900?integrated_account_id={PINPOINT_ACCOUNT}", headers=AUTH).status_code == 200
    replaced = c.put(url, json={**raw, "id": "901"})
    assert replaced.get_json() == {"ids": ["901"], "replaced": True}
    listing = c.get(PINPOINT_LIST, headers=AUTH).get_json()["result"]
    assert [i["id"] for i in listing] == ["901"]
    bad = {**raw, "attributes": {"status": "rescheduled"}}
    body = assert_error(c.post(url, json=[raw, bad]), 400, "record 1")
    assert "'rescheduled' is not one of" in body["message"] and body["details"]["failures"]
    assert [i["id"] for i in c.get(PINPOINT_LIST, headers=AUTH).get_json()["result"]] == ["901"]  # all or nothing
    assert_error(c.post(url, data="not json", content_type="application/json"), 400, "JSON array")
    assert_error(c.post("/__mock__/accounts/nope/records", json=[raw]), 404, "nope")
    assert_error(c.post(f"/__mock__/accounts/{CEIPAL_ACCOUNT}/records", json=[raw]), 400, "Refused")


def test_admin_post_refuses_an_existing_id_unless_asked_to_overwrite() -> None:
    c = client()
    raw = {"id": "412", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    url = f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records"
    body = assert_error(c.post(url, json=raw), 409, "'412'")
    assert "?overwrite=true" in body["message"] and body["details"] == {"ids": ["412"]}
    assert_error(c.post(url, json=[{**raw, "id": "7"}, {**raw, "id": "7"}]), 400, "repeats interview id '7'")
    assert_error(c.post(f"{url}?overwrite=maybe", json=raw), 400, "overwrite")
    assert c.post(f"{url}?overwrite=true", json=raw).status_code == 201
    assert c.get(f"{LIST_PATH}/412?integrated_account_id={PINPOINT_ACCOUNT}", headers=AUTH).json["status"] == "draft"


def test_reset_restores_the_data_and_clears_the_journal() -> None:
    c = client()
    c.put(f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records", json=[])
    assert c.get(PINPOINT_LIST, headers=AUTH).get_json()["result"] == []
    assert c.post("/__mock__/reset").get_json()["reset"] is True
    assert len(c.get(PINPOINT_LIST, headers=AUTH).get_json()["result"]) == 8
    assert len(c.get("/__mock__/requests").get_json()["requests"]) == 1


# --- the page ----------------------------------------------------------------------------------


def test_page_lists_accounts_interviews_scenarios_and_journal() -> None:
    c = client()
    c.get(CEIPAL_GET, headers=AUTH)
    html = c.get("/").get_data(as_text=True)
    assert CEIPAL_ACCOUNT in html and PINPOINT_ACCOUNT in html
    assert 'data-scenario="code=429"' in html and "curl -H &#34;Authorization: Bearer dev-token&#34;" in html
    assert "/unified/ats/interviews/9001" in html and 'class="conforms"' in html
    assert "truto_response_format%3Draw" in html


def test_try_page_sends_the_request_with_a_token_and_shows_the_verdict() -> None:
    c = client()
    page = c.get("/__mock__/try", query_string={"path": f"{PINPOINT_LIST}&limit=1", "prefer": "code=429"}).get_data(
        as_text=True
    )
    assert 'id="status">429<' in page and 'class="conforms">conforms<' in page
    ok = c.get("/__mock__/try", query_string={"path": CEIPAL_GET}).get_data(as_text=True)
    assert 'id="status">200<' in ok and "&#34;id&#34;: &#34;9001&#34;" in ok
    assert_error(c.get("/__mock__/try", query_string={"path": "/etc/passwd"}), 400, "/unified/")


def test_try_page_under_a_token_needs_it_and_sends_the_callers() -> None:
    c = client(token="s3cret")
    query = {"path": CEIPAL_GET}
    assert_error(c.get("/__mock__/try", query_string=query), 401, "--token")
    assert_error(c.get("/__mock__/try", query_string=query, headers=AUTH), 401, "Invalid API token")
    ok = c.get("/__mock__/try", query_string=query, headers={"Authorization": "Bearer s3cret"}).get_data(as_text=True)
    assert 'id="status">200<' in ok and "s3cret" not in ok


def test_openapi_and_cors_on_admin_for_a_listed_origin() -> None:
    c = client(cors_origin="http://localhost:3000")
    assert json.loads(c.get("/openapi.json").get_data())["openapi"] == "3.1.0"
    preflight = c.options(
        f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_journal_and_page_mark_findings_resting_on_assumptions() -> None:
    app = create_app({"records": 0})
    c = app.test_client()
    journal = app.extensions["truto_mock"].journal
    for body in ({"id": "1", "status": None, "remote_data": {}}, {"id": "1", "status": 5, "remote_data": {}}):
        journal.record(
            method="GET", path="/unified/ats/interviews/1", query=f"integrated_account_id={PINPOINT_ACCOUNT}",
            status=200, latency_ms=1.0, provider="pinpoint", scenario="", headers={"Content-Type": "application/json"},
            body=body,
        )  # fmt: skip
    documented, assumed = c.get("/__mock__/requests").get_json()["requests"]
    assert assumed["verdict"] == "unconfirmed" and assumed["assumptions"] == ["A-absent-not-null"]
    assert assumed["violations"] == [
        "/status: `status` is null; the kit expects a field without a value to be left out "
        "(its type: enum) [null; assumed A-absent-not-null]"
    ]
    assert documented["verdict"] == "violates" and documented["assumptions"] == []
    page = c.get("/").get_data(as_text=True)
    assert 'class="unconfirmed">unconfirmed' in page and "assumed A-absent-not-null" in page
