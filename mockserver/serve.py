"""Serve the mock with granian (one worker process, so the store and journal are shared state).

Everything that can fail is checked in this process before anything is served: the settings, the
data folder, the address. The settings travel to the worker as JSON in an environment variable,
because granian imports the app by name in its own process. A stop (SIGINT, SIGTERM or SIGHUP, to
this process, its whole group or the worker alone) ends both processes within a second and prints one
line; the banner waits until the worker answers.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from flask import Flask

from contracts.accounts import Account
from contracts.datafolder import MB, DataFolderError, data_size
from contracts.providers import MappingError
from mockserver.config import DEV_TOKEN, MockConfig
from mockserver.dataset import load_accounts

CONFIG_ENV = "TRUTO_MOCK_CONFIG"
WATCH_ENV = "TRUTO_MOCK_WATCH"
"""Set to 1 for the worker when it should watch the data folder (not --no-watch)."""
LOADING_MB = 5
"""From this many MB of data folder files, say `loading N MB…` before the (possibly long) read."""
THREADS = 32
"""Granian's blocking threads: each request (and its `--latency` sleep) holds one, so this is the
concurrency the mock serves without queueing. 32 covers the gate (up to 8 accounts x 4 in flight)
and a test suite's clients; idle threads cost ~0.3 MiB each and no CPU."""
WORKER_KILL_SECONDS = 1
"""How long a worker gets to stop on its own before it is killed (granian's `workers_kill_timeout`)."""
PROG = "truto-mock"
PR_SET_PDEATHSIG = 1
LARGE_RECORDS = 1000
"""From this many generated records per account, say so before the (possibly long) build."""


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


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""SIGHUP (a closed terminal) stops the mock too: granian would otherwise respawn its worker."""
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
                os.kill(os.getpid(), min(watched - _caught(status), default=signal.SIGINT))
                return
            time.sleep(poll_seconds)

    threading.Thread(target=watch, name="truto-mock-follow-make", daemon=True).start()


def app_from_env() -> Flask:
    """Granian's factory target: build the app from the settings the parent process left."""
    from mockserver.app import create_app

    die_with_parent()
    # The worker is forked with the main process's handlers. Until granian installs its graceful ones
    # (after this build), a stop signal simply ends it; SIGHUP always becomes that graceful SIGTERM.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, lambda signum, frame: os.kill(os.getpid(), signal.SIGTERM))
    app = create_app(MockConfig.from_mapping(json.loads(os.environ.get(CONFIG_ENV, "{}"))))
    app.extensions["truto_mock"].start(watch=os.environ.get(WATCH_ENV) == "1")  # a daemon thread: ends with us
    return app


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def banner(
    config: MockConfig, host: str, port: int, out: TextIO = sys.stdout, *, accounts: Sequence[Account] | None = None
) -> None:
    """What a person needs to start: the base URL, the accounts, a curl line that works as printed."""
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    accounts = load_accounts(config.data_dir) if accounts is None else accounts
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
    a taken port would otherwise be shared silently). The probe sets SO_REUSEADDR, as granian does, so
    connections of a mock just stopped (TIME_WAIT, FIN_WAIT) do not block a restart; it does not set
    SO_REUSEPORT, so a live listener is still found."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        hint = _hint("host", "127.0.0.1")
        raise BindError(f"cannot listen on {host}: not a usable address ({reason}); try {hint}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
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


def check_data(config: MockConfig, accounts: list[Account] | None = None) -> list[str]:
    """Every problem of the data the worker would load, as lines to print (empty: servable); `accounts`
    receives the accounts served, so nothing reads the folder again for the banner."""
    if config.data_dir is None:
        return []
    from mockserver.state import MockState

    size = data_size(config.data_dir)
    if size >= LOADING_MB * MB:
        print(f"loading {size / MB:.0f} MB…", flush=True)
    try:
        state = MockState.build(config)  # the very build the worker runs, so it can never be first to fail
    except DataFolderError as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served:", *(f"  {line}" for line in exc.lines())]
    except (MappingError, ValueError) as exc:
        return [f"{PROG}: data folder {config.data_dir} cannot be served: {exc}"]
    if accounts is not None:
        accounts.extend(state.store.accounts())
    return []


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()
    raise _Stop(signum)


_WORKER_STOPS = {0: "a stop signal to its worker"} | {-sig: f"{sig.name} to its worker" for sig in _STOP_SIGNALS}
"""How a granian worker ends when a stop signal reaches it alone (`kill $(lsof -t -i :PORT)`): 0 after
its own graceful handler, minus the signal if it came before that handler was installed."""


def _treat_worker_stop_as_stop(server: Any, stopped: Callable[[str], None]) -> None:
    """Make granian's main process stop, instead of reporting an unexpected exit (exit 1), when its
    worker ended because a stop signal reached it. A crash (any other exit) is still reported."""
    spawn = server._spawn_worker

    def spawn_worker(*args: Any, **kwargs: Any) -> Any:
        worker = spawn(*args, **kwargs)
        watch = worker._watcher

        def watcher() -> None:
            worker.inner.join()
            why = _WORKER_STOPS.get(worker.inner.exitcode)
            if not worker.interrupt_by_parent and why is not None:
                worker.interrupt_by_parent = True  # so granian does not call it unexpected
                stopped(why)
            watch()

        worker._watcher = watcher
        return worker

    server._spawn_worker = spawn_worker


def announce_when_ready(
    config: MockConfig, host: str, port: int, timeout: float = 600.0, accounts: Sequence[Account] | None = None
) -> None:
    """Print the banner once the worker answers (it builds the data first), from a thread that gives
    up quietly when the mock stops first."""
    probe_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host.strip("[]"), host.strip("[]"))

    def poll() -> None:
        deadline = time.monotonic() + timeout
        while not _stopping.is_set() and time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection(probe_host, port, timeout=5)
                connection.request("GET", "/__mock__/accounts")
                connection.getresponse().read()
                connection.close()
            except OSError:
                time.sleep(0.05)
                continue
            if not _stopping.is_set():
                banner(config, host, port, accounts=accounts)
            return

    threading.Thread(target=poll, name="truto-mock-ready", daemon=True).start()


