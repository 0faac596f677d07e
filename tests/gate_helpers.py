"""Shared by the gate's tests: a fake clock, a body-rewriting middleware, the CLI runner, data folders."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from contracts.cli.gate import gate_command
from contracts.cli.parser import build_parser
from contracts.live.clock import Clock
from mockserver.live import mock_state
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT

ROOT = Path(__file__).parents[1]
TOKEN = "tok-SECRET-4242"
ACCOUNT_ARGS = ["--account", f"ceipal={CEIPAL_ACCOUNT}", "--account", f"pinpoint={PINPOINT_ACCOUNT}"]
SECOND_CEIPAL = "5b0c8e2a-7d41-4f3e-9a6b-2c8d1e0f4a13"
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FakeClock:
    """Time that moves only when someone sleeps: shared by the gate and the mock's rate limiter."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.t = start
        self.slept = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.t += max(seconds, 0.0)
            self.slept += max(seconds, 0.0)


def on_fake_time(app: Flask, clock: FakeClock) -> Flask:
    """The mock's rate limiter and latency read `clock` instead of real time."""
    mock_state(app).faults.use_clock(clock.now, clock.sleep)
    return app


class Rewriter:
    """WSGI middleware that rewrites the mock's JSON bodies: a deliberately broken server."""

    def __init__(self, app: Flask, rewrite: Callable[[dict[str, Any], Any], Any]) -> None:
        self.app, self.rewrite = app, rewrite

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured.update(status=status, headers=headers)

        body = b"".join(self.app(environ, capture))
        with contextlib.suppress(ValueError):
            body = json.dumps(self.rewrite(environ, json.loads(body))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length", "transfer-encoding")]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def answer(status: str, body: bytes, headers: list[tuple[str, str]] | None = None) -> WSGI:
    def respond(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "application/json"), *(headers or [])])
        return [body]

    return respond


def gate(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    *,
    clock: Clock | None = None,
    token: str | None = TOKEN,
) -> tuple[int, str, str]:
    """Run `python -m contracts gate ARGV`; (exit code, stdout, stderr)."""
    args = build_parser().parse_args(["gate", *argv])
    environ = {"TRUTO_API_TOKEN": token} if token is not None else {}
    kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}
    code = gate_command(args, environ, **kwargs)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def data_folder(tmp_path: Path, accounts: list[dict[str, str]]) -> Path:
    """A mock data folder: the built-in raw records under the accounts given."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name in ("ceipal_interviews.json", "pinpoint_interviews.json"):
        shutil.copy(ROOT / "fixtures" / name, folder / name)
    (folder / "accounts.json").write_text(json.dumps(accounts))
    return folder


THREE_ACCOUNTS = [
    {"id": CEIPAL_ACCOUNT, "provider": "ceipal", "label": "ceipal-eu"},
    {"id": SECOND_CEIPAL, "provider": "ceipal"},
    {"id": PINPOINT_ACCOUNT, "provider": "pinpoint", "records": "pinpoint_interviews.json"},
]
