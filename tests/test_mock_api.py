"""The mock's endpoints: every format, paging, filters, account isolation, CORS, errors."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator
from urllib.parse import quote, unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contracts.datetimes import parse_iso
from contracts.providers import fields_for, provider_module
from contracts.query import parse_query
from mockserver import create_app
from mockserver.paging import encode_cursor
from tests.mock_helpers import (
    ACCOUNTS,
    CEIPAL_ACCOUNT,
    FIRST_ID,
    LIST_PATH,
    PINPOINT_ACCOUNT,
    assert_error,
    get,
    violations,
)


@pytest.fixture
def app() -> Flask:
    return create_app({"records": 10})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def url_get(provider: str, interview_id: str, extra: str = "") -> str:
    return f"{LIST_PATH}/{interview_id}?integrated_account_id={ACCOUNTS[provider]}{extra}"


def url_list(provider: str, extra: str = "") -> str:
    return f"{LIST_PATH}?integrated_account_id={ACCOUNTS[provider]}{extra}"


COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


@pytest.mark.parametrize("fmt", ["unified", "raw", "normalized", "stream", "debug"])
def test_get_in_every_format_conforms(client: FlaskClient, provider: str, fmt: str) -> None:
    url = url_get(provider, FIRST_ID[provider], f"&truto_response_format={fmt}")
    response = get(client, url)
    assert response.status_code == 200
    assert violations(response, url, provider) == []


@pytest.mark.parametrize("fmt", ["unified", "raw", "normalized", "stream", "debug"])
def test_list_in_every_format_conforms(client: FlaskClient, provider: str, fmt: str) -> None:
    url = url_list(provider, f"&truto_response_format={fmt}&limit=3")
    response = get(client, url)
    assert response.status_code == 200
    assert violations(response, url, provider) == []


def test_unified_is_computed_from_raw(client: FlaskClient, provider: str) -> None:
    unified = get(client, url_get(provider, FIRST_ID[provider])).get_json()
    raw = get(client, url_get(provider, FIRST_ID[provider], "&truto_response_format=raw")).get_json()
    debug = get(client, url_get(provider, FIRST_ID[provider], "&truto_response_format=debug")).get_json()
    assert debug["result"] == unified
    assert debug["debug"]["data"] == raw
    record = raw["data"] if provider == "pinpoint" else raw
    assert unified["remote_data"] == record


def test_pinpoint_has_no_candidate_and_ceipal_no_status(client: FlaskClient) -> None:
    pinpoint = get(client, url_list("pinpoint", "&truto_ignore_limit=true")).get_json()["result"]
    ceipal = get(client, url_list("ceipal", "&truto_ignore_limit=true")).get_json()["result"]
    assert pinpoint and ceipal
    assert not any("candidate" in i or "location" in i for i in pinpoint)
    assert not any("status" in i or "start_at" in i for i in ceipal)


def test_normalized_sends_every_provider_field(client: FlaskClient) -> None:
    body = get(client, url_get("ceipal", "9002", "&truto_response_format=normalized")).get_json()
    assert list(body) == [f.name for f in fields_for("ceipal")]
    assert body["location"] is None


def test_stream_is_chunked_and_equals_unified(client: FlaskClient) -> None:
    streamed = get(client, url_list("pinpoint", "&truto_response_format=stream&truto_ignore_limit=true"))
    assert streamed.is_streamed and "Content-Length" not in streamed.headers
    plain = get(client, url_list("pinpoint", "&truto_ignore_limit=true"))
    assert json.loads(streamed.get_data()) == plain.get_json()


def test_debug_shows_the_provider_call(client: FlaskClient, provider: str) -> None:
    url = url_list(provider, "&truto_response_format=debug&limit=2&remote_query[department]=R%26D&remote_query[x]=1")
    debug = get(client, url).get_json()["debug"]
    assert "department=R%26D" in debug["requestUrl"] and "x=1" in debug["requestUrl"]
    for key, value in provider_module(provider).paging_query(offset=0, limit=2).items():
        assert f"{key}={value}" in unquote(debug["requestUrl"]), key
    headers = json.dumps(debug["requestOptions"])
    assert "[REDACTED]" in headers and "test-token" not in headers
    assert (debug["resultCount"], debug["isEmptyResult"], debug["isLooping"]) == (2, False, False)
    assert debug["nextCursor"] is not None


def test_debug_is_null_when_the_api_call_is_skipped(client: FlaskClient) -> None:
    body = get(client, url_get("ceipal", "9001", "&truto_response_format=debug&truto_skip_api_call=true")).get_json()
    assert body["debug"] is None and body["result"]["id"] == "9001"


@pytest.mark.parametrize(
    "encoding",
    [
        "truto_exclude_fields[]=created_at&truto_exclude_fields[]=remote_data",
        "truto_exclude_fields[0]=created_at&truto_exclude_fields[1]=remote_data",
        "truto_exclude_fields=created_at,remote_data",
    ],
)
def test_exclude_fields_in_all_encodings(client: FlaskClient, provider: str, encoding: str) -> None:
    body = get(client, url_get(provider, FIRST_ID[provider], f"&{encoding}")).get_json()
    assert "created_at" not in body and "remote_data" not in body and "updated_at" in body


def test_ignore_remote_data(client: FlaskClient, provider: str) -> None:
    body = get(client, url_list(provider, "&truto_ignore_remote_data=true")).get_json()
    assert body["result"] and all("remote_data" not in item for item in body["result"])


def test_paging_walks_every_record_once(client: FlaskClient, provider: str) -> None:
    every = [i["id"] for i in get(client, url_list(provider, "&truto_ignore_limit=true")).get_json()["result"]]
    seen: list[str] = []
    cursor = ""  # the TS SDK sends an empty cursor on the first page
    while True:
        body = get(client, url_list(provider, f"&limit=4&next_cursor={cursor}")).get_json()
        assert len(body["result"]) <= 4
        seen += [i["id"] for i in body["result"]]
        if body["next_cursor"] is None:
            break
        cursor = quote(body["next_cursor"])
    assert seen == every and len(set(seen)) == len(every) > 8  # over three pages


def test_default_page_size_is_the_providers(client: FlaskClient) -> None:
    ceipal = get(client, url_list("ceipal")).get_json()
    assert len(ceipal["result"]) == 14 and ceipal["next_cursor"] is None  # 4 fixtures + 10 generated < 20
    app = create_app({"records": 40})
    body = get(app.test_client(), url_list("ceipal")).get_json()
    assert len(body["result"]) == 20 and body["next_cursor"]


@pytest.mark.parametrize(
    ("provider", "query"),
    [
        ("ceipal", "created_at[gte]=2026-10-01T10:15:00Z"),
        ("ceipal", "created_at[lt]=2025-06-01"),
        ("pinpoint", "start_at[gt]=2026-06-01T00:00:00Z"),
        ("pinpoint", "end_at[lte]=2026-01-01T00:00:00%2B00:00"),
        ("pinpoint", "created_at[gt]=2025-01-01&created_at[lt]=2026-01-01"),
    ],
)
def test_filters(client: FlaskClient, provider: str, query: str) -> None:
    url = url_list(provider, f"&truto_ignore_limit=true&{query}")
    result = get(client, url).get_json()["result"]
    every = get(client, url_list(provider, "&truto_ignore_limit=true")).get_json()["result"]
    filters = parse_query(url.split("?", 1)[1], endpoint="list").filters
    expected = [
        i["id"]
        for i in every
        if all(f.field in i and COMPARE[f.operator](parse_iso(i[f.field]), f.value) for f in filters)
    ]
    assert [i["id"] for i in result] == expected
    assert 0 < len(expected) < len(every)


def test_interview_visible_only_through_its_account(client: FlaskClient) -> None:
    assert get(client, f"{LIST_PATH}/9001?integrated_account_id={CEIPAL_ACCOUNT}").status_code == 200
    response = get(client, f"{LIST_PATH}/9001?integrated_account_id={PINPOINT_ACCOUNT}")
    assert_error(response, 404, "Interview 9001 was not found")


def test_accounts_and_openapi_endpoints(client: FlaskClient) -> None:
    accounts = client.get("/__mock__/accounts").get_json()
    assert [(a["id"], a["provider"]) for a in accounts] == [
        (CEIPAL_ACCOUNT, "ceipal"),
        (PINPOINT_ACCOUNT, "pinpoint"),
    ]
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0" and document["servers"][0]["url"] == "http://localhost"


def test_cors_preflight_and_headers(client: FlaskClient) -> None:
    preflight = client.options(
        url_list("ceipal"),
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    response = get(client, url_list("ceipal"), Origin="http://localhost:5173")
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")


@pytest.mark.parametrize("path", [LIST_PATH, LIST_PATH + "/", "/unified/ats/nope"])
def test_a_preflight_on_any_api_path_gets_cors_headers_and_no_auth(client: FlaskClient, path: str) -> None:
    preflight = client.options(
        path,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, prefer",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {"authorization", "prefer"} <= set(preflight.headers["Access-Control-Allow-Headers"].lower().split(", "))
    assert client.get("/__mock__/requests").get_json()["requests"] == []  # preflights are not API requests


@pytest.mark.parametrize("path", ["/nowhere", "/__mock__/requests", "/__mock__/reset", "/openapi.json", "/"])
def test_the_default_star_applies_to_the_api_only(client: FlaskClient, path: str) -> None:
    """The page is same-origin: a page on another origin may not read or drive the admin routes."""
    for method in ("OPTIONS", "GET", "POST"):
        headers = {"Origin": "http://localhost:5173"}
        if method == "OPTIONS":
            headers["Access-Control-Request-Method"] = "POST"
        answer = client.open(path, method=method, headers=headers)
        assert not [h for h in answer.headers if h[0].lower().startswith("access-control-")], (method, answer.headers)


BROWSER_HEADERS = "traceparent, sentry-trace, baggage, X-Requested-With, x-request-id, cache-control, authorization"


def test_a_preflight_allows_whatever_request_headers_it_asks_for(client: FlaskClient) -> None:
    """Tracing and framework headers (traceparent, sentry-trace, ...) must not make `fetch` fail."""
    preflight = client.options(
        url_list("ceipal"),
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": BROWSER_HEADERS,
        },
    )
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {h.strip().lower() for h in BROWSER_HEADERS.split(",")}
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0


def test_scripts_on_another_origin_can_read_allow_retry_after_and_rate_limit_headers(client: FlaskClient) -> None:
    for response in (
        client.put(url_list("ceipal"), headers={"Authorization": "Bearer t", "Origin": "http://localhost:5173"}),
        get(client, url_list("ceipal"), Origin="http://localhost:5173", Prefer="code=429"),
        get(client, "/unified/ats/nope", Origin="http://localhost:5173"),
    ):
        exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"allow", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= exposed
        assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")


def test_cors_origin_can_be_restricted() -> None:
    client = create_app({"records": 0, "cors_origin": "http://app.example"}).test_client()
    allowed = get(client, url_list("ceipal"), Origin="http://app.example")
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://app.example"
    other = get(client, url_list("ceipal"), Origin="http://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers


def test_several_cors_origins_and_a_trailing_slash_match_what_browsers_send() -> None:
    client = create_app({"records": 0, "cors_origin": "http://localhost:5173/, https://app.example:8443"}).test_client()
    for origin in ("http://localhost:5173", "https://app.example:8443"):
        assert get(client, url_list("ceipal"), Origin=origin).headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Origin" not in get(client, url_list("ceipal"), Origin="http://evil.example").headers


@pytest.mark.parametrize("origin", ["not a url", "http://localhost:5173/app", "localhost:5173", "http://a.example,"])
def test_a_cors_origin_no_browser_could_send_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match=r"cors_origin .* is not an origin"):
        create_app({"records": 0, "cors_origin": origin})


# --- errors: one test per case, all in Truto's shape -------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "test-token"])
def test_401_missing_or_malformed_token(client: FlaskClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_error(client.get(url_list("ceipal"), headers=headers), 401, "Authorization")


def test_401_wrong_token_when_one_is_required() -> None:
    client = create_app({"records": 0, "token": "s3cret"}).test_client()
    body = assert_error(client.get(url_list("ceipal"), headers={"Authorization": "Bearer nope"}), 401, "Invalid")
    assert "s3cret" not in json.dumps(body)
    ok = client.get(url_list("ceipal"), headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (LIST_PATH, "integrated_account_id is a required"),
        (f"{LIST_PATH}?integrated_account_id=not-a-uuid", "must be a UUID"),
        (url_list("ceipal", "&truto_response_format=xml"), "truto_response_format"),
        (url_list("ceipal", "&truto_ignore_remote_data=maybe"), "must be true or false"),
        (url_list("ceipal", "&truto_ignore_limit=1"), "must be true or false"),
        (url_list("ceipal", "&limit=-1"), "positive whole number"),
        (url_list("ceipal", "&limit=abc"), "positive whole number"),
        (url_list("ceipal", "&next_cursor=garbage!!"), "not a cursor this server issued"),
        (
            url_list("ceipal", "&next_cursor=" + encode_cursor(5, CEIPAL_ACCOUNT)[:11]),
            "not a cursor this server issued",
        ),
        (url_list("ceipal", "&next_cursor=AAAAAAAAAA%2BA"), "not a cursor this server issued"),
        (url_list("ceipal", "&next_cursor=" + encode_cursor(5, PINPOINT_ACCOUNT)), "invalid cursor"),
        (url_list("ceipal", "&next_cursor=" + encode_cursor(5, PINPOINT_ACCOUNT)[:8]), "not a cursor this server"),
        (url_list("ceipal", "&start_at[gt]=2024-01-01"), "ceipal does not support filtering on `start_at`"),
        (url_list("pinpoint", "&created_at[gt]=soon"), "RFC 3339"),
        (url_list("ceipal", "&truto_exclude_fields[]=salary"), "unknown field 'salary'"),
        (url_list("ceipal", "&sort=asc"), "unknown query parameter `sort`"),
        (url_get("ceipal", "9001", "&limit=2"), "list endpoint only"),
    ],
)
def test_400_bad_requests(client: FlaskClient, url: str, message: str) -> None:
    body = assert_error(get(client, url), 400, message)
    if "required" in message:
        assert body["truto_error_insight"]["missing_required_query_parameters"]["value"] == ["integrated_account_id"]


def test_404_unknown_account_interview_and_route(client: FlaskClient) -> None:
    assert_error(get(client, f"{LIST_PATH}?integrated_account_id=00000000-0000-4000-8000-000000000000"), 404, "account")
    assert_error(get(client, url_get("pinpoint", "99999")), 404, "Interview 99999")
    assert_error(get(client, "/unified/ats/candidates"), 404, "No route")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_405_other_methods(client: FlaskClient, method: str) -> None:
    for url in (url_list("ceipal"), url_get("ceipal", "9001")):
        response = client.open(url, method=method, headers={"Authorization": "Bearer x"})
        assert_error(response, 405, f"{method} is not allowed")
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    "query",
    [
        "integrated_account_id=" + "a" * 100_000,
        "integrated_account_id=%00%ff%fe",
        f"integrated_account_id={PINPOINT_ACCOUNT}&truto_exclude_fields[]=" + "x" * 50_000,
        f"integrated_account_id={PINPOINT_ACCOUNT}&remote_query[a][b][c][d][e][f]=1",
        f"integrated_account_id={PINPOINT_ACCOUNT}&created_at[gt][x]=1",
        f"integrated_account_id={PINPOINT_ACCOUNT}&truto_exclude_fields[999]=id",
        f"integrated_account_id={PINPOINT_ACCOUNT}&limit=99999999999999999999999",
        f"integrated_account_id={PINPOINT_ACCOUNT}&next_cursor=eyJvZmZzZXQiOiAxZTk5OX0",
        "%%%&&&===[[[]]]",
    ],
)
def test_strange_input_never_5xx(client: FlaskClient, query: str) -> None:
    for path in (LIST_PATH, f"{LIST_PATH}/412", f"{LIST_PATH}/%F0%9F%92%A5"):
        response = get(client, f"{path}?{query}")
        assert response.status_code < 500, response.get_data()
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert body is not None and "Traceback" not in response.get_data(as_text=True)


def test_records_with_huge_integers_are_served(client: FlaskClient) -> None:
    """orjson refuses integers beyond 64 bits; the mock falls back instead of failing."""
    raw = {"id": "1", "type": "interviews", "attributes": {"status": "draft", "score": 2**70}, "relationships": {}}
    assert client.post(f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records", json=[raw]).status_code == 201
    body = get(client, url_get("pinpoint", "1")).get_json()
    assert body["remote_data"]["attributes"]["score"] == 2**70


def test_an_account_id_in_upper_case_is_the_same_account(client: FlaskClient) -> None:
    """UUIDs compare case-insensitively (RFC 9562): the mock finds the account whatever the case."""
    for provider, account in ACCOUNTS.items():
        upper = account.upper()
        listed = get(client, f"{LIST_PATH}?integrated_account_id={upper}&limit=2")
        assert listed.status_code == 200 and len(listed.get_json()["result"]) == 2, listed.get_json()
        one = get(client, f"{LIST_PATH}/{FIRST_ID[provider]}?integrated_account_id={upper}")
        assert one.status_code == 200 and one.get_json()["id"] == FIRST_ID[provider]
