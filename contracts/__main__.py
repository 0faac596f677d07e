"""`python -m contracts`: validate a file, print the OpenAPI document or a JSON Schema, run the gate.

Exit codes: 0 conforms, 1 violations (or unreadable input), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from contracts.checker import Violation, validate_interview
from contracts.fields import FIELD_NAMES, PROVIDERS
from contracts.jsontext import load_json
from contracts.openapi import openapi_document
from contracts.schema import interview_schema

MAX_FILE_BYTES = 50 * 1024 * 1024


def _read_json(path: str) -> tuple[object, str | None]:
    """Load a JSON file; on any failure return a message a person understands instead of raising."""
    try:
        data = Path(path).read_bytes() if path != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    if len(data) > MAX_FILE_BYTES:
        return None, f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
    return load_json(data, path)


def _validate(args: argparse.Namespace) -> int:
    payload, problem = _read_json(args.file)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    violations: list[Violation] = validate_interview(
        payload,
        provider=args.provider,
        exclude_fields=args.exclude_field or (),
        ignore_remote_data=args.ignore_remote_data,
        allow_unknown_fields=args.allow_unknown_fields,
    )
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s) in {args.file}", file=sys.stderr)
        return 1
    print(f"{args.file}: conforms to the {args.provider} interview contract")
    return 0


def _print_json(document: object) -> int:
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m contracts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check a unified interview JSON file against the contract")
    validate.add_argument("file", help="path to a JSON file holding one interview ('-' for stdin)")
    validate.add_argument("--provider", required=True, choices=PROVIDERS)
    validate.add_argument("--exclude-field", action="extend", nargs="+", choices=FIELD_NAMES, metavar="FIELD")
    validate.add_argument("--ignore-remote-data", action="store_true")
    validate.add_argument("--allow-unknown-fields", action="store_true", help="tolerate undocumented fields")
    validate.set_defaults(run=_validate)

    openapi = sub.add_parser("openapi", help="print the generated OpenAPI 3.1 document")
    openapi.set_defaults(run=lambda _args: _print_json(openapi_document()))

    schema = sub.add_parser("schema", help="print the generated JSON Schema of an interview")
    schema.add_argument("--provider", choices=PROVIDERS, help="one provider's schema (default: the union)")
    schema.set_defaults(run=lambda args: _print_json(interview_schema(args.provider)))
    gate = sub.add_parser("gate", help="check a Truto-shaped API (or the mock) against the contract")
    gate.add_argument("--base-url", required=True, help="e.g. https://api.truto.one or http://127.0.0.1:8000")
    gate.add_argument("--account", action="extend", nargs="+", required=True, metavar="PROVIDER=UUID")
    gate.add_argument("--token-env", default="TRUTO_API_TOKEN", help="variable holding the API token")
    gate.add_argument(
        "--id", action="extend", nargs="+", help="interview ids to check (default: discovered via the list)"
    )
    gate.add_argument("--max-ids", type=int, default=3, help="discovered ids to run the get matrix on")
    gate.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    gate.add_argument("--junit-xml", metavar="PATH", help="also write the results as JUnit XML")
    gate.set_defaults(run=_gate)
    return parser


def _gate(args: argparse.Namespace) -> int:
    from contracts.gate import main_gate

    return main_gate(args, dict(os.environ))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # `python -m contracts openapi | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
