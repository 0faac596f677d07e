"""What a test checks with the kit: `truto_contract` on anything a client received, `check_all` and
`assert_all_consumed` at the end of a test, the configured token, and every marker keyword through
both fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import ContractViolation, MockConfig
from mockserver.plugin import PLUGIN_SETTINGS
from tests.conftest import PINPOINT_RAW, good_interview

pytest_plugins = ["pytester"]
PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
LIST = "/unified/ats/interviews"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_check_takes_parsed_bodies_json_text_and_responses(truto_contract: Any, truto_mock: Any) -> None:
    one = good_interview("pinpoint")
    truto_contract.check(one, provider="pinpoint")
    truto_contract.check([one, good_interview("pinpoint")], provider="pinpoint")
    truto_contract.check(json.dumps(one), provider="pinpoint")
    truto_contract.check(json.dumps(one).encode(), provider="pinpoint")
    truto_contract.check({"data": PINPOINT_RAW}, provider="pinpoint", format="raw")
    auth = {"Authorization": "Bearer t"}
    for fmt in ("unified", "debug", "normalized"):
        response = httpx.get(
            f"{truto_mock.url}{LIST}",
            params={"integrated_account_id": PINPOINT, "truto_response_format": fmt},
            headers=auth,
        )
        truto_contract.check(response)
        truto_contract.check(response.json(), provider="pinpoint", format=fmt)
        truto_contract.check(response.text, provider="pinpoint", format=fmt)
    raw_list = httpx.get(
        f"{truto_mock.url}{LIST}",
        params={"integrated_account_id": PINPOINT, "truto_response_format": "raw"},
        headers=auth,
    ).json()
    truto_contract.check(raw_list, provider="pinpoint", format="raw")


def test_check_names_what_is_wrong_in_a_parsed_body(truto_contract: Any) -> None:
    bad = {**good_interview("pinpoint"), "status": "rescheduled"}
    with pytest.raises(
        ContractViolation, match=r"the dict given \(unified, pinpoint\) breaks the contract:\n.*rescheduled"
    ):
        truto_contract.check(bad, provider="pinpoint")
    [violation] = truto_contract.violations([good_interview("pinpoint"), bad], provider="pinpoint")
    assert violation.pointer == "/1/status"
    assert truto_contract.violations("{not json", provider="pinpoint")[0].rule == "not-json"
    envelope = {"result": [bad], "next_cursor": None}
    assert any(v.pointer == "/result/0/status" for v in truto_contract.violations(envelope, provider="pinpoint"))


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        (42, {}, TypeError, "takes an httpx or requests Response, a parsed body .* or JSON text .*; got int"),
        (httpx.Response(200, json={}), {}, TypeError, "carries no request.*response.json\\(\\)"),
        ({}, {"provider": "greenhouse"}, ValueError, "provider must be one of ceipal, pinpoint"),
        ({}, {"format": "xml"}, ValueError, "format must be one of unified, raw"),
        ([{}], {"format": "raw"}, TypeError, "a raw list is checked as the API sent it"),
    ],
)
def test_check_refuses_what_it_cannot_judge(
    truto_contract: Any, value: Any, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        truto_contract.violations(value, **kwargs)


@pytest.mark.truto_mock(token="s3cret")
def test_truto_client_sends_the_configured_token(truto_client: httpx.Client, truto_target: Any) -> None:
    assert truto_client.get(LIST, params={"integrated_account_id": PINPOINT}).status_code == 200
    assert "s3cret" not in repr(truto_target)


END_OF_TEST = """
import httpx
import pytest

URL = "https://api.truto.one/unified/ats/interviews?integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
AUTH = {"Authorization": "Bearer t"}


@pytest.mark.truto_mock(check_all=True)
def test_check_all_fails_on_an_answer_the_contract_forbids(truto_respx, truto_mock):
    truto_mock.script(headers={"Content-Type": "text/plain"})
    assert httpx.get(URL, headers=AUTH).status_code == 200


@pytest.mark.truto_mock(check_all=True)
def test_check_all_passes_conforming_answers(truto_respx, truto_mock):
    truto_mock.script(503)
    httpx.get(URL, headers=AUTH)
    httpx.get(truto_mock.url + URL.removeprefix("https://api.truto.one"), headers=AUTH)


def test_without_check_all_nothing_is_checked(truto_respx):
    truto_respx.script(headers={"Content-Type": "text/plain"})
    httpx.get(URL, headers=AUTH)


@pytest.mark.truto_mock(assert_all_consumed=True)
def test_an_unplayed_script_fails_the_test(truto_respx):
    truto_respx.script(503, when={"page": 3})
    httpx.get(URL, headers=AUTH)


@pytest.mark.truto_mock(assert_all_consumed=True)
def test_played_scripts_pass(truto_respx):
    truto_respx.script(503, times=2)
    httpx.get(URL, headers=AUTH)
    httpx.get(URL, headers=AUTH)


@pytest.mark.truto_mock(check_all="yes")
def test_a_plugin_keyword_takes_a_bool(truto_mock):
    pass
