"""ASGI to WSGI for the mock's Flask routes: a request whose body is already read, run in a thread.

`ThreadPool` runs blocking calls on a fixed number of daemon threads and hands the result to the event
loop as a future: daemon threads never hold up the process's exit after a stop. `call_wsgi` builds the
WSGI environ (PEP 3333) from an ASGI scope and collects the answer. A route that must answer late (the
try page's `Prefer: delay`) calls the environ's DELAY_KEY function instead of sleeping: the answer
carries the delay, which the event loop awaits, so no thread is held while it passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import sys
import threading
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

T = TypeVar("T")
Headers = list[tuple[bytes, bytes]]
DELAY_KEY = "truto_mock.delay_answer"
"""WSGI environ key of a function taking seconds: the answer is sent that much later, without holding
the thread. Absent under other WSGI servers, where the app sleeps instead."""


@dataclass(frozen=True)
class WsgiAnswer:
    status: int
    headers: Headers
    body: bytes
    delay: float = 0.0
    """Seconds to wait before sending, asked for through DELAY_KEY."""


class ThreadPool:
    """`threads` daemon threads taking jobs in order; `submit` returns an asyncio future."""

    def __init__(self, threads: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.Future[Any]]] = queue.SimpleQueue()
        for n in range(threads):
            threading.Thread(target=self._work, name=f"truto-mock-flask-{n}", daemon=True).start()

    def submit(self, loop: asyncio.AbstractEventLoop, job: Callable[[], T]) -> asyncio.Future[T]:
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((job, future))
        return future

    def _work(self) -> None:
        while True:
            job, future = self._jobs.get()
            if future.cancelled():
                continue
            try:
                result, failure = job(), None
            except BaseException as exc:  # handed to the waiting request, never lost
                result, failure = None, exc
            loop = future.get_loop()
            if not loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the server has stopped
                    loop.call_soon_threadsafe(_settle, future, result, failure)


def _settle(future: asyncio.Future[Any], result: Any, failure: BaseException | None) -> None:
    if future.done():
        return
    if failure is not None:
        future.set_exception(failure)
    else:
        future.set_result(result)


def environ_for(scope: MutableMapping[str, Any], body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope whose whole body is `body`."""
    server = scope.get("server") or ("127.0.0.1", 0)
    client = scope.get("client") or ("127.0.0.1", 0)
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "RAW_URI": raw_path.decode("latin-1"),  # the path as sent, for `mockserver.adapter.raw_path`
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").upper().replace("-", "_"), raw_value.decode("latin-1")
        if name in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # the body is read already: its length is what CONTENT_LENGTH says
        key = name if name == "CONTENT_TYPE" else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def call_wsgi(
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
    scope: MutableMapping[str, Any],
    body: bytes,
) -> WsgiAnswer:
    """Run a WSGI app on one request: its status, headers, whole body and any delay it asked for."""
    started: list[Any] = []
    delays: list[float] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        started[:] = [status, headers]
        return _no_write

    environ = environ_for(scope, body)
    environ[DELAY_KEY] = delays.append
    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    encoded = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    return WsgiAnswer(int(status.split(" ", 1)[0]), encoded, content, sum(delays))


def _no_write(data: bytes) -> None:
    raise NotImplementedError("the mock's Flask routes return their bodies; write() is not supported")
