"""The pytest plugin, exercised the way a consumer uses it: through pytester, public fixtures only."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

CONSUMER_TESTS = """
import httpx
import json

import pytest
import requests

from mockserver.contract_fixture import ContractViolation


def test_live_mock_answers(truto_mock, truto_contract):
    account = truto_mock.accounts["pinpoint"]
    response = httpx.get(
        f"{truto_mock.url}/unified/ats/interviews",
        params={"integrated_account_id": account, "limit": 3},
        headers={"Authorization": "Bearer anything"},
    )
    assert response.status_code == 200 and len(response.json()["result"]) == 3
    truto_contract.check(response)


def test_requests_responses_are_checked_too(truto_mock, truto_contract):
    response = requests.get(
        f"{truto_mock.url}/unified/ats/interviews/9001",
        params={"integrated_account_id": truto_mock.accounts["ceipal"], "truto_response_format": "debug"},
        headers={"Authorization": "Bearer anything"},
    )
    truto_contract.check(response)


def test_bad_records_are_refused(truto_mock):
    with pytest.raises(ValueError, match="is not one of"):
        truto_mock.add_records("pinpoint", [{"id": "1", "type": "interviews", "attributes": {"status": "odd"}}])


@pytest.mark.truto_mock(records=2, seed=3)
def test_marker_configures_the_mock(truto_mock):
    url = f"{truto_mock.url}/unified/ats/interviews?integrated_account_id={truto_mock.accounts['ceipal']}"
    assert len(httpx.get(url, headers={"Authorization": "Bearer x"}).json()["result"]) == 4 + 2


@pytest.mark.truto_mock(token="s3cret")
def test_marker_token(truto_mock):
    url = f"{truto_mock.url}/unified/ats/interviews?integrated_account_id={truto_mock.accounts['ceipal']}"
    assert httpx.get(url, headers={"Authorization": "Bearer other"}).status_code == 401


PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"


def test_respx_answers_httpx_without_a_server(truto_respx, truto_contract):
    with httpx.Client(base_url="https://api.truto.one", headers={"Authorization": "Bearer t"}) as client:
        response = client.get(
            "/unified/ats/interviews",
            params={"integrated_account_id": PINPOINT, "truto_exclude_fields[]": "status"},
        )
    assert response.status_code == 200 and all("status" not in i for i in response.json()["result"])
    truto_contract.check(response)
    assert truto_respx.calls.call_count == 1


