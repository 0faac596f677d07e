"""`python -m mockserver` / `truto-mock`: start the mock on 127.0.0.1:8000 with its built-in data."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from contracts.limits import TRUTO_LIMITS
from mockserver.config import MockConfig


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _latency(text: str) -> tuple[int, int]:
    low, sep, high = text.partition("-")
    try:
        pair = (int(low), int(high if sep else low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"latency takes MS or MIN-MAX in milliseconds, got {text!r}") from None
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError(f"latency needs 0 <= MIN <= MAX, got {text!r}")
    return pair


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"error rate must be between 0 and 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="truto-mock", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument("--seed", type=_non_negative, default=0, help="seed of the generated data")
    parser.add_argument("--records", type=_non_negative, default=25, help="generated interviews per account")
    parser.add_argument("--data", type=Path, help="folder with accounts.json and <provider>_interviews.json")
    parser.add_argument("--token", help="require exactly this bearer token (default: accept any)")
    parser.add_argument("--cors-origin", default="*", help="allowed CORS origin (default: any)")
    parser.add_argument("--lenient-query", action="store_true", help="accept query parameters outside the contract")
    faults = parser.add_argument_group("faults (all off by default; deterministic under --seed)")
    faults.add_argument("--latency", type=_latency, metavar="MIN-MAX", help="extra latency per request, in ms")
    faults.add_argument("--error-rate", type=_rate, default=0.0, help="share of requests failing with 500/502/503")
    faults.add_argument(
        "--rate-limit-token", type=_non_negative, default=0, metavar="N", help="requests per 10 s per token"
    )
    faults.add_argument(
        "--rate-limit-account", type=_non_negative, default=0, metavar="N", help="requests per 10 s per account"
    )
    faults.add_argument(
        "--truto-rate-limits", action="store_true", help=f"Truto's own limits: {TRUTO_LIMITS.describe()}"
    )
    parser.add_argument("--journal-size", type=_non_negative, default=200, help="requests kept in the journal")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data is not None and not (args.data / "accounts.json").is_file():
        print(f"truto-mock: {args.data}/accounts.json not found", file=sys.stderr)
        return 2
    config = MockConfig(
        seed=args.seed,
        records=args.records,
        data_dir=args.data,
        token=args.token,
        cors_origin=args.cors_origin,
        strict_query=not args.lenient_query,
        latency_ms=args.latency,
        error_rate=args.error_rate,
        rate_limit_token=TRUTO_LIMITS.per_token.requests if args.truto_rate_limits else args.rate_limit_token,
        rate_limit_account=TRUTO_LIMITS.per_account.requests if args.truto_rate_limits else args.rate_limit_account,
        journal_size=args.journal_size,
    )
    from mockserver.serve import PortInUse, serve

    try:
        with contextlib.suppress(KeyboardInterrupt):
            serve(config, host=args.host, port=args.port)
    except PortInUse as exc:
        print(f"truto-mock: {exc} (another mock running? try --port)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
