"""Bounds on connections that the HTTP server library lacks: a deadline for each request head, and a cap
on open connections.

uvicorn (h11) bounds the size of a request head (`h11_max_incomplete_event_size`), not its time: it arms
no timer when a connection opens, and its keep-alive timer, armed only once an answer is sent, is
cancelled by the first byte of the next request. A client that sends half a request line and stalls
holds its socket for ever, and enough of them run the process out of file descriptors.
`guarded(factory, limits)` wraps the server's protocol class (any `asyncio.Protocol` factory) in one that

- closes a connection whose request head is not whole within `head_timeout` seconds of the connection
  opening or of its previous answer: with a 408 in Truto's shape when part of a head came, silently
  when nothing did (an idle connection);
- refuses a connection beyond `max_connections` open ones with a 503 in Truto's shape, closed at once.

Each bound says so once in the terminal. The wrapper learns that a head was whole from `tracked(app)`,
the ASGI app around the mock's: the server runs each request in a task it creates while the wrapper's
`data_received` runs (or while the previous request of the connection answers), and asyncio copies the
context into every task, so the task's context names its connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from contracts.errors import reason_phrase
from mockserver.saidonce import SaidOnce

DEFAULT_HEAD_TIMEOUT = 10.0
"""Seconds a client has to send a whole request head (`--head-timeout`); then a 408 and the close."""
DEFAULT_MAX_CONNECTIONS = 1000
"""Connections open at once (`--max-connections`); one more is answered 503 and closed."""
FD_RESERVE = 64
"""File descriptors kept for the mock itself (listening socket, data files, thread wake-up pipes)."""

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


@dataclass(frozen=True)
class ConnectionLimits:
    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS


class _Gate:
    """What a server's connections share: the limits, the count of open ones, the terminal's lines.
    Touched only on the event loop's thread."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.open = 0
        self.said = SaidOnce()


_connection: ContextVar[_Guarded | None] = ContextVar("truto_mock_connection", default=None)


class _Guarded(asyncio.Protocol):
    """One connection: the server's own protocol `inner`, with a head deadline and the connection cap."""

    def __init__(self, inner: asyncio.Protocol, gate: _Gate) -> None:
        self._inner, self._gate = inner, gate
        self._transport: asyncio.Transport | None = None
        self._refused = False
        self._active = 0  # requests whose head was whole and whose answer is not sent yet
        self._head_bytes = 0  # bytes received while no request was active
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        limit = self._gate.limits.max_connections
        if self._gate.open >= limit:
            self._refused = True
            message = f"The mock has {limit} connections open (--max-connections); retry when some have closed."
            self._gate.said(503, f"refused a connection: {limit} are open (--max-connections)")
            self._transport.write(http_error(503, message))
            self._transport.close()
            return
        self._gate.open += 1
        self._arm()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._active:
            self._head_bytes += len(data)
        token = _connection.set(self)  # the request task the server creates now inherits it
        try:
            self._inner.data_received(data)
        finally:
            _connection.reset(token)

    def eof_received(self) -> bool | None:
        return None if self._refused else self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._refused:
            return
        self._gate.open -= 1
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if not self._refused:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if not self._refused:
            self._inner.resume_writing()

    # --- the head deadline ---------------------------------------------------------------------------

    def request_started(self) -> None:
        self._active += 1
        self._head_bytes = 0
        self._disarm()

    def request_ended(self) -> None:
        self._active -= 1
        if not self._active and self._transport is not None and not self._transport.is_closing():
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._gate.limits.head_timeout, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        transport = self._transport
        if self._active or transport is None or transport.is_closing():
            return
        seconds = f"{self._gate.limits.head_timeout:g} s (--head-timeout)"
        if self._head_bytes:
            message = f"The request head (request line and headers) did not arrive within {seconds}."
            self._gate.said(408, f"answered 408: {message}")
            transport.write(http_error(408, message))
        else:
            self._gate.said("idle", f"closed a connection that sent no request within {seconds}")
        transport.close()


def guarded(factory: Callable[..., asyncio.Protocol], limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """A protocol class for the server: `factory(...)`'s protocol within `limits`; its connections
    share one count. Serve `tracked(app)` with it, or every connection meets the deadline mid-request."""
    gate = _Gate(limits)

    class Guarded(_Guarded):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(factory(*args, **kwargs), gate)

    return Guarded


def tracked(app: ASGIApp) -> ASGIApp:
    """`app`, telling its connection (when `guarded` made it) that a request is under way: its head
    deadline stops while the request runs and starts again once it is answered."""

    async def app_tracked(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        connection = _connection.get()
        if connection is None:
            await app(scope, receive, send)
            return
        connection.request_started()
        try:
            await app(scope, receive, send)
        finally:
            connection.request_ended()

    return app_tracked


def http_error(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 answer in Truto's error shape that closes the connection."""
    from mockserver.core import error_answer  # the app has imported it by then; the CLI's flags need not

    answer = error_answer(status, message)
    body = answer.content()
    lines = [f"HTTP/1.1 {status} {reason_phrase(status)}", *(f"{k}: {v}" for k, v in answer.headers.items())]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def fit_to_file_limit(wanted: int) -> int:
    """How many connections the process's open-file limit leaves room for, at most `wanted`. The soft
    limit is raised toward the hard one first when it is below `wanted` + FD_RESERVE: past it, the
    server could accept nothing at all, whatever the cap."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no such limit
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))
