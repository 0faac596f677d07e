"""The response-level check: status, content type, error body, envelopes, formats."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts import Exchange, check_response
from contracts.providers import provider_module
from tests.conftest import good_interview

JSON = {"Content-Type": "application/json"}
ACCOUNT = "62f44730-dd91-461e-bd6a-aedd9e0ad79d"


def rules(violations: list[Any]) -> list[tuple[str, str]]:
    return [(v.pointer, v.rule) for v in violations]


def test_good_get_and_list(provider: str) -> None:
    item = good_interview(provider)
    get = Exchange("get", provider, interview_id=item["id"])
    assert check_response(200, JSON, json.dumps(item).encode(), get) == []
    listing = Exchange("list", provider)
    envelope = {"result": [item, item], "next_cursor": None, "prev_cursor": None, "result_count": 2}
    assert check_response(200, JSON, envelope, listing) == []
    assert check_response(200, JSON, {**envelope, "is_partial_response": True}, listing) == []  # optional


def test_list_envelope_problems(provider: str) -> None:
    listing = Exchange("list", provider)
    item = good_interview(provider)
    paging = {"prev_cursor": None, "result_count": 1}
    assert rules(check_response(200, JSON, {"result": [item], **paging}, listing)) == [
        ("/next_cursor", "list-envelope")
    ]
    assert rules(check_response(200, JSON, {"result": [item], "next_cursor": None}, listing)) == [
        ("/prev_cursor", "list-envelope"),  # Truto documents both on every list page
        ("/result_count", "list-envelope"),
    ]
    assert rules(check_response(200, JSON, {"result": {}, "next_cursor": None, **paging}, listing)) == [
        ("/result", "list-envelope")
    ]
    found = check_response(
        200,
        JSON,
        {"result": [{**item, "id": 3}], "next_cursor": 5, "prev_cursor": None, "result_count": True, "extra": 1},
        listing,
    )
    assert rules(found) == [
        ("/next_cursor", "list-envelope"),
        ("/result_count", "list-envelope"),
        ("/extra", "unknown-field"),
        ("/result/0/id", "type"),
    ]
    partial = {"result": [item], "next_cursor": None, **paging, "is_partial_response": "yes"}
    assert [str(v) for v in check_response(200, JSON, partial, listing)] == [
        "/is_partial_response: `is_partial_response` must be true or false [list-envelope]"
    ]


def test_id_mismatch() -> None:
    item = good_interview("ceipal")
    found = check_response(200, JSON, item, Exchange("get", "ceipal", interview_id="other"))
    assert rules(found) == [("/id", "id-mismatch")]


def test_content_type_and_unreadable_bodies() -> None:
    ex = Exchange("get", "ceipal")
    assert rules(check_response(200, {"content-type": "text/html"}, good_interview("ceipal"), ex)) == [
        ("", "content-type")
    ]
    for body in (b"", b"<html>502 Bad Gateway</html>", b'{"id": "1"', b"\xff\xfe", b"[" * 100_000):
        [violation] = check_response(200, JSON, body, ex)
        assert violation.rule == "not-json"


def test_error_bodies() -> None:
    ex = Exchange("get", "ceipal")
    good = {"statusCode": 404, "error": "Not Found", "message": "nope"}
    assert check_response(404, JSON, good, ex) == []
    assert rules(check_response(404, JSON, {**good, "statusCode": 400}, ex)) == [("/statusCode", "error-body")]
    assert rules(check_response(429, JSON, {"statusCode": 429, "error": "Slow down", "message": ""}, ex)) == [
        ("/error", "error-body")
    ]
    assert rules(check_response(500, JSON, b"Internal Server Error", ex)) == [
        ("", "status"),
        ("", "not-json"),
    ]


def test_invalid_request_expects_its_error() -> None:
    ex = Exchange.from_url(f"https://api.truto.one/unified/ats/interviews?integrated_account_id={ACCOUNT}&limit=-3")
    assert ex.expected_status == 400
    item = good_interview("ceipal")
    [violation] = check_response(200, JSON, {"result": [item], "next_cursor": None}, ex)
    assert violation.rule == "status" and "positive whole number" in violation.message
    error = {"statusCode": 400, "error": "Bad Request", "message": "bad limit"}
    assert check_response(400, JSON, error, ex) == []


def test_exchange_from_url_reads_the_request() -> None:
    url = (
        f"http://127.0.0.1:8000/unified/ats/interviews/412?integrated_account_id={ACCOUNT}"
        "&truto_response_format=normalized&truto_exclude_fields=status&truto_ignore_remote_data=true"
    )
    ex = Exchange.from_url(url, provider="pinpoint")
    assert (ex.endpoint, ex.interview_id, ex.response_format) == ("get", "412", "normalized")
    assert ex.exclude_fields == ("status",) and ex.ignore_remote_data


def test_debug_envelope(provider: str) -> None:
    item = good_interview(provider)
    debug = {"requestUrl": "https://x", "requestOptions": {}, "data": {}, "responseHeaders": {}}
    ex = Exchange("get", provider, response_format="debug")
    assert check_response(200, JSON, {"result": item, "debug": debug}, ex) == []
    assert check_response(200, JSON, {"result": item, "debug": None}, ex) == []
    assert rules(check_response(200, JSON, {"result": item, "debug": {**debug, "requestUrl": 1}}, ex)) == [
        ("/debug/requestUrl", "debug-envelope")
    ]
    assert rules(check_response(200, JSON, item, ex)) == [("", "debug-envelope")]
    skip = Exchange("get", provider, response_format="debug", skip_api_call=True)
    assert rules(check_response(200, JSON, {"result": item, "debug": debug}, skip)) == [("/debug", "debug-envelope")]
    listing = Exchange("list", provider, response_format="debug")
    envelope = {"result": [item], "next_cursor": None, "prev_cursor": None, "result_count": 1}
    assert rules(check_response(200, JSON, {"result": envelope, "debug": debug}, listing)) == [
        ("/debug/nextCursor", "debug-envelope"),
        ("/debug/isLooping", "debug-envelope"),
        ("/debug/isEmptyResult", "debug-envelope"),
        ("/debug/resultCount", "debug-envelope"),
    ]


def test_raw_bodies_must_map(provider: str) -> None:
    module = provider_module(provider)
    ex = Exchange("get", provider, response_format="raw")
    assert check_response(200, JSON, module.raw_get_body(module.example), ex) == []
    listing = Exchange("list", provider, response_format="raw")
    body = module.raw_list_body([module.example], offset=0, limit=10, total=1)
    assert check_response(200, JSON, body, listing) == []
    [violation] = check_response(200, JSON, {"nothing": []}, listing)
    assert violation.rule == "raw-body"


def test_normalized_allows_nulls() -> None:
    item = {**good_interview("ceipal"), "location": None}
    assert check_response(200, JSON, item, Exchange("get", "ceipal", response_format="normalized")) == []
    assert rules(check_response(200, JSON, item, Exchange("get", "ceipal"))) == [("/location", "null")]


@pytest.mark.parametrize("status", [201, 204, 302])
def test_other_success_statuses(status: int) -> None:
    [violation] = check_response(status, JSON, good_interview("ceipal"), Exchange("get", "ceipal"))
    assert violation.rule == "status"


def test_the_provider_of_a_url_is_found_whatever_the_case_of_its_account_id() -> None:
    account = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
    url = f"/unified/ats/interviews/412?integrated_account_id={account.upper()}"
    assert Exchange.from_url(url, accounts={account: "pinpoint"}).provider == "pinpoint"
    assert Exchange.from_url(url, accounts={"00000000-0000-4000-8000-000000000000": "ceipal"}).provider is None
