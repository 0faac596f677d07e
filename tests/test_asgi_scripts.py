"""The uvicorn front (`python -m mockserver`) honours a core answer's scripted interruption where
uvicorn lets an app break a connection: `cut` ends the body early; `drop` and `connect-timeout`,
which uvicorn cannot play, are a 502 in Truto's shape that says so."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

import mockserver.asgi
from mockserver.core import MockResponse
from mockserver.core import answer as core_answer
from mockserver.scripts import Interruption
from tests.serving import raw_exchange, served_asgi

LIST = "/unified/ats/interviews?integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902&limit=3"
AUTH = {"Authorization": "Bearer t"}


def _interrupting(monkeypatch: pytest.MonkeyPatch, interrupt: Interruption) -> None:
    """The core's answers carry `interrupt`, as a script's would."""

    def answer(*args: Any) -> MockResponse:
        return replace(core_answer(*args), interrupt=interrupt)

    monkeypatch.setattr(mockserver.asgi, "answer", answer)


def test_a_cut_sends_the_whole_length_half_the_body_then_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupting(monkeypatch, Interruption.CUT)
    with served_asgi({"records": 3}) as (host, port):
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            httpx.get(f"http://{host}:{port}{LIST}", headers=AUTH, timeout=5)
        head, _, body = raw_exchange(
            port, f"GET {LIST} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n".encode()
        ).partition(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        assert head.startswith(b"HTTP/1.1 200") and 0 < len(body) == length // 2
        monkeypatch.undo()
        assert httpx.get(f"http://{host}:{port}{LIST}", headers=AUTH, timeout=5).status_code == 200  # still serving


@pytest.mark.parametrize("interrupt", [Interruption.DROP, Interruption.CONNECT_TIMEOUT])
def test_a_drop_uvicorn_cannot_play_is_a_502_saying_so(
    monkeypatch: pytest.MonkeyPatch, interrupt: Interruption
) -> None:
    _interrupting(monkeypatch, interrupt)
    with served_asgi() as (host, port):
        got = httpx.get(f"http://{host}:{port}{LIST}", headers=AUTH, timeout=5)
    assert got.status_code == 502 and got.headers["connection"] == "close"
    body = got.json()
    assert set(body) == {"statusCode", "error", "message"} and body["statusCode"] == 502
    assert f"fail='{interrupt}'" in body["message"] and "uvicorn" in body["message"]


def test_uvicorn_answers_500_to_an_app_that_ends_before_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why `drop` is a 502: an ASGI app cannot close a connection unanswered under uvicorn. When this
    fails, uvicorn closes instead, and the front can play `drop` for real."""

    async def unanswered(*args: Any) -> None:
        return None

    monkeypatch.setattr(mockserver.asgi.MockASGI, "_api", unanswered)
    with served_asgi() as (_, port):
        out = raw_exchange(port, f"GET {LIST} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert out.startswith(b"HTTP/1.1 500 Internal Server Error")
