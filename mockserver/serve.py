"""Serve the mock with granian (one worker process, so the store and journal are shared state).

Everything that can fail is checked in this process before anything is served: the settings, the
data folder, the address. The settings travel to the worker as JSON in an environment variable,
because granian imports the app by name in its own process. A stop (SIGINT or SIGTERM, to this
process or its whole group) ends the worker within a second and prints one line.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from flask import Flask

from contracts.datafolder import DataFolderError
from contracts.providers import MappingError
from mockserver.config import DEV_TOKEN, MockConfig
from mockserver.dataset import load_accounts

CONFIG_ENV = "TRUTO_MOCK_CONFIG"
THREADS = 32
"""Granian's blocking threads: each request (and its `--latency` sleep) holds one, so this is the
concurrency the mock serves without queueing. 32 covers the gate (up to 8 accounts x 4 in flight)
and a test suite's clients; idle threads cost ~0.3 MiB each and no CPU."""
WORKER_KILL_SECONDS = 1
"""How long a worker gets to stop on its own before it is killed (granian's `workers_kill_timeout`)."""
PROG = "truto-mock"
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent exits (e.g. `make` killed, or granian's
    main process killed outright), so no mock is ever left serving as an orphan."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if os.getppid() != parent:  # the parent went before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stopping = threading.Event()
"""Set once a stop signal has arrived, so following make never sends a second one."""
_MAKE_NAMES = ("make", "gmake")


def _proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _caught(status: dict[str, str]) -> set[int]:
    mask = int(status.get("SigCgt", "0"), 16)
    return {sig for sig in _STOP_SIGNALS if mask >> (sig - 1) & 1}


def _make_ancestor() -> int | None:
    """The `make` this mock runs under (its parent, or its grandparent through a shell), if any."""
    pid = os.getppid()
    for _ in range(2):
        status = _proc_status(pid)
        if status.get("Name", "").strip() in _MAKE_NAMES:
            return pid
        pid = int(status.get("PPid", "0") or 0)
        if pid <= 1:
            return None
    return None


def follow_make(poll_seconds: float = 0.1) -> None:
    """Stop when the `make` above us is told to stop. GNU make does not pass a SIGINT sent to it alone
    on to its child (a terminal sends it to the whole group), and waits for the child forever; but
    make's handler sets the signal back to its default, which /proc shows: we watch for that."""
    if not sys.platform.startswith("linux"):
        return
    make = _make_ancestor()
    if make is None:
        return
    watched = _caught(_proc_status(make))
    if not watched:
        return

    def watch() -> None:
        while not _stopping.is_set():
            status = _proc_status(make)
            if not status or watched - _caught(status):
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(poll_seconds)

    threading.Thread(target=watch, name="truto-mock-follow-make", daemon=True).start()


def app_from_env() -> Flask:
    """Granian's factory target: build the app from the settings the parent process left."""
    from mockserver.app import create_app

    die_with_parent()
    return create_app(MockConfig.from_mapping(json.loads(os.environ.get(CONFIG_ENV, "{}"))))


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def banner(config: MockConfig, host: str, port: int, out: TextIO = sys.stdout) -> None:
    """What a person needs to start: the base URL, the accounts, a curl line that works as printed."""
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    accounts = load_accounts(config.data_dir)
    token = "$TRUTO_MOCK_TOKEN" if config.token else DEV_TOKEN
    print(f"Truto interviews mock serving on {base}", file=out)
    if not is_loopback(host):
        print(f"  warning: bound to {host}, so other machines can reach it and change its data", file=out)
    print(f"  page: {base}/   OpenAPI: {base}/openapi.json", file=out)
    source = f"data folder {config.data_dir}" if config.data_dir else "built-in data"
    generated = config.generated_records
    extra = f" + {generated} generated per account" if generated else " only (no generated records)"
    print(f"  data: {source}{extra}", file=out)
    for account in accounts:
        label = f"  ({account.label})" if account.label else ""
        print(f"  {account.provider:<9} integrated_account_id={account.id}{label}", file=out)
    if config.token:
        print("  a bearer token is required (the one given with --token; it is not shown)", file=out)
    if accounts:
        print("Try:", file=out)
        print(
            f'  curl -H "Authorization: Bearer {token}" '
            f'"{base}/unified/ats/interviews?integrated_account_id={accounts[0].id}&limit=2"',
            file=out,
        )
    print("Stop with Ctrl-C.", file=out)
    out.flush()


