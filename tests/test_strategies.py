"""Property tests: the strategies generate what they promise, and the mock answers them as the contract says."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contracts import Exchange, check_response, provider_module, validate_interview
from contracts.fields import FIELD_NAMES, STATUS_VALUES
from contracts.query import decode
from mockserver import create_app
from strategies import (
    GeneratedQuery,
    InvalidQuery,
    interview_queries,
    interviews,
    invalid_interview_queries,
    raw_interviews,
)
from tests.mock_helpers import AUTH, LIST_PATH

EXCLUDABLE = st.lists(st.sampled_from(FIELD_NAMES), max_size=3, unique=True)


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app({"records": 10}).test_client()


@given(st.data())
def test_every_generated_interview_validates(data: st.DataObject) -> None:
    provider = data.draw(st.sampled_from([None, "ceipal", "pinpoint"]))
    excluded = data.draw(EXCLUDABLE)
    ignore = data.draw(st.booleans())
    item = data.draw(interviews(provider=provider, exclude_fields=excluded, ignore_remote_data=ignore))
    assert validate_interview(item, provider=provider, exclude_fields=excluded, ignore_remote_data=ignore) == []


@given(interviews(provider="pinpoint"))
def test_pinpoint_interviews_have_no_ceipal_fields(item: dict[str, Any]) -> None:
    assert not {"candidate", "organizer", "interviewers", "location"} & set(item)


def test_every_raw_record_maps_to_a_valid_interview(provider: str) -> None:
    module = provider_module(provider)

    @given(raw_interviews(provider=provider))
    def check(raw: dict[str, Any]) -> None:
        unified = module.to_unified(raw)
        assert validate_interview({**unified, "remote_data": raw}, provider=provider) == []

    check()


def _collect(strategy: st.SearchStrategy[Any], key: Callable[[Any], Any], examples: int = 300) -> set[Any]:
    seen: set[Any] = set()

    @settings(max_examples=examples, database=None)
    @given(strategy)
    def collect(value: Any) -> None:
        seen.add(key(value))

    collect()
    return seen


def test_coverage_across_draws() -> None:
    statuses = _collect(interviews(provider="pinpoint"), lambda i: i.get("status"))
    assert set(STATUS_VALUES) <= statuses
    sizes = _collect(interviews(provider="ceipal"), lambda i: len(i.get("interviewers", [])))
    assert 0 in sizes and max(sizes) >= 3
    offsets = _collect(interviews(provider="pinpoint"), lambda i: i.get("created_at", "")[-6:])
    assert len(offsets) > 3
    fractions = _collect(interviews(provider="pinpoint"), lambda i: len(i.get("start_at", "").split(".")))
    assert fractions == {1, 2}  # absent or whole seconds, and with a fraction
    present = _collect(interviews(provider="ceipal"), lambda i: "location" in i)
    assert present == {True, False}
    providers = _collect(interviews(), lambda i: "candidate" in i or "status" in i)
    assert providers == {True, False}


def test_draws_are_distinct(provider: str) -> None:
    """Repeated examples waste a property test's budget: 400 draws hold at least 95% distinct ones."""
    drawn: list[str] = []

    @settings(max_examples=400, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(interviews(provider=provider))
    def collect(item: dict[str, Any]) -> None:
        drawn.append(json.dumps(item, sort_keys=True))

    collect()
    assert len(set(drawn)) >= 0.95 * len(drawn)


def test_raw_ids_avoid_the_built_in_data_unless_given() -> None:
    ids = _collect(raw_interviews(provider="pinpoint"), lambda raw: int(raw["id"]), examples=100)
    assert min(ids) >= 1_000_000
    given_ids = _collect(raw_interviews(provider="ceipal", ids=st.sampled_from(["9001", "9002"])), lambda r: r["id"])
    assert given_ids == {"9001", "9002"}
    with pytest.raises(InvalidArgument, match="ids must be a strategy"):
        raw_interviews(provider="ceipal", ids=["1"])  # type: ignore[arg-type]


@pytest.mark.parametrize("endpoint", ["get", "list"])
def test_params_go_to_httpx_as_drawn(endpoint: str) -> None:
    """`query.params` is what httpx takes: the server decodes it exactly as the encoded query string."""
    app = create_app({"records": 10})

    @settings(max_examples=30)
    @given(interview_queries(endpoint=endpoint), invalid_interview_queries(endpoint=endpoint))
    def check(query: GeneratedQuery, broken: InvalidQuery) -> None:
        path = LIST_PATH if endpoint == "list" else f"{LIST_PATH}/{'9001' if query.provider == 'ceipal' else '412'}"
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock", headers=AUTH) as client:
            sent = client.build_request("GET", path, params=query.params).url.query.decode()
            assert decode(sent) == decode(query.query_string)
            response = client.get(path, params=query.params)
            assert response.status_code == 200, response.json()
            rejected = client.get(f"{LIST_PATH}/9001" if endpoint == "get" else LIST_PATH, params=broken.params)
            assert rejected.status_code == broken.expected_status, (broken.reason, rejected.json())

    check()


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ["get", "list"])
def test_every_valid_query_gets_a_conforming_response(client: FlaskClient, endpoint: str) -> None:
    @settings(max_examples=60 if endpoint == "list" else 40)
    @given(interview_queries(endpoint=endpoint))
    def check(query: GeneratedQuery) -> None:
        path = LIST_PATH if endpoint == "list" else f"{LIST_PATH}/{'9001' if query.provider == 'ceipal' else '412'}"
        url = f"{path}?{query.query_string}"
        response = client.get(url, headers=AUTH)
        assert response.status_code == 200, response.get_json()
        exchange = Exchange.from_url(url, provider=query.provider)
        assert check_response(200, dict(response.headers), response.get_data(), exchange) == []

    check()


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ["get", "list"])
def test_every_invalid_query_gets_its_documented_error(client: FlaskClient, endpoint: str) -> None:
    @settings(max_examples=80)
    @given(invalid_interview_queries(endpoint=endpoint))
    def check(query: InvalidQuery) -> None:
        path = LIST_PATH if endpoint == "list" else f"{LIST_PATH}/9001"
        response = client.get(f"{path}?{query.query_string}", headers=AUTH)
        body = response.get_json()
        assert response.status_code == query.expected_status, (query.reason, body)
        assert body["statusCode"] == query.expected_status and body["error"] == query.expected_error
        assert isinstance(body["message"], str) and body["message"]

    check()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: interviews(provider="ashby"), "provider must be one of ceipal, pinpoint or None"),
        (lambda: interviews(exclude_fields="id"), "exclude_fields must be a collection"),
        (lambda: interviews(exclude_fields=["salary"]), "unknown field"),
        (lambda: interviews(ignore_remote_data="yes"), "ignore_remote_data must be a bool"),
        (lambda: raw_interviews(provider=None), "provider must be one of ceipal, pinpoint,"),
        (lambda: interview_queries(endpoint="delete"), "endpoint must be one of get, list"),
        (lambda: invalid_interview_queries(provider="x"), "provider must be one of"),
        (
            lambda: interview_queries(accounts={"ceipal": "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"}),
            "no integrated account for pinpoint",
        ),
        (lambda: interview_queries(provider="pinpoint", accounts={}), "no integrated account for pinpoint"),
    ],
)
def test_bad_arguments_fail_eagerly_naming_the_argument(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        make()


@pytest.mark.parametrize(
    ("strategy", "shown"),
    [
        (lambda: interviews(provider="pinpoint"), "interviews(provider='pinpoint')"),
        (lambda: interviews(), "interviews()"),
        (
            lambda: interviews(exclude_fields=("id",), ignore_remote_data=True),
            "interviews(exclude_fields=('id',), ignore_remote_data=True)",
        ),
        (lambda: interviews(exclude_fields=(n for n in ["id"])), "interviews(exclude_fields=('id',))"),
        (lambda: raw_interviews(provider="ceipal"), "raw_interviews(provider='ceipal')"),
        (lambda: interview_queries(endpoint="list"), "interview_queries(endpoint='list')"),
        (lambda: invalid_interview_queries(provider="ceipal"), "invalid_interview_queries(provider='ceipal')"),
    ],
)
def test_strategies_print_as_the_call_that_made_them(strategy: Any, shown: str) -> None:
    assert repr(strategy()) == shown


def test_shipped_faker_pools_are_what_faker_generates() -> None:
    """`strategies/faker_pools.json` is data generated from Faker; regenerate it after changing a generator."""
    from importlib import resources

    from strategies._faker import POOL_SIZE, POOLS_FILE, generate

    shipped = json.loads(resources.files("strategies").joinpath(POOLS_FILE).read_text("utf-8"))
    assert {kind: len(values) for kind, values in shipped.items()} == {
        "title": POOL_SIZE,
        "name": POOL_SIZE,
        "location": POOL_SIZE,
    }
    assert shipped == generate(), "regenerate it: python -m strategies._faker"


def test_the_first_draw_in_a_fresh_process_needs_no_faker() -> None:
    """The one-time cost of the first example is a small file read, not Faker's locale discovery (0.5 s)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom hypothesis import given, settings\nimport strategies\n"
        "@settings(max_examples=3, database=None)\n"
        "@given(strategies.raw_interviews(provider='ceipal'), strategies.raw_interviews(provider='pinpoint'))\n"
        "def draw(a, b):\n    assert a['id'] and b['id']\n"
        "draw()\nprint('faker' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"
