"""A misbehaving HTTP server for the gate's and the recorder's tests: the mock's answers with one
trouble at a time (a drip, a 2 GiB body, a gzip bomb, absurd rate-limit headers, an outage,
Retry-After 3600, a garbled 200, a redirect, the token echoed in records, pages that never end),
and a runner for `python -m contracts` as a real process (exit code, output, peak memory, signals).

Bodies are streamed, never allocated: the 2 GiB body is 64 KiB chunks, the gzip bomb repeats one
independently deflated block (a full flush) of 1 MiB of zeros.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN = "sk-live-SECRET123"
MiB = 1024 * 1024
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
JSON = [("Content-Type", "application/json")]


def _zero_block() -> bytes:
    """1 MiB of zeros deflated and fully flushed: a block that can be repeated (no back references)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(b"\0" * MiB) + deflate.flush(zlib.Z_FULL_FLUSH)


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


class Hostile:
    """WSGI middleware over the mock: the first `after` requests are answered normally, then `mode`."""

    def __init__(self, app: WSGI, mode: str, *, after: int = 0, seconds: float = 0.0, match: str = "",
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        self.app, self.mode, self.after, self.seconds, self.match = app, mode, after, seconds, match
        self.headers = headers or {}
        self.requests = 0
        self.troubled = 0  # requests answered with the trouble
        self.began: float | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.requests += 1
            normal = self.requests <= self.after or (self.match and self.match not in environ.get("QUERY_STRING", ""))
            if not normal:
                self.troubled += 1
                self.began = self.began if self.began is not None else time.monotonic()
        if self.mode == "none" or (normal and self.mode not in ("headers", "echo", "endless")):
            return self.app(environ, start_response)
        return getattr(self, f"_{self.mode.replace('-', '_')}")(environ, start_response)

    def _drip(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [*JSON, ("Content-Length", "100000")])

        def drip() -> Iterator[bytes]:
            for _ in range(600):  # one byte every 0.2 s, for two minutes at most
                yield b" "
                time.sleep(0.2)

        return drip()

    def _huge(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", JSON)  # no length: read until the connection closes
        chunk = b" " * (64 * 1024)
        return (b'{"result": [' if n == 0 else chunk for n in range(2 * 1024 * 16 + 1))  # 2 GiB

    def _bomb(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        block = _zero_block()
        start_response("200 OK", [*JSON, ("Content-Encoding", "gzip")])
        return (GZIP_HEADER if n == 0 else block for n in range(4096 + 1))  # ~4 MB inflating to 4 GiB

    def _headers(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def add(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, *self.headers.items()])

        return self.app(environ, add)

    def _throttle(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("429 Too Many Requests", [*JSON, *self.headers.items()])
        return [b'{"statusCode": 429, "error": "Too Many Requests", "message": "slow down"}']

    def _outage(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        assert self.began is not None
        if time.monotonic() - self.began > self.seconds:
            return self.app(environ, start_response)
        start_response("503 Service Unavailable", JSON)
        return [b'{"statusCode": 503, "error": "Service Unavailable", "message": "down"}']

    def _garbled(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", JSON)
        return [b'{"result": [{"id": "1", "title": "cut sh']

    def _redirect(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        location = self.headers.get("Location", "http://127.0.0.1:9/elsewhere/unified")
        start_response("302 Found", [*JSON, ("Location", location)])
        return [b"{}"]

    def _echo(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The token planted in every record: as a value, in a list, as a key, deep inside."""
        return _rewritten(self.app, environ, start_response, _plant)

    def _endless(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """List pages that never end: the first page again and again, each with a new cursor."""
        time.sleep(self.seconds)
        environ = {**environ, "QUERY_STRING": _without_cursor(environ.get("QUERY_STRING", ""))}
        n = self.requests

        def more(body: Any) -> Any:
            if isinstance(body, dict) and "result" in body:
                body["next_cursor"] = f"page-{n}"
            return body

        return _rewritten(self.app, environ, start_response, more)


def _without_cursor(query: str) -> str:
    return "&".join(p for p in query.split("&") if not p.startswith("next_cursor="))


def _plant(body: Any) -> Any:
    for record in body.get("result", []) if isinstance(body, dict) else []:
        raw = record.get("remote_data")
        if isinstance(raw, dict):
            raw["external_ref"] = TOKEN
            raw["meta"] = {"tokens": [f"Bearer {TOKEN}", {"deep": TOKEN}]}
            raw[TOKEN] = "a key"
    return body


def _rewritten(app: WSGI, environ: dict[str, Any], start_response: Callable[..., Any],
               rewrite: Callable[[Any], Any]) -> Iterable[bytes]:  # fmt: skip
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured.update(status=status, headers=headers)

    body = b"".join(app(environ, capture))
    with contextlib.suppress(ValueError):
        body = json.dumps(rewrite(json.loads(body))).encode()
    headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length", "transfer-encoding")]
    start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
    return [body]


@dataclass
class Ran:
    """A finished `python -m contracts` process."""

    code: int
    out: str
    err: str
    seconds: float  # from start to exit
    peak_mb: float | None = None  # its peak resident memory, when measured
    signalled_for: float | None = None  # seconds from the signal to its exit


_MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""
"""Run the command as the only child of a fresh process, so RUSAGE_CHILDREN is its peak alone."""


def environment(token: str = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, "TRUTO_API_TOKEN": token, "PYTHONUNBUFFERED": "1"}


def run_cli(args: list[str], tmp: Path, *, measure: bool = False,
            stop: tuple[str | Callable[[], bool], int] | None = None, timeout: float = 60.0) -> Ran:  # fmt: skip
    """Run `python -m contracts ARGS`; `measure`: its peak RSS; `stop`: (text, signal): the signal is
    sent once its stderr shows `text` (the run is under way, whatever the machine's load), or once
    `text`, a function (e.g. of the server's state), says so."""
    command = [sys.executable, "-m", "contracts", *args]
    if measure:
        command = [sys.executable, "-c", _MEASURED, *command]
    out_path, err_path = tmp / "stdout.txt", tmp / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environment(), cwd=tmp)
        signalled: float | None = None
        try:
            if stop is not None:
                give_up = time.monotonic() + timeout
                while process.poll() is None and time.monotonic() < give_up:
                    if stop[0]() if callable(stop[0]) else stop[0] in err_path.read_text():
                        process.send_signal(stop[1])
                        signalled = time.monotonic()
                        break
                    time.sleep(0.05)
            code = process.wait(timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        ended = time.monotonic()
    err_text = err_path.read_text()
    peak = None
    if measure:
        *rest, last = err_text.rstrip("\n").split("\n")
        peak, err_text = int(last) / 1024, "\n".join(rest) + "\n"
    return Ran(code, out_path.read_text(), err_text, ended - started, peak,
               ended - signalled if signalled is not None else None)  # fmt: skip


SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM
