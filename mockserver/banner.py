"""What `python -m mockserver` prints once it serves: the URL, the data, the faults and limits in force,
and a curl line that works as pasted. It never prints the token."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Sequence
from typing import TextIO

from contracts.accounts import Account
from mockserver.asgi import MAX_BODY_BYTES
from mockserver.config import DEV_TOKEN, TOKEN_ENV, MockConfig, TokenSource
from mockserver.connguard import ConnectionLimits
from mockserver.dataset import load_accounts
from mockserver.faults import FaultSettings
from mockserver.guard import guard_summary


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def faults_and_limits(config: MockConfig) -> list[str]:
    """The faults, rate limits and answer modes switched on, in words (empty: none); the faults in
    the page's words (`FaultSettings.describe`)."""
    out = FaultSettings.from_config(config).describe()
    if not config.strict_query:
        out.append("lenient query (unknown parameters ignored)")
    if config.null_absent:
        out.append("absent fields sent as null (--null-absent)")
    return out


def banner(
    config: MockConfig,
    host: str,
    port: int,
    out: TextIO = sys.stdout,
    *,
    token_from: TokenSource | None = None,
    read_timeout: float | None = None,
    connections: ConnectionLimits | None = None,
    accounts: Sequence[Account] | None = None,
    watching: bool = False,
) -> None:
    """What a person needs to start: the base URL, the accounts, what is switched on, a curl line."""
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{port}"
    accounts = load_accounts(config.data_dir) if accounts is None else accounts
    print(f"Truto interviews mock serving on {base}", file=out)
    if not is_loopback(host):
        print(f"  warning: bound to {host}, so other machines can reach it and change its data", file=out)
    print(f"  page: {base}/   OpenAPI: {base}/openapi.json", file=out)
    source = f"data folder {config.data_dir}" if config.data_dir else "built-in data"
    generated = config.generated_records
    extra = f" + {generated} generated per account" if generated else " only (no generated records)"
    print(f"  data: {source}{extra}", file=out)
    if watching:
        print("  watching it: a saved change is served within a second (--no-watch turns that off)", file=out)
    for account in accounts:
        label = f'  "{account.label}"' if account.label else ""  # a label may hold parentheses itself
        print(f"  {account.provider:<9} integrated_account_id={account.id}{label}", file=out)
    faults = faults_and_limits(config)
    print(f"  faults and limits: {', '.join(faults) if faults else 'none'}", file=out)
    if read_timeout is not None:
        cap = MAX_BODY_BYTES // (1024 * 1024)
        print(f"  limits: request bodies up to {cap} MiB, sent within {read_timeout:g} s (--read-timeout)", file=out)
    if connections is not None:
        heads = f"request heads sent within {connections.head_timeout:g} s (--head-timeout)"
        most = f"{connections.max_connections} connections open at most (--max-connections)"
        print(f"          {heads}, {most}", file=out)
    print(f"  access: {guard_summary(config)}", file=out)
    if config.token:
        where = "--token" if token_from == "flag" else f"${TOKEN_ENV}"
        print(f"  a bearer token is required (the one given with {where}; it is not shown)", file=out)
    if accounts:
        print("Try:", file=out)
        if config.token and token_from != "env":
            print(
                f"  export {TOKEN_ENV}=<the --token value>   # first (or start the mock with it: ps shows --token)",
                file=out,
            )
        token = f"${TOKEN_ENV}" if config.token else DEV_TOKEN
        print(
            f'  curl -H "Authorization: Bearer {token}" '
            f'"{base}/unified/ats/interviews?integrated_account_id={accounts[0].id}&limit=2"',
            file=out,
        )
    print("Stop with Ctrl-C.", file=out)
    out.flush()