def _serve_granian(
    config: MockConfig, host: str, port: int, watch: bool, accounts: Sequence[Account] | None
) -> str | None:
    """Serve until a stop signal; what stopped it (None when granian stopped by itself)."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    os.environ[CONFIG_ENV] = json.dumps(config.to_json())
    os.environ[WATCH_ENV] = "1" if watch else "0"
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
    received: list[str] = []
    interrupt = cast(Callable[[int, Any], None], server.signal_handler_interrupt)

    def stop(why: str) -> None:
        _stopping.set()
        received.append(why)
        interrupt(signal.SIGTERM, None)

    def on_signal(signum: int, frame: Any) -> None:
        stop(signal.Signals(signum).name)

    # granian installs these for SIGINT/SIGTERM and (to respawn its workers) SIGHUP: all three stop.
    server.signal_handler_interrupt = on_signal  # type: ignore[method-assign]
    server.signal_handler_reload = on_signal  # type: ignore[method-assign]
    _treat_worker_stop_as_stop(server, stop)
    announce_when_ready(config, host, port, accounts=accounts)
    try:
        server.serve()
    except SystemExit:  # granian exits 1 when the worker went first (it got the group's SIGINT too)
        if not received:
            raise
    return received[0] if received else None


def _say(line: str) -> None:
    """Print a last line; the terminal may be gone (closed window: SIGHUP) or the pipe closed."""
    try:
        print(line, flush=True)
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nor complain at exit


def run(config: MockConfig, *, host: str = "127.0.0.1", port: int = 8000, watch: bool = True) -> int:
    """Check everything, print the banner, serve until stopped; the process's exit code."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in _STOP_SIGNALS}
    die_with_parent()
    follow_make()
    try:
        accounts: list[Account] = []
        problems = check_data(config, accounts)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        ensure_free(host, port)
        if config.generated_records >= LARGE_RECORDS:
            print(f"generating {config.generated_records} records per account…", flush=True)
        why = _serve_granian(config, host, port, watch, accounts if config.data_dir is not None else None)
    except BindError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except _Stop as stop:
        why = signal.Signals(stop.signum).name
    except KeyboardInterrupt:
        why = signal.SIGINT.name
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if why is not None:
        _say(f"Truto interviews mock stopped ({why}).")
    return 0
