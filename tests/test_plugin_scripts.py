"""Scripts, the clock, in-process timeouts and the request log, through both fixtures alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import Interruption, LoggedRequest, ScriptError, ScriptsNotConsumed
from mockserver.controls import MockControls

PINPOINT = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
CEIPAL = "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"
TOKEN = "right-token"
LIST = "/unified/ats/interviews"


@pytest.fixture(params=["live", "respx"])
def via(
    request: pytest.FixtureRequest, truto_mock: Any, truto_respx: Any
) -> Iterator[tuple[httpx.Client, MockControls]]:
    """(a client aimed at the mock, the fixture whose methods the test uses): the live mock through
    `truto_mock`, the in-process one through `truto_respx`; the same test must pass on both."""
    if request.param == "live":
        base, controls = truto_mock.url, truto_mock
    else:
        base, controls = "https://api.truto.one", truto_respx
    with httpx.Client(base_url=base, headers={"Authorization": "Bearer t"}, timeout=5) as client:
        yield client, controls


def page(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get(LIST, params={"integrated_account_id": PINPOINT, "limit": 5, **params})


def test_scripts_play_in_order_are_consumed_and_carry_truto_bodies(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(429, times=2, retry_after=0.01)
    mock.script(503, remote=True)
    first, second, third, fourth = (page(client) for _ in range(4))
    assert [r.status_code for r in (first, second, third, fourth)] == [429, 429, 503, 200]
    assert first.headers["retry-after"] == "0.01" and first.headers["ratelimit-remaining"] == "0"
    assert first.json() == {"statusCode": 429, "error": "Too Many Requests", "message": first.json()["message"]}
    assert third.json()["truto_is_remote_error"] is True and third.json()["statusCode"] == 503
    mock.assert_all_consumed()
    assert [s.used for s in mock.scripts()] == [2, 1]


def test_a_503_on_page_3_of_5_then_success(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(503, when={"endpoint": "list", "page": 3})
    statuses, cursor, pages = [], None, 0
    while pages < 5:
        response = page(client, **({"next_cursor": cursor} if cursor else {}))
        statuses.append(response.status_code)
        if response.status_code == 503:
            continue  # a client retries the same page
        pages += 1
        cursor = response.json()["next_cursor"]
    assert statuses == [200, 200, 503, 200, 200, 200]
    assert [e.status for e in mock.calls_to(page=3)] == [503, 200]


def test_when_matches_get_account_nth_method_and_cursor(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(404, when={"endpoint": "get", "account": "pinpoint"})
    mock.script(500, when={"nth": 3})
    mock.script(502, when={"cursor": "AAAAAAAF"})
    mock.script(401, when={"method": "HEAD"})
    got = client.get("/unified/ats/interviews/412", params={"integrated_account_id": PINPOINT})
    assert got.status_code == 404
    assert page(client).status_code == 200  # 2nd
    assert page(client).status_code == 500  # 3rd
    assert page(client, next_cursor="AAAAAAAF").status_code == 502
    assert client.head(LIST, params={"integrated_account_id": PINPOINT}).status_code == 401
    mock.assert_all_consumed()


def test_a_401_mid_run(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(401, when={"nth": 2}, message="The token was revoked.")
    assert [page(client).status_code for _ in range(3)] == [200, 401, 200]
    assert mock.requests()[1].status == 401 and mock.requests()[1].verdict == "conforms"


def test_an_unplayed_script_fails_assert_all_consumed_naming_it(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(503, when={"page": 3})
    page(client)
    with pytest.raises(ScriptsNotConsumed, match=r"(?s)status=503.*'page': 3.*played 0 of 1.*1\. GET /unified"):
        mock.assert_all_consumed()


def test_dropped_and_cut_connections_raise_what_the_network_would(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(fail="drop")
    mock.script(fail="cut")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        page(client)
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        page(client)
    assert page(client).status_code == 200
    dropped, cut, fine = mock.requests()
    assert (dropped.status, dropped.interrupted) == (None, "drop")
    assert (cut.status, cut.interrupted) == (200, "cut") and fine.interrupted is None


def test_latency_beyond_the_client_timeout_is_a_read_timeout(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    mock.script(latency_ms=3000)
    with pytest.raises(httpx.ReadTimeout):
        client.get(LIST, params={"integrated_account_id": PINPOINT}, timeout=0.3)
    mock.script(latency_ms=50)
    assert client.get(LIST, params={"integrated_account_id": PINPOINT}, timeout=2).status_code == 200


def test_both_fixtures_log_what_the_client_saw_of_each_scripted_failure(truto_mock: Any, truto_respx: Any) -> None:
    """drop, cut, connect-timeout and a latency beyond the client's read timeout are logged alike by
    the live mock and the in-process router: no status where the client got none, `interrupted`
    naming what happened, and the latency the client waited."""
    logs = []
    for base, mock in ((truto_mock.url, truto_mock), ("https://api.truto.one", truto_respx)):
        mock.reset()
        for fail in ("drop", "cut", "connect-timeout"):
            mock.script(fail=fail)
        mock.script(latency_ms=5000)
        with httpx.Client(base_url=base, headers={"Authorization": "Bearer t"}, timeout=0.3) as client:
            for _ in range(4):
                with pytest.raises(httpx.TransportError):
                    page(client).read()
            assert page(client).status_code == 200
        logs.append([(e.status, e.interrupted) for e in mock.requests()])
        timed_out = mock.assert_requested_once(interrupted="read-timeout")
        assert timed_out.status is None and timed_out.latency_ms < 3000  # the client's wait, not the script's
        assert len(mock.assert_requested(status=200, times=2)) == 2  # cut (status and headers came) and fine
        assert "no answer (read-timeout)" in str(timed_out)
    live, in_process = logs
    assert (
        live
        == in_process
        == [(None, "drop"), (200, "cut"), (None, "connect-timeout"), (None, "read-timeout"), (200, None)]
    )
    with pytest.raises(ValueError, match="interrupted must be one of 'drop', 'cut', 'connect-timeout', 'read-timeout'"):
        truto_mock.calls_to(interrupted="timeout")


def test_the_log_waits_briefly_for_a_request_the_live_mock_still_delays(
    truto_mock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that just gave up is seen as such: `requests()` waits (bounded) for the live mock's
    thread to notice, instead of listing the status it was about to send."""
    import threading
    import time

    with httpx.Client(base_url=truto_mock.url, headers={"Authorization": "Bearer t"}) as client:
        page(client)
    [entry] = truto_mock.requests()
    log, ready = truto_mock.state.log, threading.Event()

    def give_up() -> None:
        with log.held(entry):
            ready.set()
            time.sleep(0.2)
            log.unanswered(entry, "read-timeout", 200.0)

    thread = threading.Thread(target=give_up)
    thread.start()
    ready.wait(5)
    [seen] = truto_mock.requests()
    thread.join(5)
    assert (seen.status, seen.interrupted, seen.latency_ms) == (None, "read-timeout", 200.0)
    with log.held(seen):
        assert log.entries(settle=0.05) == [seen]  # the bound: listed as it stands, and said
    assert "1 request(s) still waiting out their latency after 0.05 s" in caplog.text


