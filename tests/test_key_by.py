"""`truto_key_by` on lists, everywhere the parameter table reaches: the mock keys `result`, refuses an
unknown or non-scalar field in Truto's shape, and the checker, strategies, gate matrix, coverage report
and OpenAPI document know it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import Exchange, check_response
from contracts.basis import BASIS_BY_ID
from contracts.live.matrix import checks_for
from contracts.params import KEY_BY_FIELDS, PARAM_BY_NAME
from mockserver import create_app
from mockserver.coverage import classify, universe
from strategies import interview_queries, invalid_interview_queries
from tests.mock_helpers import ACCOUNTS, LIST_PATH, assert_error, get, violations

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    with create_app({"records": 6}).test_client() as client:
        yield client


def _list(provider: str, extra: str = "", limit: int = 5) -> str:
    return f"{LIST_PATH}?integrated_account_id={ACCOUNTS[provider]}&limit={limit}{extra}"


def test_result_becomes_an_object_keyed_by_the_field(client: FlaskClient, provider: str) -> None:
    plain = get(client, _list(provider)).get_json()
    url = _list(provider, "&truto_key_by=id")
    response = get(client, url)
    keyed = response.get_json()
    assert response.status_code == 200 and isinstance(keyed["result"], dict)
    assert keyed["result"] == {item["id"]: item for item in plain["result"]}
    assert list(keyed["result"]) == [item["id"] for item in plain["result"]]  # page order kept
    assert {k: v for k, v in keyed.items() if k != "result"} == {k: v for k, v in plain.items() if k != "result"}
    assert violations(response, url, provider) == []


def test_keys_by_other_fields_later_record_wins_and_absent_values_are_left_out(client: FlaskClient) -> None:
    plain = get(client, _list("pinpoint", limit=30)).get_json()["result"]
    keyed = get(client, _list("pinpoint", "&truto_key_by=status", limit=30)).get_json()["result"]
    expected = {}
    for item in plain:
        if "status" in item:
            expected[item["status"]] = item
    assert keyed == expected and set(keyed) <= {"draft", "scheduled", "cancelled", "awaiting_feedback", "completed"}
    assert get(client, _list("ceipal", "&truto_key_by=status")).get_json()["result"] == {}  # ceipal has no status


def test_an_excluded_key_field_still_keys(client: FlaskClient) -> None:
    url = _list("ceipal", "&truto_key_by=id&truto_exclude_fields[]=id")
    response = get(client, url)
    keyed = response.get_json()["result"]
    assert keyed and all("id" not in item for item in keyed.values())
    assert violations(response, url, "ceipal") == []


@pytest.mark.parametrize("fmt", ["unified", "normalized", "stream", "debug"])
def test_every_format_but_raw_is_keyed(client: FlaskClient, provider: str, fmt: str) -> None:
    url = _list(provider, f"&truto_key_by=created_at&truto_response_format={fmt}")
    response = get(client, url)
    body = response.get_json()
    envelope = body["result"] if fmt == "debug" else body
    assert isinstance(envelope["result"], dict) and envelope["result"]
    assert all(item["created_at"] == key for key, item in envelope["result"].items())
    assert violations(response, url, provider) == []
    raw = get(client, _list(provider, "&truto_key_by=id&truto_response_format=raw")).get_json()
    assert raw == get(client, _list(provider, "&truto_response_format=raw")).get_json()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("&truto_key_by=salary", "`truto_key_by`: 'salary' is not a field; use one of id, location"),
        ("&truto_key_by=candidate", "`truto_key_by`: 'candidate' has no plain value to key by"),
        ("&truto_key_by=remote_data", "'remote_data' has no plain value"),
        ("&truto_key_by=interviews", "'interviews' is not a field"),
        ("&truto_key_by=", "'' is not a field"),
        ("&truto_key_by=id&truto_key_by=status", "`truto_key_by` was given 2 times"),
        ("&truto_key_by[a]=id", "`truto_key_by` must be a plain value"),
    ],
)
def test_an_unknown_or_non_scalar_field_is_a_400_in_truto_shape(client: FlaskClient, extra: str, message: str) -> None:
    body = assert_error(get(client, _list("ceipal", extra)), 400, message)
    assert set(body) == {"statusCode", "error", "message"} and body["error"] == "Bad Request"


def test_truto_key_by_on_get_is_a_400(client: FlaskClient) -> None:
    url = f"{LIST_PATH}/9001?integrated_account_id={ACCOUNTS['ceipal']}&truto_key_by=id"
    assert_error(get(client, url), 400, "`truto_key_by` applies to the list endpoint only")


def test_checker_holds_a_keyed_list_to_its_keys() -> None:
    item = {"id": "1", "created_at": "2026-01-01T00:00:00Z", "remote_data": {}}
    envelope = {"next_cursor": None, "prev_cursor": None, "result_count": 1}
    keyed = Exchange.from_url(f"{LIST_PATH}?integrated_account_id={ACCOUNTS['ceipal']}&truto_key_by=id")
    assert keyed.key_by == "id"

    def found(result: object, exchange: Exchange = keyed) -> list[tuple[str, str]]:
        body = json.dumps({**envelope, "result": result})
        return [(v.pointer, v.rule) for v in check_response(200, JSON, body, exchange)]

    assert found({"1": item}) == []
    assert found({"2": item}) == [("/result/2", "key-by")]
    assert found([item]) == [("/result", "key-by")]
    assert found({"a/b": {**item, "salary": 1}}) == [
        ("/result/a~1b/salary", "unknown-field"),
        ("/result/a~1b", "key-by"),
    ]
    unkeyed = Exchange.from_url(f"{LIST_PATH}?integrated_account_id={ACCOUNTS['ceipal']}")
    assert found({"1": item}, unkeyed) == [("/result", "list-envelope")]
    assert BASIS_BY_ID["D-key-by"].kind.value == "documented"
    violation = check_response(200, JSON, json.dumps({**envelope, "result": {"2": item}}), keyed)[0]
    assert violation.basis == "D-key-by" and not violation.assumed


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_strategies_draw_truto_key_by_and_its_errors(data: st.DataObject) -> None:
    valid = data.draw(interview_queries(endpoint="list"))
    if "truto_key_by" in valid.nested:
        assert valid.nested["truto_key_by"] in KEY_BY_FIELDS
    assert "truto_key_by" not in data.draw(interview_queries(endpoint="get")).nested


def test_strategies_reach_truto_key_by() -> None:
    from hypothesis import Phase, find, settings

    first = settings(max_examples=2000, phases=[Phase.generate], database=None)  # the first hit, not a shrunk one
    found = find(interview_queries(endpoint="list"), lambda q: "truto_key_by" in q.nested, settings=first)
    assert found.nested["truto_key_by"] in KEY_BY_FIELDS
    broken = find(invalid_interview_queries(endpoint="list"), lambda q: "truto_key_by" in q.reason, settings=first)
    assert broken.expected_status == 400


def test_gate_matrix_keys_a_list_by_id() -> None:
    for provider in ACCOUNTS:
        check = next(c for c in checks_for(provider) if c.name == "list key_by=id")
        assert "truto_key_by=id" in check.query and "D-key-by" in check.basis and check.expected_status is None
        names = [c.name for c in checks_for(provider)]
        assert "list error truto_key_by names no field" not in names  # the gate keeps its error cases few


def test_coverage_report_counts_truto_key_by() -> None:
    assert "truto_key_by" in universe("pinpoint")["parameters"]
    query = f"integrated_account_id={ACCOUNTS['pinpoint']}&truto_key_by=id"
    assert ("parameters", "truto_key_by") in classify(("pinpoint", "list", "GET", query, 200, ""))
    assert ("parameters", "truto_key_by") not in classify(("pinpoint", "list", "GET", query, 400, ""))


def test_openapi_types_the_parameter_from_the_table() -> None:
    from contracts.openapi import openapi_document

    operation = openapi_document()["paths"][LIST_PATH]["get"]
    param = next(p for p in operation["parameters"] if p["name"] == "truto_key_by")
    assert param["schema"] == {"type": "string", "enum": list(KEY_BY_FIELDS)} and param["example"] == "id"
    assert PARAM_BY_NAME["truto_key_by"].basis == "D-key-by"
    assert KEY_BY_FIELDS == ("id", "location", "start_at", "end_at", "status", "created_at", "updated_at")
