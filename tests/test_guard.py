"""`--token` guards every route but the open ones; admin CORS only for listed origins; no writes from
pages on other sites; the health route stays open and says nothing about the data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver import create_app
from mockserver.config import MockConfig
from mockserver.guard import OPEN_PATHS, cors_headers, guard_summary
from tests.mock_helpers import CEIPAL_ACCOUNT, LIST_PATH, PINPOINT_ACCOUNT, assert_error

TOKEN = "sk-live-SECRET123"
GOOD = {"Authorization": f"Bearer {TOKEN}"}
RECORDS = f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records"
PINPOINT_LIST = f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}"
RAW = {"id": "evil-1", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
# (method, path, json body): every route of the mock but the open ones.
GUARDED: list[tuple[str, str, Any]] = [
    ("GET", PINPOINT_LIST, None),
    ("GET", "/__mock__/accounts", None),
    ("GET", "/__mock__/requests", None),
    ("DELETE", "/__mock__/requests", None),
    ("POST", "/__mock__/reset", None),
    ("PUT", RECORDS, []),
    ("POST", RECORDS, [RAW]),
    ("GET", "/__mock__/try?path=" + PINPOINT_LIST.replace("?", "%3F").replace("=", "%3D"), None),
    ("GET", "/__mock__/faults", None),
    ("PUT", "/__mock__/faults", {"error_rate": 1}),
    ("GET", "/__mock__/page", None),
    ("GET", "/nowhere", None),
]


def client(**config: Any) -> FlaskClient:
    return create_app({"records": 2, **config}).test_client()


def ids(c: FlaskClient) -> list[str]:
    return [i["id"] for i in c.get(PINPOINT_LIST, headers=GOOD).get_json()["result"]]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic c2stbGl2ZQ==", TOKEN])
def test_with_a_token_every_route_but_the_open_ones_needs_it(authorization: str | None) -> None:
    c = client(token=TOKEN)
    before = ids(c)
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in GUARDED:
        answer = c.open(path, method=method, json=body, headers=headers)
        assert_error(answer, 401, "token" if authorization is None or authorization == TOKEN else "")
        assert TOKEN not in answer.get_data(as_text=True)
    assert ids(c) == before  # nothing written
    assert c.get("/__mock__/faults", headers=GOOD).get_json()["error_rate"] == 0


@pytest.mark.parametrize(("method", "path", "body"), GUARDED[:-1])
def test_with_the_token_every_route_answers(method: str, path: str, body: Any) -> None:
    answer = client(token=TOKEN).open(path, method=method, json=body, headers=GOOD)
    assert answer.status_code < 300, answer.get_data(as_text=True)


def test_the_open_routes_need_no_token_and_the_health_route_says_nothing_more() -> None:
    c = client(token=TOKEN)
    health = c.get("/__mock__/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    assert c.get("/openapi.json").status_code == 200
    shell = c.get("/")
    assert shell.status_code == 200
    html = shell.get_data(as_text=True)
    assert 'id="token-form"' in html and CEIPAL_ACCOUNT not in html and "412" not in html
    assert TOKEN not in html
    preflight = c.options(RECORDS, headers={"Origin": "http://x.example", "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 200
    assert "/favicon.ico" in OPEN_PATHS and c.get("/favicon.ico").status_code != 401


def test_the_page_with_the_token_shows_the_data() -> None:
    c = client(token=TOKEN)
    c.get(f"{PINPOINT_LIST}&limit=1", headers=GOOD)
    for url in ("/", "/__mock__/page"):
        html = c.get(url, headers=GOOD).get_data(as_text=True)
        assert CEIPAL_ACCOUNT in html and "interviews%2F412" in html and "limit=1" in html
        assert 'id="faults-form"' in html and TOKEN not in html
    assert 'id="token-form"' in c.get("/", headers={"Authorization": "Bearer wrong"}).get_data(as_text=True)


def test_the_journal_never_carries_the_token() -> None:
    c = client(token=TOKEN)
    c.get(PINPOINT_LIST, headers=GOOD)
    c.get(PINPOINT_LIST, headers={"Authorization": "Bearer sk-live-WRONG"})
    c.get("/__mock__/try", query_string={"path": PINPOINT_LIST}, headers=GOOD)
    journal = c.get("/__mock__/requests", headers=GOOD).get_data(as_text=True)
    assert len(json.loads(journal)["requests"]) == 3
    assert TOKEN not in journal and "sk-live-WRONG" not in journal


# --- CORS ----------------------------------------------------------------------------------------

ADMIN_PATHS = ["/__mock__/requests", RECORDS, "/__mock__/faults", "/openapi.json", "/", "/__mock__/health"]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_admin_cors_answers_listed_origins_only_never_star_never_an_echo(path: str) -> None:
    c = client(cors_origin="http://localhost:5173")
    for origin, expected in [("http://localhost:5173", "http://localhost:5173"), ("http://evil.example", None)]:
        for method in ("OPTIONS", "GET"):
            headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
            answer = c.open(path, method=method, headers=headers)
            assert answer.headers.get("Access-Control-Allow-Origin") == expected, (origin, method)
            if expected:
                assert "Origin" in answer.headers["Vary"]


def test_the_default_star_covers_the_api_and_a_listed_origin_is_not_echoed_for_others() -> None:
    open_config = MockConfig(records=0)
    assert cors_headers(open_config, LIST_PATH, "http://a.example", "GET")["Access-Control-Allow-Origin"] == "*"
    assert cors_headers(open_config, "/__mock__/requests", "http://a.example", "GET") == {}
    listed = MockConfig(records=0, cors_origin="http://a.example")
    assert cors_headers(listed, LIST_PATH, "http://b.example", "GET") == {}
    assert cors_headers(listed, "/__mock__/reset", "http://b.example", "OPTIONS") == {}
    preflight = cors_headers(listed, "/__mock__/reset", "http://A.example", "OPTIONS", "content-type")
    assert (
        preflight["Access-Control-Allow-Headers"] == "content-type"
        and "POST" in preflight["Access-Control-Allow-Methods"]
    )
    assert "Access-Control-Allow-Headers" not in cors_headers(
        listed, LIST_PATH, "http://a.example", "OPTIONS", "a\r\nb"
    )


# --- writes from other sites ---------------------------------------------------------------------

CROSS_SITE = [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("token", [None, TOKEN])
def test_writes_from_a_page_on_another_site_are_refused(headers: dict[str, str], token: str | None) -> None:
    c = client(token=token)
    auth = GOOD if token else {}
    before = ids(c)
    for method, path, body in [
        ("PUT", RECORDS, []),
        ("POST", "/__mock__/reset", None),
        ("DELETE", "/__mock__/requests", None),
    ]:
        answer = c.open(path, method=method, json=body, headers={**headers, **auth})
        assert_error(answer, 403, "another site")
    simple = c.post(RECORDS, data=json.dumps([RAW]), content_type="text/plain", headers={**headers, **auth})
    assert_error(simple, 403, "--cors-origin")
    assert_error(c.put("/__mock__/faults", json={"error_rate": 1}, headers={**headers, **auth}), 403, "another site")
    assert (
        ids(c) == before and len(c.get("/__mock__/requests", headers=auth).get_json()["requests"]) == 2
    )  # not cleared


def test_writes_from_the_page_itself_a_listed_origin_and_non_browsers_pass() -> None:
    c = client(cors_origin="http://localhost:5173")
    for headers in (
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},  # the page (the test client's host)
        {"Origin": "http://localhost:5173", "Sec-Fetch-Site": "cross-site"},  # named with --cors-origin
        {},  # curl, scripts, the plugin
    ):
        assert c.post(RECORDS, json=[RAW], headers=headers, query_string={"overwrite": "true"}).status_code == 201
        assert c.post("/__mock__/reset", headers=headers).status_code == 200


def test_guard_summary_says_what_is_guarded_and_never_the_token() -> None:
    guarded = guard_summary(MockConfig(token=TOKEN, cors_origin="http://localhost:5173"))
    assert "token required on /unified/* and /__mock__/*" in guarded and "/__mock__/health" in guarded
    assert "admin CORS: http://localhost:5173" in guarded and TOKEN not in guarded
    assert "no token needed" in guard_summary(MockConfig()) and "admin CORS: none" in guard_summary(MockConfig())
