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
        (f"{BASE}&created_at[gt]=yesterday", "list", "is not an RFC 3339 date-time"),
        (f"{BASE}&colour=red", "get", "unknown query parameter `colour`"),
        (f"{BASE}&a[b][c][d][e][f]=1", "get", "cannot be decoded"),
        (BASE + "".join(f"&p{i}=1" for i in range(300)), "get", "cannot be decoded"),
        (f"{BASE}&created_at[gt]=2026-01-01 00:00:00Z", "list", "is not an RFC 3339 date-time"),
        (f"{BASE}&created_at[gt]=2026-01-01T00:00:00", "list", "is not an RFC 3339 date-time"),
        (f"{BASE}&created_at[gt]=2026-02-30", "list", "is not a valid date"),
        (f"{BASE}&created_at[gt]=20260101", "list", "is not an RFC 3339 date-time"),
        (BASE + "&truto_exclude_fields[]=id" * 51, "get", "cannot be decoded: List limit exceeded"),
        (f"{BASE}&truto_exclude_fields=" + ",".join(["id"] * 51), "get", "takes at most 50 entries"),
        (BASE + "".join(f"&remote_query[k{i}]=v" for i in range(101)), "get", "takes at most 100 keys"),
    ],
)
def test_malformed_queries_are_400_with_a_clear_message(query: str, endpoint: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        parse_query(query, endpoint=endpoint)
    body = info.value.body()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request" and message.split("`")[0] in body["message"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01t00:00:00z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00.5+02:00", datetime(2025, 12, 31, 22, 0, 0, 500_000, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_date_filters_take_rfc_3339_date_times_and_dates(value: str, expected: datetime) -> None:
    """What the OpenAPI document's `date-time`/`date` formats allow: lowercase t/z, a leap second."""
    [found] = parse_query(f"{BASE}&created_at[gt]={value.replace('+', '%2B')}", endpoint="list").filters
    assert found.value == expected


def test_the_longest_query_the_limits_allow_is_accepted() -> None:
    """The decoder's parameter limit is derived from the per-parameter limits, so a request the
    OpenAPI document allows (every list at its maxItems, every object at maxProperties) is accepted."""
    from contracts.params import MAX_LIST_ITEMS, MAX_REMOTE_QUERY_KEYS

    query = (
        BASE
        + "&truto_exclude_fields[]=id" * MAX_LIST_ITEMS
        + "".join(f"&remote_query[k{i}]=v" for i in range(MAX_REMOTE_QUERY_KEYS))
        + "".join(
            f"&{f}[{op}]=2026-01-01" for f in ("created_at", "start_at", "end_at") for op in ("gt", "gte", "lt", "lte")
        )
        + "&truto_response_format=raw&truto_ignore_remote_data=true&truto_skip_api_call=false"
        + "&limit=5&next_cursor=&truto_ignore_limit=false"
    )
    parsed = parse_query(query, endpoint="list")
    assert len(parsed.remote_query) == MAX_REMOTE_QUERY_KEYS and len(parsed.filters) == 12


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
