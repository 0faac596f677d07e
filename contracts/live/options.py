"""Command-line options shared by the commands that talk to a live API (the gate and the recorder):
the base URL, the token, the accounts, retries and pacing, report paths. Every check here
runs before any request, and a bad value is a `UsageError` with one line naming the option."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.fields import FIELD_NAMES
from contracts.limits import RateLimit
from contracts.live.accounts import Account, AccountError, label_accounts, parse_account_args, read_accounts_file
from contracts.live.body import DEFAULT_MAX_BODY, MiB
from contracts.live.masking import mask_userinfo
from contracts.live.retry import RetryPolicy
from contracts.tokens import token_problem


class UsageError(ValueError):
    """A wrong argument: the gate exits 2 with this message and sends nothing."""


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {value}")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


_UNITS = {"": MiB, "b": 1, "kib": 1024, "k": 1024, "kb": 1000, "mib": MiB, "m": MiB, "mb": 1000**2,
          "gib": 1024 * MiB, "g": 1024 * MiB, "gb": 1000**3}  # fmt: skip


def size(text: str) -> int:
    """A size in bytes: `32` (MiB), `512KiB`, `1GiB`, `2MB`, `100B`; at least 1 KiB."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise argparse.ArgumentTypeError(f"takes a size such as 32 (MiB), 512KiB or 1GiB, got {text!r}")
    value = int(float(match.group(1)) * _UNITS[unit])
    if value < 1024:
        raise argparse.ArgumentTypeError(f"must be at least 1 KiB, got {text!r}")
    return value


def rate_limit(text: str) -> RateLimit | str:
    """`auto`, `off` or `N/SECONDS`."""
    if text in ("auto", "off"):
        return text
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise argparse.ArgumentTypeError(f"takes auto, off or N/SECONDS (e.g. 50/10), got {text!r}")
    return RateLimit(int(match.group(1)), float(match.group(2)))


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    """--base-url, --account, --accounts-file, --token-env, --timeout, retries and pacing."""
    parser.add_argument("--base-url", help="the API's root, e.g. https://api.truto.one or http://127.0.0.1:8000")
    parser.add_argument("--account", action="extend", nargs="+", default=[], metavar="PROVIDER=UUID",
                        help="an integrated account (repeatable; a provider may repeat)")  # fmt: skip
    parser.add_argument("--accounts-file", metavar="FILE",
                        help='a JSON list of {"id", "provider", "label"?} (other keys ignored)')  # fmt: skip
    parser.add_argument("--token-env", default="TRUTO_API_TOKEN", help="variable holding the API token")
    parser.add_argument("--timeout", type=positive_seconds, default=15.0, metavar="SECONDS",
                        help="most time one request may take, connect to last byte; a slower answer is an "
                        "error naming the time (default 15)")  # fmt: skip
    parser.add_argument("--retries", type=non_negative_int, default=3,
                        help="tries again after a 5xx, a reset or a garbled answer, and after a 429 "
                        "(default 3)")  # fmt: skip
    parser.add_argument("--retry-budget", type=positive_seconds, default=60.0, metavar="SECONDS",
                        help="most time one request may take with its retries and waits, and most time an "
                        "outage is waited out (default 60)")  # fmt: skip
    parser.add_argument("--deadline", type=positive_seconds, metavar="SECONDS",
                        help="most time the whole run may take; what is unfinished then is reported as "
                        "'not run: deadline' (default: none)")  # fmt: skip
    parser.add_argument("--max-body", type=size, default=DEFAULT_MAX_BODY, metavar="SIZE",
                        help="largest answer read, after decompression: N MiB, or with a unit (512KiB, 1GiB); "
                        "a larger one is an error (default 32 MiB)")  # fmt: skip
    parser.add_argument("--page-ceiling", type=non_negative_int, default=10_000, metavar="N",
                        help="pages a list walk reads at most (--walk-all, the recorder); 0: no ceiling "
                        "(default 10000)")  # fmt: skip
    parser.add_argument("--rate-limit", type=rate_limit, default="auto", metavar="auto|off|N/SECONDS",
                        help="pacing: auto (headers, and Truto's limits on its host), off, or N/SECONDS")  # fmt: skip


