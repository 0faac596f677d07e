"""Serve the mock with granian (one worker process, so the store and journal are shared state).

The settings travel to the worker as JSON in an environment variable, because granian imports the
app by name in its own process.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from flask import Flask

from mockserver.config import DEV_TOKEN, MockConfig
from mockserver.dataset import load_accounts

CONFIG_ENV = "TRUTO_MOCK_CONFIG"
THREADS = 4


def app_from_env() -> Flask:
    """Granian's factory target: build the app from the settings the parent process left."""
    from mockserver.app import create_app

    return create_app(MockConfig.from_mapping(json.loads(os.environ.get(CONFIG_ENV, "{}"))))


def banner(config: MockConfig, host: str, port: int, out: TextIO = sys.stdout) -> None:
    """What a person needs to start: the base URL, the accounts, a curl line that works as printed."""
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    accounts = load_accounts(config.data_dir)
    token = "$TRUTO_MOCK_TOKEN" if config.token else DEV_TOKEN
    print(f"Truto interviews mock serving on {base}", file=out)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  warning: bound to {host}, so other machines can reach it and change its data", file=out)
    print(f"  OpenAPI: {base}/openapi.json", file=out)
    for account in accounts:
        print(f"  {account.provider:<9} integrated_account_id={account.id}", file=out)
    if config.token:
        print("  a bearer token is required (the one given with --token; it is not shown)", file=out)
    if accounts:
        print("Try:", file=out)
        print(
            f'  curl -H "Authorization: Bearer {token}" '
            f'"{base}/unified/ats/interviews?integrated_account_id={accounts[0].id}&limit=2"',
            file=out,
        )
    out.flush()


class PortInUse(OSError):
    """The address is taken (granian binds with SO_REUSEPORT, so it would silently share it)."""


def ensure_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(config: MockConfig, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Block serving the mock until interrupted; PortInUse when the address is taken."""
    ensure_free(host, port)
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    os.environ[CONFIG_ENV] = json.dumps(config.to_json())
    banner(config, host, port)
    Granian(
        "mockserver.serve:app_from_env",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=THREADS,
        factory=True,
        log_level=LogLevels.warning,
    ).serve()
