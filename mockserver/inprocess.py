"""httpx requests answered in-process by the mock: the respx router behind the `truto_respx` fixture.

Requests to https://api.truto.one are answered by the mock's app without a socket; loopback passes
through to the network, so the live mock (`truto_mock`, `truto_client`) works in the same test; any
other host fails, naming the host and showing how to route it. Routes a test adds take precedence
over the kit's two, so a test can still answer one Truto URL its own way.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import respx
from flask import Flask
from respx.models import AllMockedAssertionError, ResolvedRoute, Route, RouteList

from mockserver.core import answer as core_answer
from mockserver.live import mock_state

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


class TrutoRouter(respx.MockRouter):
    """A respx router that answers Truto from the mock, lets loopback through and names any other host."""

    def __init__(self, responder: Callable[[httpx.Request], httpx.Response]) -> None:
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


def core_responder(app: Flask) -> Callable[[httpx.Request], httpx.Response]:
    """Answer an httpx request from the mock's core, the function behind the Flask routes too: no
    WSGI environ, no Flask request machinery (which costs more than the mock's own work). CORS
    headers are the browser's business and are left to the Flask side."""
    state = mock_state(app)

    def respond(request: httpx.Request) -> httpx.Response:
        url = request.url
        path = url.raw_path.partition(b"?")[0].decode("ascii", "replace")  # as sent: the core decodes it
        answer = core_answer(state, request.method, path, url.query.decode("utf-8", "replace"), request.headers)
        if answer.delay:
            state.faults.sleep(answer.delay)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.content())

    return respond
