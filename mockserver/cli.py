"""`python -m mockserver` / `truto-mock`: serve the Truto interviews mock (127.0.0.1:8000, built-in data).

Open the base URL in a browser for the page at `/`: accounts, interviews in every response format,
scenario links and the live request journal. Stop it with Ctrl-C.
"""
# The command's flags and their checks; `mockserver/__main__.py` takes the stop signals before it
# imports this module.

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from contracts.datafolder import MAX_FILE_MB
from contracts.limits import TRUTO_LIMITS
from mockserver.config import (
    DEFAULT_RECORDS,
    MAX_RECORDS,
    TOKEN_ENV,
    MockConfig,
    TokenSource,
    check_port,
    check_setting,
    from_text,
)
from mockserver.connguard import DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_CONNECTIONS, ConnectionLimits

PROG = "truto-mock"
MAX_READ_TIMEOUT = 600.0
MAX_CONNECTIONS = 100_000


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the flag (no usage block, no internals)."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("argument "):
            message = message.removeprefix("argument ")
            flag = message.split(":", 1)[0].split("/")[-1]
            if message.endswith(": expected one argument") and flag.startswith("--"):
                message += f" (a value starting with '-' needs the = form: {flag}=VALUE)"
        elif message.startswith("unrecognized arguments: "):
            message = f"unknown argument(s): {message.removeprefix('unrecognized arguments: ')}"
        self.exit(2, f"{PROG}: {message} (see {PROG} --help)\n")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a flag's default, unless it has none worth showing (None, False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def _flag(name: str) -> Callable[[str], Any]:
    """An argparse type running the setting's own check (the one MockConfig runs)."""

    def convert(text: str) -> Any:
        value = from_text(text)
        try:
            return check_setting(name, value)
        except ValueError as exc:
            message = str(exc)
            if not isinstance(value, str):  # say what was typed (1e9), not what it was read as (1000000000.0)
                message = re.sub(r", got .*$", f", got {text}", message)
            raise argparse.ArgumentTypeError(message) from None

    convert.__name__ = name  # argparse shows it only if the check itself fails unexpectedly
    return convert


