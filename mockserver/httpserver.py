"""The one place that knows the HTTP server library: uvicorn, through its public API only.

`HttpServer(app, sock)` serves an ASGI app on a socket we bound ourselves, with uvicorn's event loop in
a thread of its own (so uvicorn installs no signal handlers: the main thread keeps them); `stop()` asks
it to end and waits a bounded time. Its h11 protocol is wrapped by `mockserver.connguard` (through the
public `Config(http=<protocol class>)`), which adds what uvicorn does not bound: the time to send a
request head, and the number of open connections. `check_version()` says which uvicorn is needed when
another one is installed, before anything is served.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from mockserver.connguard import ConnectionLimits, guarded, tracked

REQUIRED = (0, 30)
"""Oldest uvicorn with what we use: `Config` (with `http=` a protocol class wrapping
`uvicorn.protocols.http.h11_impl.H11Protocol`), `Server.serve(sockets=)`, `should_exit`, `started`,
`timeout_graceful_shutdown`; versions from 1.0 on may change it (pyproject pins `>=0.30,<1`)."""
BELOW = (1, 0)
GRACE_SECONDS = 1
"""uvicorn's own limit for requests still running after a stop (`timeout_graceful_shutdown`); the app
cuts its waits a little earlier, so this is only a backstop."""
STOP_BOUND_SECONDS = 1.8
"""How long `stop()` waits for the server thread before giving up on it."""
HEAD_LIMIT = 1024 * 1024
"""Bytes of request line and headers held before the request is refused (h11's
`max_incomplete_event_size`): past it uvicorn answers a plain-text 400 itself."""

log = logging.getLogger("mockserver")


class ServerVersionError(RuntimeError):
    """The installed uvicorn is not one this mock was built for."""


def check_version() -> str:
    """The installed uvicorn version; ServerVersionError naming the range needed otherwise."""
    try:
        found = metadata.version("uvicorn")
    except metadata.PackageNotFoundError:
        raise ServerVersionError("uvicorn is not installed; run `make install` (needs uvicorn>=0.30,<1)") from None
    parts = tuple(int(p) if p.isdigit() else 0 for p in found.split(".")[:2])
    if not REQUIRED <= parts < BELOW:
        raise ServerVersionError(f"uvicorn {found} is installed, this mock needs uvicorn>=0.30,<1; run `make install`")
    return found


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it where it builds
        return None
    return uvloop.new_event_loop


class HttpServer:
    """uvicorn serving `app` on `sock` from a daemon thread, until `stop()`."""

    def __init__(
        self,
        app: Any,
        sock: socket.socket,
        on_loop: Callable[[asyncio.AbstractEventLoop], None],
        limits: ConnectionLimits | None = None,
    ) -> None:
        import uvicorn
        from uvicorn.protocols.http.h11_impl import H11Protocol  # what http="h11" names

        self._sock = sock
        self._on_loop = on_loop
        self._config = uvicorn.Config(
            tracked(app),
            http=guarded(H11Protocol, limits or ConnectionLimits()),  # h11: a head's size is bounded (HEAD_LIMIT)
            loop="none",  # the loop is ours (_loop_factory), made in our thread
            lifespan="off",
            ws="none",
            interface="asgi3",
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=GRACE_SECONDS,
            h11_max_incomplete_event_size=HEAD_LIMIT,
        )
        self._server = uvicorn.Server(self._config)
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="truto-mock-http", daemon=True)

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self._serve())
        except BaseException as exc:  # reported by the main thread, which owns the terminal
            self.failure = exc

    async def _serve(self) -> None:
        self._on_loop(asyncio.get_running_loop())
        await self._server.serve(sockets=[self._sock])

    def start(self) -> None:
        self._thread.start()

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_started(self, timeout: float, stop: threading.Event) -> bool:
        """True once serving; False when `stop` is set, the thread ended or `timeout` passed."""
        deadline = time.monotonic() + timeout
        while not self.started and self.alive and not stop.is_set() and time.monotonic() < deadline:
            stop.wait(0.01)
        return self.started and self.alive

    def stop(self) -> bool:
        """Stop accepting, let requests in flight finish (bounded), close; False if the thread is
        still running after STOP_BOUND_SECONDS."""
        self._server.should_exit = True
        self._thread.join(STOP_BOUND_SECONDS)
        self._sock.close()
        return not self._thread.is_alive()
