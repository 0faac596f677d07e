"""Query decoding and validation: every documented encoding accepted, every malformed one a clear 400."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import QueryError, encode_query, parse_query

ACCOUNT = "62f44730-dd91-461e-bd6a-aedd9e0ad79d"
BASE = f"integrated_account_id={ACCOUNT}"


@pytest.mark.parametrize(
    "encoded",
    [
        "truto_exclude_fields[]=id&truto_exclude_fields[]=location",
        "truto_exclude_fields[0]=id&truto_exclude_fields[1]=location",
        "truto_exclude_fields%5B0%5D=id&truto_exclude_fields%5B1%5D=location",
        "truto_exclude_fields=id,location",
        "truto_exclude_fields=id&truto_exclude_fields=location",
    ],
)
def test_exclude_fields_in_every_encoding(encoded: str) -> None:
    assert parse_query(f"{BASE}&{encoded}", endpoint="get").exclude_fields == ("id", "location")


def test_all_parameters_typed() -> None:
    q = parse_query(
        f"{BASE}&truto_response_format=debug&truto_ignore_remote_data=TRUE&remote_query[foo]=bar"
        "&truto_skip_api_call=false&limit=5&next_cursor=&truto_ignore_limit=true&created_at[gte]=2024-01-01"
        "&start_at[lt]=2025-01-01T10:00:00%2B02:00",
        endpoint="list",
    )
    assert (q.response_format, q.ignore_remote_data, q.skip_api_call, q.limit, q.ignore_limit) == (
        "debug", True, False, 5, True,
    )  # fmt: skip
    assert q.remote_query == {"foo": "bar"} and q.next_cursor == ""
    assert [(f.field, f.operator) for f in q.filters] == [("created_at", "gte"), ("start_at", "lt")]
    assert q.filters[0].value == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "endpoint", "message"),
    [
        ("", "get", "integrated_account_id is a required query parameter"),
        ("integrated_account_id=abc", "get", "must be a UUID"),
        (f"{BASE}&integrated_account_id={ACCOUNT}", "get", "was given 2 times"),
        (f"{BASE}&truto_response_format=xml", "get", "must be one of unified, raw"),
        (f"{BASE}&truto_ignore_remote_data=yes", "get", "must be true or false"),
        (f"{BASE}&truto_exclude_fields[]=nope", "get", "unknown field 'nope'"),
        (f"{BASE}&truto_exclude_fields[a]=id", "get", "must be a list of field names"),
        (f"{BASE}&remote_query=foo", "get", "`remote_query` must be an object"),
        (f"{BASE}&limit=-1", "list", "positive whole number"),
        (f"{BASE}&limit=0", "list", "positive whole number"),
        (f"{BASE}&limit=ten", "list", "positive whole number"),
        (f"{BASE}&limit=5", "get", "applies to the list endpoint only"),
        (f"{BASE}&created_at=2024-01-01", "list", "filters take an operator"),
        (f"{BASE}&created_at[after]=2024-01-01", "list", "is not a filter operator"),
        (f"{BASE}&created_at[gt]=yesterday", "list", "is not an ISO 8601 date-time"),
        (f"{BASE}&colour=red", "get", "unknown query parameter `colour`"),
        (f"{BASE}&a[b][c][d][e][f]=1", "get", "cannot be decoded"),
        (BASE + "".join(f"&p{i}=1" for i in range(300)), "get", "cannot be decoded"),
    ],
)
def test_malformed_queries_are_400_with_a_clear_message(query: str, endpoint: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        parse_query(query, endpoint=endpoint)
    body = info.value.body()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request" and message.split("`")[0] in body["message"]


def test_missing_account_carries_the_insight() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("", endpoint="list")
    insight = info.value.body()["truto_error_insight"]["missing_required_query_parameters"]
    assert insight["value"] == ["integrated_account_id"]


def test_lenient_mode_keeps_unknown_parameters() -> None:
    assert parse_query(f"{BASE}&colour=red", endpoint="get", strict=False).unknown == ("colour",)


@pytest.mark.parametrize("array_format", ["brackets", "indices", "comma"])
def test_encode_round_trips(array_format: str) -> None:
    params = {
        "integrated_account_id": ACCOUNT,
        "truto_exclude_fields": ["id", "status"],
        "remote_query": {"q": "a b&c"},
    }
    encoded = encode_query(params, array_format=array_format)  # type: ignore[arg-type]
    q = parse_query(encoded, endpoint="get")
    assert q.exclude_fields == ("id", "status") and q.remote_query == {"q": "a b&c"}


def test_encode_rejects_unknown_array_format() -> None:
    with pytest.raises(ValueError, match="array_format must be one of"):
        encode_query({}, array_format="pipes")  # type: ignore[arg-type]
