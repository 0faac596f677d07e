"""Serve the mock in one process: check, bind, build, serve until a stop signal, stop within 2 s.

The main thread owns the stop signals (`mockserver.stopsignals`, installed before anything heavy is
imported) and the terminal; uvicorn (`mockserver.httpserver`, the only module that knows it) runs the
event loop in another thread. Everything that can fail is checked before the banner: the server
library's version, the address, the data.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from dataclasses import replace
from typing import TextIO

from contracts.datafolder import MB, DataFolderError, data_size
from contracts.providers import MappingError
from mockserver import stopsignals
from mockserver.asgi import DEFAULT_READ_TIMEOUT, Limits, MockASGI
from mockserver.banner import banner
from mockserver.config import MockConfig, TokenSource
from mockserver.connguard import ConnectionLimits, fit_to_file_limit
from mockserver.httpserver import HttpServer, ServerVersionError, check_version

PROG = "truto-mock"
LARGE_RECORDS = 1000
"""From this many generated records per account, say so before the (possibly long) build."""
LOADING_MB = 5
"""From this many MB of data folder files, say `loading N MB…` before the (possibly long) read."""
START_SECONDS = 30.0
"""How long the server may take to start listening once the data is built."""
BACKLOG = 2048


class BindError(OSError):
    """The address cannot be listened on; the message says why and what to change."""


def _hint(flag: str, value: str) -> str:
    """How to change a setting where the user typed it: `PORT=` under make, `--port` otherwise."""
    if os.environ.get("MAKELEVEL"):
        return f"{flag.upper()}={value}"
    return f"--{flag} {value}"


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or BindError saying why not. SO_REUSEADDR is set, so the
    connections of a mock just stopped (TIME_WAIT) do not block a restart; a live listener does."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        hint = _hint("host", "127.0.0.1")
        raise BindError(f"cannot listen on {host}: not a usable address ({reason}); try {hint}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        where = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            why = f"port {port} is in use (another mock running?); try {_hint('port', str(port + 1))}"
        elif exc.errno == errno.EACCES:
            why = f"permission denied (ports below 1024 need privileges); try {_hint('port', '8000')}"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = f"{host} is not an address of this machine; try {_hint('host', '127.0.0.1')}"
        else:
            why = exc.strerror or str(exc)
        raise BindError(f"cannot listen on {where}: {why}") from None
    sock.setblocking(False)
    return sock


def _build(config: MockConfig, limits: Limits) -> MockASGI | list[str]:
    """The app to serve, or every problem of the data folder as lines to print."""
    from mockserver.app import create_app

    size = data_size(config.data_dir) if config.data_dir is not None else 0
    if size >= LOADING_MB * MB:
        _say(f"loading {size / MB:.0f} MB…")
    if config.generated_records >= LARGE_RECORDS:
        _say(f"generating {config.generated_records} records per account…")
    try:
        return MockASGI(create_app(config), limits)
    except DataFolderError as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served:", *(f"  {line}" for line in exc.lines())]
    except (MappingError, ValueError) as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served: {exc}"]


def _say(line: str, err: bool = False) -> None:
    """Print a line; the terminal may be gone (closed window: SIGHUP) or the pipe closed."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(line, file=stream, flush=True)
    except OSError:
        _gone(stream)


def _gone(stream: TextIO) -> None:
    """The reader of `stream` left (`truto-mock | head -1`): what follows goes nowhere, and nothing
    complains at exit either; the mock serves on."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def run(
    config: MockConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    connections: ConnectionLimits | None = None,
    token_from: TokenSource | None = None,
    watch: bool = True,
) -> int:
    """Check everything, serve until stopped (a data folder watched if `watch`); the exit code. Raises
    `stopsignals.Interrupted`
    when a stop signal comes before the banner (the caller prints its one line and exits 130)."""
    try:
        check_version()
        sock = listen(host, port)
    except (BindError, ServerVersionError) as exc:
        _say(f"{PROG}: {exc}", err=True)
        return 2
    try:
        limits = Limits(read_timeout=read_timeout)
        built = _build(config, limits)
        if isinstance(built, list):
            _say("\n".join(built), err=True)
            return 2
        app = built
        connections = connections or ConnectionLimits()
        room = fit_to_file_limit(connections.max_connections)
        if room < connections.max_connections:
            _say(
                f"{PROG}: --max-connections {connections.max_connections} lowered to {room}: the open-file "
                f"limit (ulimit -n) leaves no room for more"
            )
            connections = replace(connections, max_connections=room)
        server = HttpServer(app, sock, app.bind_loop, connections)
        app.state.start(watch=watch)
        try:
            return _serve(server, app, config, host, port, limits, connections, token_from)
        finally:
            app.state.close()
    finally:
        sock.close()


def _serve(
    server: HttpServer,
    app: MockASGI,
    config: MockConfig,
    host: str,
    port: int,
    limits: Limits,
    connections: ConnectionLimits,
    token_from: TokenSource | None,
) -> int:
    stop = stopsignals.stop_requested()
    stopsignals.serving()  # from here a signal only sets `stop`: this function ends the server
    server.start()
    try:
        if not server.wait_started(START_SECONDS, stop):
            if stop.is_set():
                raise stopsignals.Interrupted(0)
            _say(f"{PROG}: the HTTP server did not start: {server.failure or 'no answer in time'}", err=True)
            return 1
        try:
            banner(
                config,
                host,
                port,
                token_from=token_from,
                read_timeout=limits.read_timeout,
                connections=connections,
                accounts=app.state.store.accounts(),
                watching=app.state.watching,
            )
        except OSError:
            _gone(sys.stdout)
        while not stop.wait(0.5) and server.alive:
            pass
    finally:
        app.stop_soon()
        server.stop()
    if not stop.is_set():
        _say(f"{PROG}: the HTTP server ended unexpectedly: {server.failure or 'no reason given'}", err=True)
        return 1
    _say(f"Truto interviews mock stopped ({stopsignals.first_signal()}).")
    return 0
