"""The served mock's bounds, as `python -m mockserver` serves it (uvicorn + the ASGI app): each one
answered in Truto's shape where the app gets to answer, and the ones uvicorn answers itself."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from mockserver.statuses import SERVER_STATUSES
from tests.mock_helpers import PINPOINT_ACCOUNT
from tests.serving import raw_exchange, served_asgi

RECORDS = f"/__mock__/accounts/{PINPOINT_ACCOUNT}/records".encode()


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with served_asgi(read_timeout=0.5, max_body=256 * 1024) as (_, port):
        yield port


def _split(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def _truto(answer: bytes, status: int) -> str:
    """The message of a Truto-shaped error answer with this status, the connection closed after it."""
    got, headers, body = _split(answer)
    assert got == status, answer[:300]
    assert status in SERVER_STATUSES, "the served OpenAPI document must declare what the front answers"
    error = json.loads(body)
    assert set(error) == {"statusCode", "error", "message"} and error["statusCode"] == status
    assert headers["connection"] == "close"
    message: str = error["message"]
    return message


def test_a_long_url_is_a_414(port: int) -> None:
    answer = raw_exchange(port, b"GET /unified/ats/interviews?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: m\r\n\r\n")
    assert _truto(answer, 414) == "The URL is 100025 bytes; the mock takes at most 16384."


def test_too_many_headers_are_a_431(port: int) -> None:
    headers = b"".join(b"X-%d: %s\r\n" % (n, b"v" * 40) for n in range(1000))
    answer = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: m\r\n" + headers + b"\r\n")
    assert _truto(answer, 431).startswith("The headers are ")


def test_a_body_over_the_cap_is_a_413_by_length_or_as_it_is_read(port: int) -> None:
    announced = raw_exchange(port, b"POST " + RECORDS + b" HTTP/1.1\r\nHost: m\r\nContent-Length: 999999999\r\n\r\n")
    assert _truto(announced, 413) == "The request body is over 0 MiB; send at most that much."
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
    chunked = b"POST " + RECORDS + b" HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 5
    assert _truto(raw_exchange(port, chunked), 413).startswith("The request body is over")


def test_a_slow_body_is_cut_after_the_read_timeout(port: int) -> None:
    started = time.monotonic()
    answer = raw_exchange(port, b"POST " + RECORDS + b" HTTP/1.1\r\nHost: m\r\nContent-Length: 100\r\n\r\n[", 10)
    assert _truto(answer, 408) == "The request body did not arrive within 0.5 s (--read-timeout)."
    assert 0.4 < time.monotonic() - started < 5


def test_bodies_within_the_bounds_reach_the_app_whole_however_framed(port: int) -> None:
    record = {"id": "limits-1", "type": "interviews", "attributes": {"status": "scheduled"}}
    data = json.dumps([record]).encode()
    framed = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, data[:10], len(data) - 10, data[10:])
    answer = raw_exchange(
        port,
        b"POST " + RECORDS + b" HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + framed,
    )
    status, _, body = _split(answer)
    assert status == 201 and json.loads(body)["ids"] == ["limits-1"], answer[:400]


def test_what_uvicorn_answers_itself_is_a_plain_400(port: int) -> None:
    """Bytes that are not HTTP never reach the app: uvicorn (h11) answers a plain-text 400 and closes.
    Raw non-ASCII bytes in the request line are such, and so is a request head still unfinished after
    1 MiB (a head that ends sooner reaches the app, which answers 414 or 431)."""
    for request in (b"GET /unified/\xff\xfe HTTP/1.1\r\nHost: m\r\n\r\n", b"GET /?" + b"a" * 1_100_000):
        status, headers, body = _split(raw_exchange(port, request))
        assert status == 400 and headers["content-type"].startswith("text/plain")
        assert body == b"Invalid HTTP request received."


def test_percent_encoded_bad_bytes_reach_the_core(port: int) -> None:
    url = f"http://127.0.0.1:{port}/unified/ats/interviews/%FF?integrated_account_id={PINPOINT_ACCOUNT}"
    response = httpx.get(url, headers={"Authorization": "Bearer x"})
    assert response.status_code == 404 and set(response.json()) == {"statusCode", "error", "message"}


def test_api_answers_carry_the_same_cors_headers_as_the_flask_app(port: int) -> None:
    """The served /unified answers (core on the event loop) and the Flask app's take CORS from one
    decision (mockserver.guard)."""
    from mockserver import create_app

    path = f"/unified/ats/interviews/412?integrated_account_id={PINPOINT_ACCOUNT}"
    flask = create_app({"records": 0}).test_client()
    for origin in ({}, {"Origin": "http://localhost:5173"}):
        headers = {"Authorization": "Bearer x", **origin}
        served = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers)
        direct = flask.get(path, headers=headers)
        assert served.status_code == direct.status_code == 200
        cors = {k.lower(): v for k, v in direct.headers.items() if k.lower().startswith("access-control-")}
        assert cors and {k: served.headers.get(k) for k in cors} == cors


def test_a_restricted_origin_is_applied_to_api_answers() -> None:
    with served_asgi({"records": 0, "cors_origin": "http://localhost:5173"}) as (_, port):
        url = f"http://127.0.0.1:{port}/unified/ats/interviews/412?integrated_account_id={PINPOINT_ACCOUNT}"
        allowed = httpx.get(url, headers={"Authorization": "Bearer x", "Origin": "http://localhost:5173"})
        other = httpx.get(url, headers={"Authorization": "Bearer x", "Origin": "http://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "access-control-allow-origin" not in other.headers


def test_the_server_stops_with_connections_open() -> None:
    with served_asgi() as (_, port):
        idle = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert idle.recv(1) == b""  # closed by the server
    idle.close()
