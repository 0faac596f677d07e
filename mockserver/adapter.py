"""Flask's side of the mock: turning core answers into Flask responses, and reaching the state.

Shared by the app factory and the admin blueprint, so neither imports the other's internals.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from flask import Response, current_app, request

from mockserver.bridge import DELAY_KEY
from mockserver.core import MockResponse, client_timed_out, error_answer, json_answer
from mockserver.scripts import Interruption
from mockserver.state import MockState

STATE_KEY = "truto_mock"


_PATH_SAFE = "/:@!$&'()*+,;=-._~"
"""What a path may hold unencoded (RFC 3986 pchar and `/`): everything else is percent-encoded."""


def raw_path() -> str:
    """The current request's path as the client sent it (percent-encoded), so an interview id holding
    `%2F` stays one id. WSGI passes only the decoded path (PATH_INFO); servers that keep the raw one say
    so in RAW_URI or REQUEST_URI (werkzeug, gunicorn). Without them the decoded path is encoded again,
    and an id with `/` in it cannot be told from two path segments."""
    environ = request.environ
    decoded = request.path
    for key in ("RAW_URI", "REQUEST_URI"):
        uri = environ.get(key)
        if not isinstance(uri, str) or not uri:
            continue
        path = uri.split("?", 1)[0]
        if not path.startswith("/"):  # absolute form: http://host/path
            path = urlsplit(path).path
        path = path.encode("latin-1", "replace").decode("utf-8", "replace")  # WSGI strings carry bytes as latin-1
        script = quote(environ.get("SCRIPT_NAME", ""), safe=_PATH_SAFE)
        path = path.removeprefix(script) if script and path.startswith(script) else path
        if unquote(path) == decoded:
            return path
    return quote(decoded, safe=_PATH_SAFE)


def current_state() -> MockState:
    """The state of the app answering the current request."""
    mock: MockState = current_app.extensions[STATE_KEY]
    return mock


def answer_later(seconds: float) -> None:
    """Delay the current answer by `seconds`: served by `python -m mockserver`, the event loop waits
    (no thread is held: `mockserver.bridge`); under another WSGI server, this thread sleeps."""
    if seconds <= 0:
        return
    delay = request.environ.get(DELAY_KEY)
    if callable(delay):
        delay(seconds)
    else:
        current_state().faults.sleep(seconds)


def _client_left(sock: socket.socket, seconds: float) -> float | None:
    """Wait `seconds`, watching the connection: the seconds waited when the client closed it first
    (its read timeout passed), None when the wait ran out with the client still there."""
    started = time.monotonic()
    deadline = started + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            try:
                closed = sock.recv(1, socket.MSG_PEEK) == b""
            except (BlockingIOError, InterruptedError):
                continue
            except (OSError, ValueError):  # reset by the peer (or a socket that cannot peek)
                closed = True
            if closed:
                return time.monotonic() - started
            time.sleep(max(deadline - time.monotonic(), 0.0))  # bytes of a next request: not a departure
    return None


def wait_out(mock: MockState, answer: MockResponse) -> MockResponse:
    """Wait out the answer's latency in this thread. On werkzeug's server (the plugin's live mock),
    the connection is watched meanwhile: a client that gives up (its read timeout) is logged as
    answered by nothing (`client_timed_out`) and its connection closed, as the in-process router
    logs it. Elsewhere (uvicorn's bridge, a test's own `sleep`), `answer_later`."""
    sock = request.environ.get("werkzeug.socket")
    watch = DELAY_KEY not in request.environ and mock.faults.sleep is time.sleep
    if not answer.delay or not watch or not isinstance(sock, socket.socket):
        answer_later(answer.delay)
        return answer
    log = mock.log
    with log.held(answer.logged) if log is not None else contextlib.nullcontext():
        waited = _client_left(sock, answer.delay)
        if waited is not None:
            client_timed_out(mock, answer, waited)
    return answer if waited is None else replace(answer, interrupt=Interruption.DROP)


def _broken(part: bytes) -> Iterator[bytes]:
    """A body that sends `part`, then breaks the connection: a WSGI server that sees a
    ConnectionError from the body stops writing and closes (werkzeug's, which the plugin's live mock
    runs, closes every connection after its answer anyway)."""
    if part:
        yield part
    raise ConnectionError("scripted interruption: the mock breaks this connection on purpose")


def to_flask(answer: MockResponse) -> Response:
    """A Flask response carrying a core answer (a stream's chunks go out chunked). A scripted
    interruption breaks the connection: before any byte (`drop`, and `connect-timeout`, which a
    server that has accepted the connection can only drop), or after half the body (`cut`, with the
    whole body's Content-Length announced)."""
    if answer.interrupt is None:
        response = Response(answer.body, status=answer.status)
    elif answer.interrupt is Interruption.CUT:
        content = answer.content()
        response = Response(_broken(content[: len(content) // 2]), status=answer.status)
        response.headers["Content-Length"] = str(len(content))
    else:
        response = Response(_broken(b""), status=answer.status)
    response.headers.update(answer.headers)
    return response


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] = {}) -> Response:
    return to_flask(json_answer(body, status, headers=headers))


def error_response(status: int, message: str, headers: Mapping[str, str] = {}, **extra: Any) -> Response:
    return to_flask(error_answer(status, message, headers, **extra))
