"""An HTTP transport whose every connect, read and write has a hard end: the request's deadline.

httpx's timeouts bound each socket operation, not a request: a server sending one byte a second
never trips a 5 s read timeout. This transport runs httpcore's connection pool over a network
backend that clamps every operation to the time left before the deadline of the request the
calling thread is sending (set with `limited`), and reads in slices of at most `SLICE` seconds so a
stop signal is seen at once. Only public httpcore and httpx interfaces are used.

A proxy from the environment (`HTTPS_PROXY`...) is honoured by httpx's own transport instead (see
`deadline_transport`); the client still checks the deadline between the chunks of a body.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from contracts.live.clock import SLICE

_local = threading.local()

_MAPPED: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
"""httpcore's exceptions as httpx's (most specific first), so callers see one exception tree."""


@dataclass(frozen=True)
class Limit:
    """Until when (time.monotonic) the calling thread's request may use the network, and the event
    that stops it sooner."""

    until: float
    stop: threading.Event | None = None


@contextmanager
def limited(limit: Limit) -> Iterator[None]:
    """Every network operation of this thread inside the block ends by `limit`."""
    before = getattr(_local, "limit", None)
    _local.limit = limit
    try:
        yield
    finally:
        _local.limit = before


def _left() -> float:
    """Seconds the current request may still use; raises httpcore.ReadTimeout when none is left."""
    limit: Limit | None = getattr(_local, "limit", None)
    if limit is None:
        return 60.0
    if limit.stop is not None and limit.stop.is_set():
        raise httpcore.ReadError("stopped")
    left = limit.until - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed")
    return left


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            left = _left()  # raises once the deadline passed or the run stopped
            try:
                return self._inner.read(max_bytes, min(left, SLICE))
            except httpcore.ReadTimeout:
                continue  # a slice passed without data: the deadline or a stop ends the loop

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left())

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> _Stream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left()))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left()
        return _Stream(self._inner.connect_tcp(host, port, min(left, timeout or left), local_address, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = _as_httpx(exc)
        if mapped is exc:
            raise
        raise mapped from exc


def _as_httpx(exc: Exception) -> Exception:
    for source, target in _MAPPED:
        if isinstance(exc, source):
            return target(str(exc))
    return exc


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _mapped():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """httpx transport over httpcore's pool with the deadline-clamping backend (see the module doc)."""

    def __init__(self, *, verify: bool, limits: httpx.Limits) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(answer.status, headers=answer.headers, stream=_Body(answer.stream),
                              extensions=answer.extensions)  # fmt: skip

    def close(self) -> None:
        self._pool.close()


def deadline_transport(base_url: str, limits: httpx.Limits) -> DeadlineTransport | None:
    """The deadline transport for `base_url`, or None when the environment names a proxy for it
    (httpx's transport then honours it)."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    host = parts.hostname or ""
    if (proxies.get(parts.scheme) or proxies.get("all")) and not urllib.request.proxy_bypass(host):
        return None
    return DeadlineTransport(verify=parts.scheme == "https", limits=limits)