def test_respx_sees_records_added_through_the_mock(truto_respx, truto_mock):
    raw = {"id": "888", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    truto_mock.add_records("pinpoint", [raw])
    response = httpx.get(
        "https://api.truto.one/unified/ats/interviews/888",
        params={"integrated_account_id": truto_mock.accounts["pinpoint"]},
        headers={"Authorization": "Bearer t"},
    )
    assert response.json()["status"] == "draft"


def test_client_and_target(truto_client, truto_target, truto_contract):
    assert truto_target.is_mock and "test-token" not in repr(truto_target)
    for provider, account in truto_target.accounts.items():
        response = truto_client.get("/unified/ats/interviews", params={"integrated_account_id": account})
        truto_contract.check(response)


def test_contract_failure_lists_each_violation(truto_contract):
    request = httpx.Request("GET", "https://api.truto.one/unified/ats/interviews/412?integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902")
    bad = httpx.Response(200, json={"id": "412", "candidate": {"id": "1"}, "status": "rescheduled"}, request=request)
    with pytest.raises(ContractViolation) as info:
        truto_contract.check(bad)
    message = str(info.value)
    assert "pinpoint does not return `candidate`" in message
    assert "'rescheduled' is not one of" in message
    assert "`remote_data` is missing" in message
"""


def test_consumer_suite_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_consumer=CONSUMER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=9)


RESET_TESTS = {
    "a": """
@pytest.mark.truto_mock(rate_limit_account=3)
def test_a(truto_mock):
    assert_starts_clean(truto_mock)
    leave_dirt(truto_mock, "777")
""",
    "b": """
@pytest.mark.truto_mock(rate_limit_account=3)
def test_b(truto_mock):
    assert_starts_clean(truto_mock)
    leave_dirt(truto_mock, "778")
""",
}
RESET_HELPERS = """
import httpx
import pytest

AUTH = {"Authorization": "Bearer x"}


def url(mock, interview_id):
    return f"{mock.url}/unified/ats/interviews/{interview_id}?integrated_account_id={mock.accounts['pinpoint']}"


def assert_starts_clean(mock):
    assert mock.requests() == [], "the journal was not emptied"
    # no record another test added, and a rate-limit window with room for the first request
    assert [httpx.get(url(mock, i), headers=AUTH).status_code for i in ("777", "778")] == [404, 404]


def leave_dirt(mock, interview_id):
    raw = {"id": interview_id, "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    mock.add_records("pinpoint", [raw])
    codes = [httpx.get(url(mock, interview_id), headers=AUTH).status_code for _ in range(2)]
    assert codes == [200, 429]  # the record is served, then the window is spent
"""


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_each_test_starts_from_a_reset_mock(pytester: pytest.Pytester, order: str) -> None:
    """Two tests that each check a clean start and then leave records, journal entries and a spent
    rate-limit window behind: whichever runs second proves the reset, in either order."""
    pytester.makepyfile(test_reset=RESET_HELPERS + "".join(RESET_TESTS[name] for name in order))
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"*test_{order[0]} PASSED*", f"*test_{order[1]} PASSED*"])


def test_the_reset_tests_fail_without_a_reset(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.app import MockState

    monkeypatch.setattr(MockState, "reset", lambda self: 0)
    pytester.makepyfile(test_reset=RESET_HELPERS + RESET_TESTS["a"] + RESET_TESTS["b"])
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)


def test_marker_is_registered_with_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["*truto_mock(seed=0, records=None, data_dir=None*configure the Truto mock for one test*"]
    )


def test_options_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--truto-base-url*", "*--truto-token*", "*--truto-account*"])


def test_real_api_options_aim_the_target(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTO_API_TOKEN", "tok-from-env-123")
    pytester.makepyfile(
        test_target="""
        def test_target(truto_target, truto_client):
            assert not truto_target.is_mock
            assert truto_target.base_url == "https://api.example.test"
            assert truto_target.accounts == {"ceipal": "11111111-2222-4333-8444-555555555555"}
            assert truto_client.headers["Authorization"] == "Bearer tok-from-env-123"
            assert "tok-from-env-123" not in repr(truto_target)
        """
    )
    result = pytester.runpytest(
        "--truto-base-url",
        "https://api.example.test/",
        "--truto-account",
        "ceipal=11111111-2222-4333-8444-555555555555",
    )
    result.assert_outcomes(passed=1)


def test_real_api_without_token_or_account_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUTO_API_TOKEN", raising=False)
    pytester.makepyfile(test_target="def test_target(truto_target):\n    pass\n")
    result = pytester.runpytest("--truto-base-url", "https://api.example.test")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*needs --truto-token or TRUTO_API_TOKEN*"])
    result = pytester.runpytest(
        "--truto-base-url", "https://x.test", "--truto-token", "t", "--truto-account", "ashby=1"
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*--truto-account takes PROVIDER=UUID*"])


def test_plugin_import_is_light() -> None:
    """Installing the kit must not slow down test runs that do not use it."""
    import subprocess
    import sys

    code = (
        "import sys, mockserver.plugin; "
        "print([m for m in ('flask', 'faker', 'httpx', 'respx', 'uvicorn', 'jsonschema') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


RESPX_AND_STATE_TESTS = """
import httpx
import json

import pytest
from hypothesis import HealthCheck, given, settings
from mockserver.inprocess import NotMockedError

from mockserver.store import DuplicateRecordError
from strategies import raw_interviews

PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
AUTH = {"Authorization": "Bearer t"}


def test_respx_and_the_live_mock_in_one_test(truto_respx, truto_mock, truto_client):
    path = f"/unified/ats/interviews/412?integrated_account_id={PINPOINT}"
    in_process = httpx.get(f"https://api.truto.one{path}", headers=AUTH)
    live = httpx.get(f"{truto_mock.url}{path}", headers=AUTH)
    assert in_process.json() == live.json()
    assert truto_client.get("/unified/ats/interviews", params={"integrated_account_id": PINPOINT}).status_code == 200
    assert truto_respx["truto"].call_count == 1


def test_another_host_fails_naming_it(truto_respx):
    with pytest.raises(NotMockedError) as info:
        httpx.get("https://payments.example/v1/charges?limit=1")
    message = str(info.value)
    assert "'payments.example'" in message
    assert 'truto_respx.get("https://payments.example/v1/charges").respond(' in message
    assert 'truto_respx.route(host="payments.example").pass_through()' in message


async def _fetch(url):
    async with httpx.AsyncClient(headers=AUTH) as client:
        return await client.get(url)


@pytest.mark.anyio
async def test_async_calls_and_a_second_service(truto_respx):
    truto_respx.get("https://payments.example/v1/charges").respond(json={"data": []})
    one = f"https://api.truto.one/unified/ats/interviews/1?integrated_account_id={PINPOINT}"
    truto_respx.get(one).respond(503)
    assert (await _fetch("https://payments.example/v1/charges")).json() == {"data": []}
    assert (await _fetch(one)).status_code == 503
    listing = await _fetch(f"https://api.truto.one/unified/ats/interviews?integrated_account_id={PINPOINT}")
    assert listing.status_code == 200 and listing.json()["result"]
    with pytest.raises(NotMockedError, match="'other.example'"):
        await _fetch("https://other.example/")


@pytest.fixture
def anyio_backend():
    return "asyncio"


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raws=raw_interviews(provider="pinpoint").map(lambda raw: [raw]))
def test_each_example_starts_from_the_configured_data(truto_mock, raws):
    with truto_mock.fresh():
        truto_mock.add_records("pinpoint", raws)
        url = f"{truto_mock.url}/unified/ats/interviews?integrated_account_id={PINPOINT}&truto_ignore_limit=true"
        assert len(httpx.get(url, headers=AUTH).json()["result"]) == 30 + 1


def test_existing_ids_are_refused_unless_overwritten(truto_mock):
    raw = {"id": "412", "type": "interviews", "attributes": {"status": "completed"}, "relationships": {}}
    with pytest.raises(DuplicateRecordError, match="already has interview id.*'412'.*overwrite=True"):
        truto_mock.add_records("pinpoint", raw)
    with pytest.raises(DuplicateRecordError, match="repeats interview id '7'"):
        truto_mock.add_records("pinpoint", [{**raw, "id": "7"}, {**raw, "id": "7"}])
    [record] = truto_mock.add_records("pinpoint", raw, overwrite=True)
    assert record.id == "412" and record.unified["status"] == "completed"


def test_add_records_takes_one_record_or_a_list(truto_mock):
    raw = {"id": "1", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    assert [r.id for r in truto_mock.add_records("pinpoint", raw)] == ["1"]
    with pytest.raises(TypeError, match="one raw record .a dict. or a list of them, got str"):
        truto_mock.add_records("pinpoint", "{}")
    with pytest.raises(TypeError, match="record 1 is a str, not a raw record"):
        truto_mock.add_records("pinpoint", [raw, "x"])


@pytest.mark.truto_mock(3)
def test_positional_marker_arguments_are_an_error(truto_mock):
    pass


@pytest.mark.truto_mock(seed=3)
def test_a_marker_that_configures_nothing():
    pass
"""


def test_respx_state_and_marker_edges(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_edges=RESPX_AND_STATE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "default")
    result.assert_outcomes(passed=7, errors=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: @pytest.mark.truto_mock takes keywords only, e.g. truto_mock(seed=3); got positional (3,)*",
            "*TrutoMockWarning: @pytest.mark.truto_mock on test_a_marker_that_configures_nothing, which uses none*",
        ]
    )


COVERAGE_TESTS = """
import httpx

PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
AUTH = {"Authorization": "Bearer t"}


def test_through_the_live_mock(truto_mock):
    base = f"{truto_mock.url}/unified/ats/interviews"
    scope = {"integrated_account_id": PINPOINT}
    first = httpx.get(base, params={**scope, "limit": 2, "start_at[gte]": "2020-01-01T00:00:00Z"}, headers=AUTH)
    httpx.get(base, params={**scope, "next_cursor": first.json()["next_cursor"]}, headers=AUTH)
    excluded = [("truto_exclude_fields[]", "status"), ("truto_exclude_fields[]", "end_at")]
    httpx.get(f"{base}/412", params=[*scope.items(), *excluded], headers=AUTH)
    httpx.get(f"{base}/412", params={"integrated_account_id": PINPOINT})  # 401: no token
    httpx.get(base, params={"integrated_account_id": PINPOINT}, headers={**AUTH, "Prefer": "code=503, remote=true"})


def test_through_respx(truto_respx):
    base = "https://api.truto.one/unified/ats/interviews"
    params = {"integrated_account_id": PINPOINT, "truto_response_format": "raw"}
    params["truto_exclude_fields"] = "status,end_at"
    httpx.get(f"{base}/412", params=params, headers=AUTH)
    httpx.get(base, params={"integrated_account_id": "00000000-0000-4000-8000-000000000000"}, headers=AUTH)  # 404
    httpx.post(base, headers=AUTH)  # 405
"""


def test_coverage_report_counts_both_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cov=COVERAGE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "--truto-coverage", "--truto-coverage-json", "cov.json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*= Truto contract coverage =*",
            "8 requests to the mock (truto_mock and truto_respx)",
            "ceipal: no requests (0 of * parts exercised)",
            "pinpoint: * of * parts exercised (*%) by 6 requests",
            "  formats * 2/5  not exercised: normalized; stream; debug",
            "without a known integrated account: 2 requests (404 x1, 405 x1)",
            "written to cov.json",
        ]
    )
    data = json.loads((pytester.path / "cov.json").read_text())
    assert data["format"] == "truto-coverage/1" and data["requests"] == 8
    parts = data["providers"]["pinpoint"]["parts"]
    assert parts["endpoints"] == {"get": 2, "list": 2}  # a rejected request counts only for its status
    assert parts["formats"] == {"unified": 3, "raw": 1, "normalized": 0, "stream": 0, "debug": 0}
    assert parts["excluded fields"]["status"] == 2 and parts["excluded fields"]["end_at"] == 2
    assert parts["array encodings"] == {"brackets": 1, "indices": 0, "comma": 1}
    assert parts["filters"]["start_at[gte]"] == 1 and parts["filters"]["start_at[lt]"] == 0
    assert parts["paging"] == {"past the first page": 1} and parts["parameters"]["limit"] == 1
    assert parts["truto_ignore_remote_data"] == {"true": 0, "false": 4}
    assert parts["statuses"]["200"] == 4 and parts["statuses"]["401"] == 1 and parts["statuses"]["5xx"] == 1
    assert parts["scenarios"]["code=503, remote=true"] == 1 and parts["scenarios"]["code=429"] == 0
    assert data["providers"]["ceipal"]["requests"] == 0 and data["providers"]["ceipal"]["exercised"] == 0
    assert data["unattributed"]["statuses"]["404"] == 1


def test_coverage_file_in_a_missing_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest("--truto-coverage-json", "no/such/folder/cov.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--truto-coverage-json: the folder of no/such/folder/cov.json does not exist*"])


def test_a_token_no_http_client_can_send_is_a_usage_error_and_never_echoed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUTO_API_TOKEN", raising=False)
    pytester.makepyfile(test_target="def test_target(truto_target):\n    pass\n")
    account = ["--truto-account", "ceipal=11111111-2222-4333-8444-555555555555"]
    for token, said in (("tök-SECRET-1", "non-ASCII"), ("tok-SECRET-2 ", "trailing whitespace")):
        result = pytester.runpytest("--truto-base-url", "https://x.test", "--truto-token", token, *account)
        assert result.ret != 0
        output = "\n".join(result.outlines + result.errlines)
        assert said in output and "SECRET" not in output
        assert "Traceback" not in output
