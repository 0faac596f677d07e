"""The live client on its own: Retry-After forms, backoff with jitter within a budget, pacing by
limits known in advance and by ratelimit-* headers. All on a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from contracts.limits import TRUTO_LIMITS, RateLimit
from contracts.live.breaker import Breaker
from contracts.live.client import ApiClient
from contracts.live.clock import Stop
from contracts.live.fetched import Failure
from contracts.live.pacing import Pacer, Permit, TooLong, pacer_for, parse_limit
from contracts.live.retry import RetryPolicy, retry_after
from tests.gate_helpers import FakeClock


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("7") == 7.0 and retry_after(" 0 ") == 0.0
    assert retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert retry_after(None) is None and retry_after("soon") is None


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy, rng = RetryPolicy(backoff=0.5, max_backoff=4.0), random.Random(1)
    for attempt, step in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)):
        delays = [policy.delay(attempt, rng) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays) and len(set(delays)) > 1


def client_for(handler: httpx.MockTransport, clock: FakeClock, **kwargs: object) -> ApiClient:
    return ApiClient("http://api.test", "tok", transport=handler, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_5xx_connect_failures_and_resets_are_retried_until_an_answer() -> None:
    answers: list[object] = [httpx.ConnectError("refused"), httpx.RemoteProtocolError("reset"), 502, 200]

    def handle(request: httpx.Request) -> httpx.Response:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, int)
        return httpx.Response(item, json={})

    clock = FakeClock()
    fetched = client_for(httpx.MockTransport(handle), clock).get("/x")
    assert fetched.status == 200 and fetched.attempts == 4 and clock.slept > 0


def test_the_retry_budget_stops_retrying() -> None:
    clock = FakeClock()
    handler = httpx.MockTransport(lambda r: httpx.Response(503, json={}))
    no_breaker = Breaker(clock, 2.0, threshold=1000)
    fetched = client_for(handler, clock, retry=RetryPolicy(retries=10, budget=2.0), breaker=no_breaker).get("/x")
    assert fetched.status == 503 and fetched.attempts < 5 and clock.slept <= 2.0


def test_429_waits_for_retry_after_and_counts() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "7"}, json={}), httpx.Response(200, json={})]
    clock = FakeClock()
    fetched = client_for(httpx.MockTransport(lambda r: answers.pop(0)), clock).get("/x")
    assert fetched.status == 200 and fetched.throttled == 1 and clock.slept == 7.0 and fetched.rate_limit_wait == 7.0


def test_4xx_is_final() -> None:
    calls = []
    fetched = client_for(httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(404, json={})),
                         FakeClock()).get("/x")  # fmt: skip
    assert fetched.status == 404 and len(calls) == 1


def test_parse_limit() -> None:
    assert parse_limit("50;w=10") == RateLimit(50, 10.0)
    assert parse_limit("110") == RateLimit(110, 10.0)
    assert parse_limit("0;w=10") is None and parse_limit("x") is None and parse_limit(None) is None


def test_known_limits_pace_without_any_header() -> None:
    clock = FakeClock(0.0)
    pacer = Pacer(clock, per_account=RateLimit(3, 10.0))
    for _ in range(6):
        pacer.release(pacer.acquire("a"), None)
    assert clock.t == pytest.approx(10.0)  # the fourth waited for the first to leave the window
    pacer.release(pacer.acquire("b"), None)  # another account is not held back
    assert clock.t == pytest.approx(10.0)


def test_headers_teach_the_limit_and_a_spent_budget_waits_for_the_reset() -> None:
    clock = FakeClock(0.0)
    pacer = Pacer(clock)
    pacer.release(pacer.acquire("a"), {"ratelimit-limit": "2;w=10", "ratelimit-remaining": "0", "ratelimit-reset": "4"})
    permit = pacer.acquire("a")
    assert permit.waited == pytest.approx(4.0)
    pacer.release(permit, None)
    pacer.acquire("a")  # the learned 2 per 10 s: the third waits for the first to leave
    assert clock.t == pytest.approx(10.0)


def test_follow_headers_off_ignores_them() -> None:
    clock = FakeClock(0.0)
    pacer = Pacer(clock, follow_headers=False)
    pacer.release(pacer.acquire("a"), {"ratelimit-limit": "1;w=10", "ratelimit-remaining": "0", "ratelimit-reset": "9"})
    assert pacer.acquire("a").waited == 0.0


def test_auto_applies_truto_limits_only_on_truto_host() -> None:
    truto = pacer_for("https://api.truto.one", "auto", FakeClock())
    local = pacer_for("http://127.0.0.1:8000", "auto", FakeClock())
    assert truto is not None and truto.per_account == TRUTO_LIMITS.per_account
    assert local is not None and local.per_account is None
    assert pacer_for("https://api.truto.one", "off", FakeClock()) is None


@pytest.mark.parametrize("value", ["inf", "nan", "-5", "1e400", "99999999999", "soon", ""])
def test_unreadable_retry_after_is_none(value: str) -> None:
    assert retry_after(value) is None


def test_a_wait_beyond_the_limit_is_not_made() -> None:
    clock = FakeClock(0.0)
    pacer = Pacer(clock)
    pacer.release(pacer.acquire("a"), {"ratelimit-remaining": "0", "ratelimit-reset": "999999"})  # type: ignore[arg-type]
    refused = pacer.acquire("a", limit=60.0)
    assert isinstance(refused, TooLong) and refused.seconds == pytest.approx(999999) and clock.slept == 0
    assert "ratelimit-reset: 999999 s" in refused.why


def test_unreadable_rate_limit_headers_are_ignored_and_remembered_once() -> None:
    clock = FakeClock(0.0)
    pacer = Pacer(clock)
    for _ in range(3):
        permit = pacer.acquire("a")
        assert isinstance(permit, Permit)
        pacer.release(permit, {"ratelimit-remaining": "1e400", "ratelimit-reset": "inf", "ratelimit-limit": "x"})
    assert pacer.unreadable == {"ratelimit-remaining": "1e400", "ratelimit-reset": "inf", "ratelimit-limit": "x"}
    assert clock.slept == 0


def test_an_outage_holds_requests_back_and_is_recorded_once() -> None:
    clock = FakeClock(0.0)
    down = {"until": 30.0}
    sent: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(clock.t)
        return httpx.Response(503 if clock.t < down["until"] else 200, json={})

    api = client_for(httpx.MockTransport(handle), clock, retry=RetryPolicy(retries=3, budget=60.0))
    api.health = "/health"
    fetched = api.get("/x")
    assert fetched.status == 200 and fetched.outage is not None
    assert api.breaker is not None and len(api.breaker.outages) == 1
    outage = api.breaker.outages[0]
    assert outage.over and outage.cause == "HTTP 503" and 30 <= outage.seconds < 40
    assert len(sent) < 15  # probes at a doubling backoff, not a request per check and retry


def test_an_outage_beyond_the_budget_refuses_without_sending() -> None:
    clock = FakeClock(0.0)
    calls: list[str] = []
    api = client_for(httpx.MockTransport(lambda r: calls.append(str(r.url)) or httpx.Response(503, json={})), clock,
                     retry=RetryPolicy(retries=3, budget=10.0))  # fmt: skip
    first = api.get("/x")
    assert first.failure is Failure.OUTAGE and "outlasted --retry-budget 10 s" in (first.error or "")
    before = len(calls)
    second = api.get("/y")
    assert second.failure is Failure.OUTAGE and len(calls) == before  # not sent


def test_a_stopped_client_sends_nothing() -> None:
    clock = FakeClock(0.0)
    stop = Stop(clock)
    stop.interrupt(15)
    calls: list[object] = []
    api = client_for(httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200, json={})), clock, stop=stop)
    fetched = api.get("/x")
    assert fetched.failure is Failure.INTERRUPTED and fetched.error == "interrupted" and not calls


def test_the_deadline_stops_waits_and_requests() -> None:
    clock = FakeClock(0.0)
    stop = Stop(clock, deadline=5.0)
    answers = [httpx.Response(429, headers={"Retry-After": "30"}, json={})]
    api = client_for(httpx.MockTransport(lambda r: answers[0]), clock, stop=stop)
    fetched = api.get("/x")
    assert fetched.failure is Failure.DEADLINE and clock.t <= 5.5


def test_a_body_beyond_max_body_is_too_large() -> None:
    api = client_for(httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000)), FakeClock(),
                     max_body=4096)  # fmt: skip
    fetched = api.get("/x")
    assert fetched.failure is Failure.TOO_LARGE and fetched.error == "response too large (> 4 KiB, --max-body)"
