"""httpx requests answered in-process by the mock: the respx router behind the `truto_respx` fixture.

Requests to https://api.truto.one are answered by the mock's app without a socket; loopback passes
through to the network, so the live mock (`truto_mock`, `truto_client`) works in the same test; any
other host fails, naming the host and showing how to route it. Routes a test adds take precedence
over the kit's two, so a test can still answer one Truto URL its own way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import unquote_to_bytes

import httpx
import respx
from flask import Flask
from respx.models import AllMockedAssertionError, ResolvedRoute, Route, RouteList

from mockserver.controls import MockControls
from mockserver.core import MockResponse
from mockserver.core import answer as core_answer
from mockserver.live import mock_state
from mockserver.scripts import Interruption
from mockserver.state import MockState

TRUTO_BASE_URL = "https://api.truto.one"
TRUTO_HOST = "api.truto.one"
LOOPBACK = r"^(localhost|127(\.\d{1,3}){3}|::1)$"
_KIT_ROUTES = ("truto", "loopback")


class NotMockedError(AllMockedAssertionError):
    """A request to a host neither the kit nor the test routed."""


def not_mocked_message(request: httpx.Request) -> str:
    url = request.url.copy_with(query=None)
    return (
        f"truto_respx: {request.method} {request.url} is not mocked. The router answers {TRUTO_BASE_URL} from "
        f"the mock and lets loopback through; {request.url.host!r} needs a route on the router the fixture "
        f"returns, for example\n"
        f'    truto_respx.{request.method.lower()}("{url}").respond(json={{...}})\n'
        f"or, to let that host reach the network,\n"
        f'    truto_respx.route(host="{request.url.host}").pass_through()'
    )


class TrutoRouter(MockControls, respx.MockRouter):
    """A respx router that answers Truto from the mock, lets loopback through and names any other host.

    Also the mock's scripts, clock and request log (`MockControls`), shared with `truto_mock`.
    respx's own `calls` and `reset()` keep their meaning; `reset()` also empties the kit's request
    log and scripts (the data resets with `truto_mock.reset()` / `.fresh()`).
    """

    def __init__(self, responder: Callable[[httpx.Request], httpx.Response], *, state: MockState | None = None) -> None:
        self._state = state  # before respx's set-up, which may reset
        super().__init__(assert_all_called=False)
        super().add(Route(scheme="https", host=TRUTO_HOST).mock(side_effect=responder), name="truto")
        super().add(Route(host__regex=LOOPBACK).pass_through(), name="loopback")

    def add(self, route: Route, *, name: str | None = None) -> Route:
        """Add a test's route ahead of the kit's own (respx tries routes in order)."""
        added = super().add(route, name=name)
        ordered = RouteList()
        for existing in [r for r in self.routes if r.name not in _KIT_ROUTES] + [self.routes[n] for n in _KIT_ROUTES]:
            ordered.add(existing, name=existing.name)
        self.routes[:] = ordered
        return added

    def _truto_state(self) -> MockState:
        if self._state is None:
            raise RuntimeError("this TrutoRouter was made without the mock's state: TrutoRouter(responder, state=...)")
        return self._state

    def reset(self) -> None:
        """respx's call records, and the kit's request log and scripts, emptied."""
        super().reset()
        if self._state is not None:
            self._state.scripts.clear()
            if self._state.log is not None:
                self._state.log.clear()

    def resolve(self, request: httpx.Request) -> ResolvedRoute:
        try:
            return super().resolve(request)
        except NotMockedError:
            raise
        except AllMockedAssertionError:
            raise NotMockedError(not_mocked_message(request)) from None

    async def aresolve(self, request: httpx.Request) -> ResolvedRoute:
        try:
            return await super().aresolve(request)
        except NotMockedError:
            raise
        except AllMockedAssertionError:
            raise NotMockedError(not_mocked_message(request)) from None


class _CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that ends early, as a connection closed mid-body does: the part, then httpx's error."""

    def __init__(self, part: bytes, expected: int) -> None:
        self._part, self._expected = part, expected

    def _error(self) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {len(self._part)} bytes, expected {self._expected} (scripted: fail='cut')"
        )

    def __iter__(self) -> Iterator[bytes]:
        yield self._part
        raise self._error()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._part
        raise self._error()


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout")
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if isinstance(value, int | float) else None


def to_httpx(request: httpx.Request, answer: MockResponse, sleep: Callable[[float], None]) -> httpx.Response:
    """The httpx response for a core answer, or the httpx exception the network would raise: a
    latency beyond the client's read timeout is `httpx.ReadTimeout` at once (no sleeping past the
    timeout), a scripted dropped connection `RemoteProtocolError`, a connect timeout `ConnectTimeout`."""
    if answer.interrupt is Interruption.CONNECT_TIMEOUT:
        raise httpx.ConnectTimeout("timed out (scripted: fail='connect-timeout')", request=request)
    if answer.delay:
        read = _read_timeout(request)
        if read is not None and answer.delay > read:
            raise httpx.ReadTimeout(
                f"timed out (the mock answers after {answer.delay:g} s; the client's read timeout is {read:g} s)",
                request=request,
            )
        sleep(answer.delay)
    if answer.interrupt is Interruption.DROP:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response. (scripted: fail='drop')", request=request
        )
    content = answer.content()
    if answer.interrupt is Interruption.CUT:
        headers = {**answer.headers, "Content-Length": str(len(content))}
        return httpx.Response(
            answer.status, headers=headers, stream=_CutStream(content[: len(content) // 2], len(content))
        )
    return httpx.Response(answer.status, headers=answer.headers, content=content)


def core_responder(app: Flask) -> Callable[[httpx.Request], httpx.Response]:
    """Answer an httpx request from the mock's core, the function behind the Flask routes too: no
    WSGI environ, no Flask request machinery (which costs more than the mock's own work). CORS
    headers are the browser's business and are left to the Flask side."""
    state = mock_state(app)

    def respond(request: httpx.Request) -> httpx.Response:
        url = request.url
        path = unquote_to_bytes(url.raw_path.partition(b"?")[0]).decode("utf-8", "replace")
        answer = core_answer(state, request.method, path, url.query.decode("utf-8", "replace"), request.headers)
        return to_httpx(request, answer, state.faults.sleep)

    return respond
