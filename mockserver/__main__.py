"""`python -m mockserver` / `truto-mock`: start the mock on 127.0.0.1:8000 with its built-in data."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

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
    )
    from mockserver.serve import serve

    with contextlib.suppress(KeyboardInterrupt):
        serve(config, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