def base_url(text: str | None) -> str:
    if not text:
        raise UsageError("--base-url is required (the API's root, e.g. https://api.truto.one)")
    shown = mask_userinfo(text)
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL such as https://api.truto.one, got {shown!r}")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise UsageError(f"--base-url takes the API's root without a path, query or credentials, got {shown!r}")
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        raise UsageError(f"--base-url has a bad port: {shown!r}") from None
    return f"{parts.scheme}://{parts.netloc}"


def token(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise UsageError(f"set the API token in ${name} (it is never printed)")
    problem = token_problem(value)
    if problem is not None:
        raise UsageError(f"the token in ${name} {problem}")
    return value


def accounts(args: argparse.Namespace) -> tuple[Account, ...]:
    try:
        entries = parse_account_args(args.account)
        if args.accounts_file:
            entries += read_accounts_file(args.accounts_file)
        if not entries:
            raise UsageError("give at least one account: --account PROVIDER=UUID or --accounts-file FILE")
        return tuple(label_accounts(entries))
    except AccountError as exc:
        raise UsageError(str(exc)) from None


def connection_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """The connection settings the gate and the recorder share (`contracts.live.connection.Connection`)."""
    return {
        "base_url": base_url(args.base_url),
        "accounts": accounts(args),
        "token": token(environ, args.token_env),
        "timeout": args.timeout,
        "retry": retry_policy(args),
        "rate_limit": args.rate_limit,
        "max_body": args.max_body,
        "deadline": args.deadline,
        "page_ceiling": args.page_ceiling,
    }


def retry_policy(args: argparse.Namespace) -> RetryPolicy:
    return RetryPolicy(retries=args.retries, budget=args.retry_budget)


def _nearest_folder(target: Path) -> Path:
    """The folder itself or its nearest existing ancestor (write_text creates the missing ones)."""
    parent = target
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def _can_create_in(folder: Path) -> bool:
    """Try it: create and remove a temporary file (os.access says yes to root even on /proc)."""
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".truto-write-check-")
    except OSError:
        return False
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return True


def writable(path: str | None, option: str) -> None:
    """A report path that cannot be written is a usage error, found before any request: the file is
    opened for append (never truncated) when it exists, else a temporary file is made beside it."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file path")
    if target.exists():
        try:
            with target.open("ab"):
                pass
        except OSError as exc:
            raise UsageError(f"{option} {path} cannot be written: {exc.strerror or exc}") from None
        return
    folder = _nearest_folder(target.parent)
    if not folder.is_dir() or not _can_create_in(folder):
        raise UsageError(f"{option} {path} cannot be written (no file can be created in {folder})")


def distinct_outputs(paths: Mapping[str, str | None]) -> None:
    """Two outputs given the same file would overwrite each other: a usage error naming both options."""
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        if not path:
            continue
        key = Path(path).expanduser().resolve()
        if key in seen:
            raise UsageError(f"{seen[key]} and {option} name the same file {path}; give each its own")
        seen[key] = option


def writable_folder(path: str, option: str) -> None:
    """A folder that exists (or can be made) and can be written; UsageError otherwise, before any request."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{option} {path} is a file; give a folder")
    parent = _nearest_folder(target)
    if not parent.is_dir() or not _can_create_in(parent):
        raise UsageError(f"{option} {path} cannot be written")


def fields(args: argparse.Namespace) -> frozenset[str] | None:
    """--fields and --fields-file: documented top-level field names (a typo is a usage error)."""
    names: list[str] = []
    if args.fields is not None:
        names += [n.strip() for n in args.fields.split(",") if n.strip()]
        if not names:
            raise UsageError("--fields takes comma-separated field names, e.g. --fields id,status")
    if args.fields_file:
        try:
            text = Path(args.fields_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--fields-file {args.fields_file} cannot be read: {exc}") from None
        names += [n.strip() for line in text.splitlines() if (n := line.split("#", 1)[0]).strip()]
    if args.fields is None and not args.fields_file:
        return None
    unknown = [n for n in names if n not in FIELD_NAMES]
    if unknown:
        raise UsageError(f"--fields: {unknown[0]!r} is not a unified field; known: {', '.join(FIELD_NAMES)}")
    return frozenset(names)


def first_night(args: argparse.Namespace) -> bool:
    """A missing --baseline is the first night when this run writes it (the same --save-baseline
    path), or when a shard writes its part (the merge writes --baseline)."""
    if not args.save_baseline:
        return False
    same = Path(args.save_baseline).expanduser().resolve() == Path(args.baseline).expanduser().resolve()
    return same or args.shard[1] > 1
