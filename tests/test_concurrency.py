"""16 threads of mixed reads and admin writes against one live mock: no errors, nothing torn or lost,
and a journal that accounts for every request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts import Exchange, check_response
from mockserver import create_app
from mockserver.live import LiveServer
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

THREADS, WRITERS, ROUNDS = 16, 4, 25
AUTH = {"Authorization": "Bearer concurrency"}


@pytest.fixture
def live() -> Iterator[LiveServer]:
    server = LiveServer()
    server.app = create_app({"records": 10, "journal_size": 5000})
    yield server
    server.stop()


def _record(thread: int, index: int) -> dict[str, Any]:
    return {
        "id": f"t{thread}-{index}",
        "type": "interviews",
        "attributes": {"status": "scheduled", "created_at": f"2026-01-{index % 28 + 1:02d}T10:00:00+00:00"},
        "relationships": {"application": {"data": {"type": "applications", "id": f"{thread}{index}"}}},
    }


def test_mixed_reads_and_writes(live: LiveServer) -> None:
    errors: list[str] = []
    api_requests = [0] * THREADS
    barrier = threading.Barrier(THREADS)

    def reader(n: int, client: httpx.Client) -> None:
        urls = [
            f"/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}&limit=7",
            f"/unified/ats/interviews/9001?integrated_account_id={CEIPAL_ACCOUNT}&truto_response_format=debug",
            f"/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}&truto_response_format=raw&truto_ignore_limit=true",
            f"/unified/ats/interviews/412?integrated_account_id={PINPOINT_ACCOUNT}&truto_response_format=stream",
        ]
        for i in range(ROUNDS):
            url = urls[(n + i) % len(urls)]
            response = client.get(url)
            api_requests[n] += 1
            provider = "ceipal" if CEIPAL_ACCOUNT in url else "pinpoint"
            problems = check_response(
                response.status_code, response.headers, response.content, Exchange.from_url(url, provider=provider)
            )
            if response.status_code != 200 or problems:
                errors.append(f"{url}: {response.status_code} {problems[:2]}")

    def writer(n: int, client: httpx.Client) -> None:
        for i in range(ROUNDS):
            response = client.post(f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records", json=[_record(n, i)])
            if response.status_code != 201:
                errors.append(f"write {n}-{i}: {response.status_code} {response.text[:200]}")

    def run(n: int) -> None:
        with httpx.Client(base_url=live.url, headers=AUTH, timeout=30) as client:
            barrier.wait()
            try:
                (writer if n < WRITERS else reader)(n, client)
            except Exception as exc:  # collected, so one failing thread cannot hide the others
                errors.append(f"thread {n}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    with httpx.Client(base_url=live.url, headers=AUTH) as client:
        listing = client.get(
            f"/unified/ats/interviews?integrated_account_id={PINPOINT_ACCOUNT}&truto_ignore_limit=true"
        ).json()["result"]
        journal = client.get("/__mock__/requests").json()["requests"]
    by_id = {item["id"]: item for item in listing}
    for n in range(WRITERS):
        for i in range(ROUNDS):
            item = by_id.get(f"t{n}-{i}")
            assert item is not None, f"record t{n}-{i} was lost"
            assert item["remote_data"] == _record(n, i)  # not torn
            assert item["application"] == {"id": f"{n}{i}"}
    assert len(listing) == 5 + 10 + WRITERS * ROUNDS
    seqs = [entry["seq"] for entry in journal]
    assert len(seqs) == len(set(seqs)) == sum(api_requests) + 1  # every API request, plus the listing above
    assert seqs == sorted(seqs, reverse=True)
    assert all(entry["verdict"] == "conforms" for entry in journal)
