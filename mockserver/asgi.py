"""The mock as an ASGI app: `/unified/*` answered by the core on the event loop, the rest by Flask.

An API request costs no thread: `mockserver.core.answer` is quick and a `Prefer: delay` or `--latency`
wait is an `asyncio.sleep`, so no number of waiting clients starves anyone. Every other route (page,
admin, `/openapi.json`, CORS preflights) goes to the Flask app through `mockserver.bridge`, after its
body has been read here. Before either, each request meets the bounds below, answered in Truto's
shape: a URL over MAX_URL_BYTES is a 414, headers over MAX_HEADER_BYTES a 431, a body over
MAX_BODY_BYTES (counted as it arrives, chunked or not) a 413, a body slower than the read timeout a
408. After a stop, requests get STOP_CUT_SECONDS to finish; then the ones still waiting are answered
503 and closed.

A script's interruption (`MockResponse.interrupt`) is honoured as far as uvicorn allows: `cut` sends the
whole body's Content-Length and half the body, then closes; `drop` and `connect-timeout` would need the
connection closed before any answer, which uvicorn never does (it answers 500 to an app that ends
unanswered), so they are a 502 in Truto's shape that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

from flask import Flask

from mockserver.admin import MAX_ADMIN_BODY
from mockserver.bridge import ThreadPool, WsgiAnswer, call_wsgi
from mockserver.core import API_PREFIX, MockResponse, answer, error_answer
from mockserver.guard import cors_headers
from mockserver.saidonce import SaidOnce
from mockserver.scripts import Interruption
from mockserver.state import MockState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("mockserver")
MAX_URL_BYTES = 16 * 1024
"""Longest request target (path and query) answered; longer is a 414."""
MAX_HEADER_BYTES = 32 * 1024
"""Most bytes of header names and values answered; more is a 431."""
MAX_BODY_BYTES = MAX_ADMIN_BODY
"""Largest request body read (the admin endpoint's records are the largest there are); more is a 413."""
DEFAULT_READ_TIMEOUT = 5.0
"""Seconds a client has to send a request's whole body (`--read-timeout`); then a 408."""
STOP_CUT_SECONDS = 0.8
"""After a stop, how long requests in flight may still wait (a delay, a body, a Flask call)."""


@dataclass(frozen=True)
class Limits:
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_url: int = MAX_URL_BYTES
    max_headers: int = MAX_HEADER_BYTES
    max_body: int = MAX_BODY_BYTES


class _Refusal(Exception):
    """A request refused before it reached the app; the connection is closed after the answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class MockASGI:
    """The ASGI callable uvicorn serves; `stop_soon()` (from any thread) starts the stop's cut."""

    def __init__(self, flask_app: Flask, limits: Limits = Limits(), threads: int = 16) -> None:
        self.flask = flask_app
        self.state: MockState = flask_app.extensions["truto_mock"]
        self.limits = limits
        self.pool = ThreadPool(threads)
        self._said = SaidOnce()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cut: asyncio.Future[None] | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called in the server's loop before it serves."""
        self._loop = loop
        self._cut = loop.create_future()

    def stop_soon(self) -> None:
        """Thread-safe: in STOP_CUT_SECONDS, answer whatever still waits with a 503."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.call_later, STOP_CUT_SECONDS, self._cut_now)

    def _cut_now(self) -> None:
        if self._cut is not None and not self._cut.done():
            self._cut.set_result(None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off and websockets are not served
            return
        try:
            self._check_head(scope)
            body = await self._read_body(scope, receive)
            if scope["path"].startswith(API_PREFIX) and not _is_preflight(scope):
                await self._api(scope, send)
            else:
                await self._flask(scope, body, send)
        except _Refusal as refusal:
            self._said(refusal.status, f"answered {refusal.status}: {refusal.message}")
            await _send(send, error_answer(refusal.status, refusal.message), close=True)
        except _Cut:
            await _send(send, error_answer(503, "The mock is stopping; this request was cut."), close=True)
        except Exception as exc:  # never a plain-text 500 or a traceback in the terminal
            log.exception("unexpected error serving %s %s", scope.get("method"), scope.get("path"))
            message = f"The mock failed on this request ({type(exc).__name__}); see its log."
            with contextlib.suppress(Exception):  # the answer may have started already
                await _send(send, error_answer(500, message), close=True)

    # --- bounds -------------------------------------------------------------------------------------

    def _check_head(self, scope: Scope) -> None:
        target = len(scope.get("raw_path") or b"") + len(scope["query_string"])
        if target > self.limits.max_url:
            raise _Refusal(414, f"The URL is {target} bytes; the mock takes at most {self.limits.max_url}.")
        size = sum(len(name) + len(value) for name, value in scope["headers"])
        if size > self.limits.max_headers:
            raise _Refusal(431, f"The headers are {size} bytes; the mock takes at most {self.limits.max_headers}.")

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        """The whole body, within the size cap and the read timeout (b"" when none is announced)."""
        length, chunked = None, False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value)  # the HTTP parser has checked it is a number
            elif name == b"transfer-encoding":
                chunked = True
        if not chunked and not length:
            return b""
        cap, timeout = self.limits.max_body, self.limits.read_timeout
        too_large = _Refusal(413, f"The request body is over {cap // (1024 * 1024)} MiB; send at most that much.")
        if length is not None and length > cap:
            raise too_large
        deadline = time.monotonic() + timeout
        parts: list[bytes] = []
        size, more = 0, True
        while more:
            message = await self._within(receive(), deadline - time.monotonic())
            if message is None:
                raise _Refusal(408, f"The request body did not arrive within {timeout:g} s (--read-timeout).")
            if message["type"] != "http.request":  # the client went away
                raise _Cut
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise too_large
            parts.append(chunk)
            more = message.get("more_body", False)
        return b"".join(parts)

    async def _within(self, awaitable: Awaitable[Message], seconds: float) -> Message | None:
        """The awaitable's result, None after `seconds`; _Cut when the stop's cut comes first."""
        task: asyncio.Future[Message] = asyncio.ensure_future(awaitable)
        assert self._cut is not None
        await asyncio.wait(
            [task, cast("asyncio.Future[Any]", self._cut)], timeout=max(seconds, 0), return_when=asyncio.FIRST_COMPLETED
        )
        if task.done():
            return task.result()
        task.cancel()
        if self._cut.done():
            raise _Cut
        return None

    # --- the two routes -----------------------------------------------------------------------------

    async def _api(self, scope: Scope, send: Send) -> None:
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        query = scope["query_string"].decode("utf-8", "replace")
        raw = scope.get("raw_path") or quote(scope["path"]).encode()  # as sent: `%2F` stays inside an id
        response = answer(self.state, scope["method"], raw.decode("latin-1"), query, headers)
        await self._wait(response.delay)
        cors = cors_headers(self.state.config, scope["path"], headers.get("origin"), scope["method"])
        if response.interrupt is Interruption.CUT:
            await _send_cut(send, response, extra=cors)
        elif response.interrupt is not None:
            raise _Refusal(502, _cannot_drop(response.interrupt))
        else:
            await _send(send, response, extra=cors)

    async def _flask(self, scope: Scope, body: bytes, send: Send) -> None:
        assert self._loop is not None and self._cut is not None
        future: asyncio.Future[Any] = self.pool.submit(self._loop, lambda: call_wsgi(self.flask.wsgi_app, scope, body))
        await asyncio.wait([future, cast("asyncio.Future[Any]", self._cut)], return_when=asyncio.FIRST_COMPLETED)
        if not future.done():
            raise _Cut
        result: WsgiAnswer = future.result()
        await self._wait(result.delay)  # the try page's `Prefer: delay`, passed on the loop, not in a thread
        await _send_raw(send, result.status, result.headers, [result.body])

    async def _wait(self, seconds: float) -> None:
        """Wait `seconds` before answering (no thread held); _Cut when the stop's cut comes first."""
        if seconds <= 0:
            return
        assert self._cut is not None
        await asyncio.wait([self._cut], timeout=seconds)
        if self._cut.done():
            raise _Cut


class _Cut(Exception):
    """The stop's cut came (or the client left) before the answer was ready."""


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and any(n == b"access-control-request-method" for n, _ in scope["headers"])


async def _send(send: Send, response: MockResponse, *, extra: Mapping[str, str] = {}, close: bool = False) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in {**response.headers, **extra}.items()]
    if close:
        headers.append((b"connection", b"close"))
    if isinstance(response.body, bytes):
        headers.append((b"content-length", str(len(response.body)).encode()))
        await _send_raw(send, response.status, headers, [response.body])
    else:  # a stream's chunks go out chunked
        await _send_raw(send, response.status, headers, response.body)


def _cannot_drop(interrupt: Interruption) -> str:
    return (
        f"A script asked for fail={str(interrupt)!r}, but this server (uvicorn) cannot close a connection "
        "before answering: it answers 500 to an app that ends without a response. This 502 stands in for it; "
        "the plugin's live mock and truto_respx drop the connection."
    )


async def _send_cut(send: Send, response: MockResponse, *, extra: Mapping[str, str] = {}) -> None:
    """A scripted `cut`: the status, the headers with the whole body's Content-Length, and half the
    body. Returning without the rest makes uvicorn close the connection (its log says "ASGI callable
    returned without completing response"), so the client sees the body end early."""
    content = response.content()
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in {**response.headers, **extra}.items()]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": content[: len(content) // 2], "more_body": True})


async def _send_raw(send: Send, status: int, headers: list[tuple[bytes, bytes]], chunks: Iterable[bytes]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    if isinstance(chunks, list) and len(chunks) == 1:  # one body: one message
        await send({"type": "http.response.body", "body": chunks[0], "more_body": False})
        return
    for chunk in chunks:
        if chunk:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
