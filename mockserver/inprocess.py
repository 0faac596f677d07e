"""httpx requests answered in-process by the mock: the respx router behind the `truto_respx` fixture.

Requests to https://api.truto.one are answered by the mock's app without a socket; loopback passes
through to the network, so the live mock (`truto_mock`, `truto_client`) works in the same test; any
other host fails, naming the host and showing how to route it. Routes a test adds take precedence
over the kit's two, so a test can still answer one Truto URL its own way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import respx
from flask import Flask

from contracts.truto import TRUTO_API_HOST, TRUTO_BASE_URL
from mockserver.controls import MockControls
from mockserver.core import MockResponse, client_timed_out
from mockserver.core import answer as core_answer
from mockserver.live import mock_state
from mockserver.scripts import Interruption
from mockserver.state import MockState

LOOPBACK = r"^(localhost|127(\.\d{1,3}){3}|::1)$"
_KIT_ROUTES = ("truto", "loopback", "other-hosts")
"""The kit's routes, in the order tried after the test's own (respx tries routes in order)."""


class NotMockedError(AssertionError):
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


def _refuse(request: httpx.Request) -> httpx.Response:
    raise NotMockedError(not_mocked_message(request))


class TrutoRouter(MockControls, respx.MockRouter):
    """A respx router that answers Truto from the mock, lets loopback through and names any other host.

    Public respx API only (`MockRouter`, `Route`, `add`, `pop`): the kit's routes are ordinary routes
    kept last, the last one a catch-all raising `NotMockedError`.

    Also the mock's scripts, clock and request log (`MockControls`), shared with `truto_mock`.
    respx's own `calls` and `reset()` keep their meaning; `reset()` also empties the kit's request
    log and scripts (the data resets with `truto_mock.reset()` / `.fresh()`).

    Args:
        responder: answers a request to Truto's host (the plugin passes the mock's in-process core).
        state: the mock's state, for the scripts, clock and request log; None: a router without them
            (their methods then raise RuntimeError).
    """

    def __init__(self, responder: Callable[[httpx.Request], httpx.Response], *, state: MockState | None = None) -> None:
        self._state = state  # before respx's set-up, which may reset
        super().__init__(assert_all_called=False)
        super().add(respx.Route(scheme="https", host=TRUTO_API_HOST).mock(side_effect=responder), name="truto")
        super().add(respx.Route(host__regex=LOOPBACK).pass_through(), name="loopback")
        super().add(respx.Route().mock(side_effect=_refuse), name="other-hosts")

    def add(self, route: respx.Route, *, name: str | None = None) -> respx.Route:
        """Add a test's route ahead of the kit's own, so a test can answer one Truto URL its own way (respx's
        `truto_respx.get(...)`, `.route(...)` come here).

        Args:
            route: the respx route.
            name: respx's route name, to find it again (`truto_respx["name"]`).

        Returns:
            The route added.
        """
        added = super().add(route, name=name)
        for kit_route in _KIT_ROUTES:
            super().add(self.pop(kit_route), name=kit_route)
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
        path = url.raw_path.partition(b"?")[0].decode("ascii", "replace")  # as sent: the core decodes it
        answer = core_answer(state, request.method, path, url.query.decode("utf-8", "replace"), request.headers)
        try:
            return to_httpx(request, answer, state.faults.sleep)
        except httpx.ReadTimeout:  # the request log says what the client saw: no answer
            client_timed_out(state, answer, _read_timeout(request) or 0.0)
            raise

    return respond