def _port(text: str) -> int:
    try:
        return check_port(from_text(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _text(name: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError("must not be empty")
        return text

    convert.__name__ = name
    return convert


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 < value <= MAX_READ_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_READ_TIMEOUT:g} seconds, got {text}")
    return value


def _connections(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of connections, got {text!r}") from None
    if not 1 <= value <= MAX_CONNECTIONS:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_CONNECTIONS}, got {text}")
    return value


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty (a folder path)")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description=__doc__,
        formatter_class=_Help,
        epilog='Through make: make run PORT=9000 ARGS="--data DIR --seed 3". Docs: docs/mock.md.',
    )
    serving = parser.add_argument_group("serving")
    serving.add_argument(
        "--host", type=_text("host"), default="127.0.0.1", help="address to bind (127.0.0.1 keeps it to this machine)"
    )
    serving.add_argument("--port", type=_port, default=8000, help="port to listen on")
    serving.add_argument(
        "--token",
        type=_flag("token"),
        help=f"require exactly this bearer token (default: ${TOKEN_ENV} if set, else any); "
        f"${TOKEN_ENV} keeps it out of `ps`",
    )
    serving.add_argument(
        "--cors-origin",
        type=_flag("cors_origin"),
        default="*",
        metavar="ORIGIN",
        help="allowed CORS origin(s): * or scheme://host[:port], comma-separated for several",
    )
    serving.add_argument("--journal-size", type=_flag("journal_size"), default=200, help="requests kept in the journal")
    serving.add_argument(
        "--read-timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="a request body must arrive within this time (a slower client gets a 408 and is cut)",
    )
    serving.add_argument(
        "--head-timeout",
        type=_seconds,
        default=DEFAULT_HEAD_TIMEOUT,
        metavar="SECONDS",
        help="a request line and headers must arrive within this time (a slower client gets a 408 and is cut)",
    )
    serving.add_argument(
        "--max-connections",
        type=_connections,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="connections open at once; one more is answered 503 and closed",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        type=_folder,
        metavar="DIR",
        help="serve this data folder (accounts.json + records files) instead of the built-in data",
    )
    data.add_argument(
        "--records",
        type=_flag("records"),
        metavar="N",
        help=f"generated interviews per account, at most {MAX_RECORDS} (default: {DEFAULT_RECORDS}, or 0 with --data)",
    )
    data.add_argument(
        "--no-watch",
        action="store_true",
        help="serve the data folder as read at start (by default a saved change is served within a second)",
    )
    data.add_argument(
        "--max-data-mb",
        type=_flag("max_data_mb"),
        default=MAX_FILE_MB,
        metavar="MB",
        help="the largest file a data folder may hold",
    )
    data.add_argument("--seed", type=_flag("seed"), default=0, help="seed of the generated data")
    data.add_argument(
        "--lenient-query", action="store_true", help="accept (and ignore) query parameters outside the contract"
    )
    data.add_argument(
        "--null-absent",
        action="store_true",
        help="send absent optional fields as null, to harden a UI (contradicts assumption A-absent-not-null)",
    )
    faults = parser.add_argument_group("faults (all off by default; repeatable under --seed)")
    faults.add_argument("--latency", type=_flag("latency_ms"), metavar="MIN-MAX", help="extra latency per request, ms")
    faults.add_argument(
        "--error-rate", type=_flag("error_rate"), default=0.0, metavar="P", help="share of requests failing with 5xx"
    )
    faults.add_argument(
        "--rate-limit-token",
        type=_flag("rate_limit_token"),
        metavar="N",
        help="requests per 10 s per token (default: 0, off)",
    )
    faults.add_argument(
        "--rate-limit-account",
        type=_flag("rate_limit_account"),
        metavar="N",
        help="requests per 10 s per integrated account (default: 0, off)",
    )
    faults.add_argument(
        "--truto-rate-limits",
        action="store_true",
        help=f"Truto's own limits: {TRUTO_LIMITS.describe()} (not with --rate-limit-token/--rate-limit-account)",
    )
    return parser


def run_cli(argv: Sequence[str] | None) -> int:
    """Parse the flags and serve; the exit code (0 after serving until stopped, 2 on bad usage, data or
    address). A stop signal while starting propagates as `stopsignals.Interrupted`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    own_limits = args.rate_limit_token is not None or args.rate_limit_account is not None
    if args.truto_rate_limits and own_limits:
        parser.error(
            "--truto-rate-limits: sets both limits itself, so not with --rate-limit-token/--rate-limit-account"
        )
    token: str | None = args.token
    token_from: TokenSource | None = "flag" if token else None
    if token is None and os.environ.get(TOKEN_ENV):
        try:
            token, token_from = check_setting("token", os.environ[TOKEN_ENV]), "env"
        except ValueError as exc:  # the message never echoes the token
            parser.exit(2, f"{PROG}: ${TOKEN_ENV}: {exc} (see {PROG} --help)\n")
    config = MockConfig(
        seed=args.seed,
        records=args.records,
        data_dir=args.data,
        token=token,
        cors_origin=args.cors_origin,
        strict_query=not args.lenient_query,
        null_absent=args.null_absent,
        latency_ms=args.latency,
        error_rate=args.error_rate,
        rate_limit_token=TRUTO_LIMITS.per_token.requests if args.truto_rate_limits else args.rate_limit_token or 0,
        rate_limit_account=TRUTO_LIMITS.per_account.requests
        if args.truto_rate_limits
        else args.rate_limit_account or 0,
        journal_size=args.journal_size,
        max_data_mb=args.max_data_mb,
    )
    from mockserver.serve import run

    return run(
        config,
        host=args.host,
        port=args.port,
        read_timeout=args.read_timeout,
        connections=ConnectionLimits(args.head_timeout, args.max_connections),
        token_from=token_from,
        watch=not args.no_watch,
    )