"""


def test_end_of_test_checks_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_end=END_OF_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: truto_mock(check_all=...) takes True or False, got 'yes'*",
            "check_all: the mock served 1 answer(s) the contract forbids*a bug of the kit*",
            "  - GET /unified/ats/interviews?integrated_account_id=*-> 200: /: expected a JSON content type*",
            "assert_all_consumed: 1 script(s) not played as often as asked:",
            "  - script(status=503, when={'page': 3}) played 0 of 1 time(s)",
        ]
    )


Probe = Callable[[Callable[..., httpx.Response], Any], None]


def _records(get: Callable[..., httpx.Response], provider_id: str = "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01") -> int:
    body = get(LIST, params={"integrated_account_id": provider_id, "truto_ignore_limit": "true"}).json()
    return len(body["result"])


def _seed(get: Callable[..., httpx.Response], mock: Any) -> None:
    from mockserver import create_app

    path = f"{LIST}?integrated_account_id={PINPOINT}&truto_ignore_limit=true"
    default = create_app().test_client().get(path, headers={"Authorization": "Bearer t"}).get_json()
    assert get(LIST, params={"integrated_account_id": PINPOINT, "truto_ignore_limit": "true"}).json() != default


def _cors(get: Callable[..., httpx.Response], mock: Any) -> None:
    headers = get(LIST, params={"integrated_account_id": PINPOINT}, headers={"Origin": "http://localhost:5173"}).headers
    if mock.live:  # in-process answers carry no CORS headers: CORS is the browser's business
        assert headers["access-control-allow-origin"] == "http://localhost:5173"
    else:
        assert "access-control-allow-origin" not in headers


def _statuses(get: Callable[..., httpx.Response], count: int, **params: Any) -> list[int]:
    return [get(LIST, params={"integrated_account_id": PINPOINT, **params}).status_code for _ in range(count)]


def _latency(get: Callable[..., httpx.Response], mock: Any) -> None:
    with pytest.raises(httpx.ReadTimeout):
        get(LIST, params={"integrated_account_id": PINPOINT}, timeout=0.1)


def _journal(get: Callable[..., httpx.Response], mock: Any) -> None:
    _statuses(get, 2)
    assert len(mock._truto_state().journal.entries()) == 1 and len(mock.requests()) == 2


def _null_absent(get: Callable[..., httpx.Response], mock: Any) -> None:
    params = {"integrated_account_id": "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01", "truto_ignore_limit": "true"}
    items = get(LIST, params=params).json()["result"]
    assert any(value is None for item in items for value in item.values())  # absent fields sent as null


def _check_all(get: Callable[..., httpx.Response], mock: Any) -> None:
    _statuses(get, 1)  # the end-of-test check itself is tested above, through pytester


KEYWORDS: dict[str, tuple[Any, Probe]] = {
    "seed": (5, _seed),
    "records": (2, lambda get, mock: _records(get) == 4 + 2 or pytest.fail("records=2 not applied")),
    "data_dir": (str(FIXTURES), lambda get, mock: _records(get) == 4 or pytest.fail("data_dir not applied")),
    "token": ("s3cret", lambda get, mock: _statuses(get, 1) == [401] or pytest.fail("token not applied")),
    "cors_origin": ("http://localhost:5173", _cors),
    "null_absent": (True, _null_absent),
    "strict_query": (False, lambda get, mock: _statuses(get, 1, odd="1") == [200] or pytest.fail("strict_query")),
    "latency_ms": ("300-400", _latency),
    "error_rate": (1.0, lambda get, mock: all(s >= 500 for s in _statuses(get, 3)) or pytest.fail("error_rate")),
    "rate_limit_token": (1, lambda get, mock: _statuses(get, 2) == [200, 429] or pytest.fail("rate_limit_token")),
    "rate_limit_account": (1, lambda get, mock: _statuses(get, 2) == [200, 429] or pytest.fail("rate_limit_account")),
    "journal_size": (1, _journal),
    # the built-in files are far under 1 MB: the cap is taken and the data still served (the refusal of
    # a larger file is tests/test_hostile_data.py's)
    "max_data_mb": (1, lambda get, mock: _records(get) == 4 + 25 or pytest.fail("max_data_mb broke the data")),
    "check_all": (True, _check_all),
    "assert_all_consumed": (True, lambda get, mock: (mock.script(503) and _statuses(get, 1) == [503]) or pytest.fail()),
}


def test_every_marker_keyword_has_a_probe() -> None:
    assert set(KEYWORDS) == {f.name for f in fields(MockConfig)} | set(PLUGIN_SETTINGS)


class _Via:
    def __init__(self, handle: Any, live: bool) -> None:
        self.handle, self.live = handle, live

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


@pytest.fixture(params=["live", "respx"])
def get(
    request: pytest.FixtureRequest, truto_mock: Any, truto_respx: Any
) -> Iterator[tuple[Callable[..., httpx.Response], Any]]:
    live = request.param == "live"
    base = truto_mock.url if live else "https://api.truto.one"
    with httpx.Client(base_url=base, headers={"Authorization": "Bearer t"}, timeout=5) as client:
        yield client.get, _Via(truto_mock if live else truto_respx, live)


@pytest.mark.parametrize(
    "keyword",
    [pytest.param(name, marks=pytest.mark.truto_mock(**{name: value})) for name, (value, _) in KEYWORDS.items()],
)
def test_each_marker_keyword_through_both_fixtures(
    keyword: str, get: tuple[Callable[..., httpx.Response], Any]
) -> None:
    send, mock = get
    KEYWORDS[keyword][1](send, mock)