def test_in_process_timeouts_do_not_sleep_and_connect_timeouts_are_scripted(truto_respx: MockControls) -> None:
    import time

    truto_respx.script(latency_ms=60_000)
    truto_respx.script(fail="connect-timeout")
    started = time.monotonic()
    with httpx.Client(timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout, match=r"answers after 60 s; the client's read timeout is 0\.5 s"):
            client.get(
                f"https://api.truto.one{LIST}?integrated_account_id={PINPOINT}", headers={"Authorization": "Bearer t"}
            )
        with pytest.raises(httpx.ConnectTimeout):
            client.get(
                f"https://api.truto.one{LIST}?integrated_account_id={PINPOINT}", headers={"Authorization": "Bearer t"}
            )
    assert time.monotonic() - started < 5  # a minute of latency, never slept


@pytest.mark.anyio
async def test_async_clients_get_the_same_scripts_and_timeouts(truto_respx: MockControls) -> None:
    truto_respx.script(fail="cut")
    truto_respx.script(latency_ms=5000)
    truto_respx.script(503)
    async with httpx.AsyncClient(base_url="https://api.truto.one", headers={"Authorization": "Bearer t"}) as client:
        url = f"{LIST}?integrated_account_id={PINPOINT}"
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(url)
        with pytest.raises(httpx.ReadTimeout):
            await client.get(url, timeout=0.2)
        assert (await client.get(url)).status_code == 503


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.truto_mock(rate_limit_account=2)
def test_the_clock_clears_a_rate_limit_without_waiting(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    assert [page(client).status_code for _ in range(3)] == [200, 200, 429]
    limited = mock.requests()[-1]
    assert limited.status == 429
    mock.clock.advance(9)
    assert page(client).status_code == 429
    mock.clock.advance(1)
    assert page(client).status_code == 200
    with pytest.raises(ValueError, match="forward only"):
        mock.clock.advance(-1)


def test_the_request_log(via: tuple[httpx.Client, MockControls]) -> None:
    client, mock = via
    client.get(
        LIST,
        params={
            "integrated_account_id": CEIPAL,
            "truto_exclude_fields[]": ["location", "status"],
            "created_at[gt]": "2024-01-01",
        },
        headers={"Authorization": "Bearer s3cret-token-value", "X-Trace": "abc"},
    )
    client.get(
        LIST, params={"integrated_account_id": PINPOINT, "remote_query[stage]": "31"}, headers={"Authorization": ""}
    )
    first, second = mock.requests()  # oldest first
    assert isinstance(first, LoggedRequest)
    assert first.method == "GET" and first.path == LIST
    assert first.query == {
        "integrated_account_id": CEIPAL,
        "truto_exclude_fields": ["location", "status"],
        "created_at": {"gt": "2024-01-01"},
    }
    assert first.headers["authorization"] == "Bearer ***" and first.headers["x-trace"] == "abc"
    assert first.status == 200 and first.token_ok is True and second.token_ok is False and second.status == 401
    assert second.query["remote_query"] == {"stage": "31"}
    assert first["status"] == first.status and first.verdict in ("conforms", "unconfirmed", "violates")
    assert "s3cret" not in repr([e.to_json() for e in mock.requests()])
    assert mock.calls_to(account="ceipal") == [first]
    assert mock.calls_to(LIST, query={"remote_query": {"stage": "31"}}) == [second]
    assert mock.assert_requested_once(status=401) is second
    assert len(mock.assert_requested(LIST, times=2)) == 2
    with pytest.raises(
        AssertionError, match=r"(?s)expected a request matching \{'path': '/nowhere'\}, found 0.*1\. GET"
    ):
        mock.assert_requested("/nowhere")
    with pytest.raises(AssertionError, match="expected 1 request"):
        mock.assert_requested_once(LIST)


@pytest.mark.truto_mock(token=TOKEN, journal_size=1)
def test_token_ok_against_a_configured_token_and_a_log_longer_than_the_journal(
    via: tuple[httpx.Client, MockControls],
) -> None:
    client, mock = via
    assert page(client).status_code == 401
    assert page(client, **{}).status_code == 401
    good = client.get(LIST, params={"integrated_account_id": PINPOINT}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert good.status_code == 200
    assert [e.token_ok for e in mock.requests()] == [False, False, True]


def test_resets_clear_scripts_and_the_log(truto_mock: Any, truto_respx: Any) -> None:
    truto_mock.script(503)
    httpx.get(f"https://api.truto.one{LIST}?integrated_account_id={PINPOINT}", headers={"Authorization": "Bearer t"})
    truto_mock.script(503)
    assert len(truto_respx.calls) == 1 and len(truto_respx.requests()) == 1
    truto_respx.reset()
    assert len(truto_respx.calls) == 0 and truto_mock.requests() == [] and truto_mock.scripts() == []
    truto_mock.script(503)
    with truto_mock.fresh():
        assert truto_respx.scripts() == [] and truto_respx.requests() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": 302}, "status must be 200"),
        ({"status": 503, "times": 0}, "times must be a whole number from 1"),
        ({"status": 503, "when": {"pages": 3}}, "unknown key.*pages.*known: method, path"),
        ({"status": 503, "when": {"page": 0}}, "page must be a whole number from 1"),
        ({"status": 503, "when": {"endpoint": "lists"}}, "endpoint must be 'get' or 'list'"),
        ({"status": 503, "when": "list"}, "when takes a dict"),
        ({"status": 503, "retry_after": -1}, "retry_after takes seconds"),
        ({"retry_after": 1}, "retry_after= goes with an error status"),
        ({"fail": "explode"}, "fail must be one of 'drop', 'cut', 'connect-timeout'"),
        ({"status": 503, "fail": "drop"}, "sends no answer at all"),
        ({}, "a script needs something to do"),
        ({"remote": True}, "give an error status too"),
        ({"latency_ms": 60_001}, "latency_ms must be a whole number 0-60000"),
        ({"status": 503, "retries": 2}, "unknown keyword.s. retries; known: status, fail, headers, latency_ms"),
    ],
)
def test_bad_scripts_are_refused_naming_the_argument(truto_mock: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        truto_mock.script(**kwargs)
    assert truto_mock.scripts() == []


def test_interruptions_are_typed() -> None:
    assert [str(i) for i in Interruption] == ["drop", "cut", "connect-timeout"]