class BindError(OSError):
    """The address cannot be listened on; the message says why and what to change."""


def _hint(flag: str, value: str) -> str:
    """How to change a setting where the user typed it: `PORT=` under make, `--port` otherwise."""
    if os.environ.get("MAKELEVEL"):
        return f"{flag.upper()}={value}"
    return f"--{flag} {value}"


def ensure_free(host: str, port: int) -> None:
    """BindError unless this process could listen on host:port (granian binds with SO_REUSEPORT, so
    a taken port would otherwise be shared silently)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        hint = _hint("host", "127.0.0.1")
        raise BindError(f"cannot listen on {host}: not a usable address ({reason}); try {hint}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            where = f"{host}:{port}"
            if exc.errno == errno.EADDRINUSE:
                why = f"port {port} is in use (another mock running?); try {_hint('port', str(port + 1))}"
            elif exc.errno == errno.EACCES:
                why = f"permission denied (ports below 1024 need privileges); try {_hint('port', '8000')}"
            elif exc.errno == errno.EADDRNOTAVAIL:
                why = f"{host} is not an address of this machine; try {_hint('host', '127.0.0.1')}"
            else:
                why = exc.strerror or str(exc)
            raise BindError(f"cannot listen on {where}: {why}") from None


def check_data(config: MockConfig) -> list[str]:
    """Every problem of the data the worker would load, as lines to print (empty: servable)."""
    if config.data_dir is None:
        return []
    from mockserver.state import MockState

    try:
        MockState.build(config)  # the very build the worker runs, so it can never be first to fail
    except DataFolderError as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served:", *(f"  {line}" for line in exc.lines())]
    except (MappingError, ValueError) as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served: {exc}"]
    return []


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()
    raise _Stop(signum)


def _serve_granian(config: MockConfig, host: str, port: int) -> int | None:
    """Serve until a stop signal; the signal's number (None when granian stopped by itself)."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    os.environ[CONFIG_ENV] = json.dumps(config.to_json())
    server = Granian(
        "mockserver.serve:app_from_env",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=THREADS,
        factory=True,
        log_level=LogLevels.error,
        workers_kill_timeout=WORKER_KILL_SECONDS,
    )
    received: list[int] = []
    interrupt = cast(Callable[[int, Any], None], server.signal_handler_interrupt)

    def on_signal(signum: int, frame: Any) -> None:
        _stopping.set()
        received.append(signum)
        interrupt(signum, frame)

    server.signal_handler_interrupt = on_signal  # type: ignore[method-assign]  # granian installs it for SIGINT and SIGTERM
    try:
        server.serve()
    except SystemExit:  # granian exits 1 when the worker went first (it got the group's SIGINT too)
        if not received:
            raise
    return received[0] if received else None


def run(config: MockConfig, *, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Check everything, print the banner, serve until stopped; the process's exit code."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in _STOP_SIGNALS}
    die_with_parent()
    follow_make()
    try:
        problems = check_data(config)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        ensure_free(host, port)
        banner(config, host, port)
        signum = _serve_granian(config, host, port)
    except BindError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except _Stop as stop:
        signum = stop.signum
    except KeyboardInterrupt:
        signum = signal.SIGINT
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signum is not None:
        print(f"Truto interviews mock stopped ({signal.Signals(signum).name}).", flush=True)
    return 0
