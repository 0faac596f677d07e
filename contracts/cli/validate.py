"""`python -m contracts validate FILE` and the commands that print a generated document (`openapi`,
`schema`): the floor's faces, with no network and no live client."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from contracts.checker import ADDITIVE_RULE, Violation, validate_interview
from contracts.jsontext import load_json

MAX_FILE_BYTES = 50 * 1024 * 1024
VALIDATE_EXIT_CODES = (
    "Exit codes: 0 conforms, or breaks only the kit's assumptions (listed as unconfirmed; 1 with"
    " --strict-assumptions); 1 a documented violation, or the file cannot be read; 2 bad usage."
)


def _read_json(path: str) -> tuple[object, str | None]:
    """Load a JSON file; on any failure return a message a person understands instead of raising."""
    try:
        data = Path(path).read_bytes() if path != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    if len(data) > MAX_FILE_BYTES:
        return None, f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
    return load_json(data, path)


def validate_command(args: argparse.Namespace) -> int:
    """`validate` (arguments parsed): documented violations exit 1, findings resting only on
    assumptions are listed as unconfirmed (exit 0 unless --strict-assumptions)."""
    payload, problem = _read_json(args.file)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    violations: list[Violation] = validate_interview(
        payload,
        provider=args.provider,
        exclude_fields=args.exclude_field or (),
        ignore_remote_data=args.ignore_remote_data,
    )
    additive = [v for v in violations if v.rule == ADDITIVE_RULE and not args.strict_fields]
    violations = [v for v in violations if v not in additive]
    if additive:
        print("not in the contract (additive, not a violation; --strict-fields makes it one):")
        for violation in additive:
            print(f"  {violation.pointer or '/'}: {violation.message}")
    documented = [v for v in violations if not v.assumed]
    unconfirmed = [v for v in violations if v.assumed]
    for violation in documented:
        print(violation)
    if unconfirmed:
        print("unconfirmed (these rest only on the kit's assumptions, see docs/assumptions.md):")
        for violation in unconfirmed:
            print(f"  {violation}")
    if documented:
        note = f" (and {len(unconfirmed)} unconfirmed)" if unconfirmed else ""
        print(f"{len(documented)} violation(s) in {args.file}{note}", file=sys.stderr)
        return 1
    if unconfirmed:
        ids = ", ".join(sorted({v.basis for v in unconfirmed}))
        strict = " (--strict-assumptions counts them as violations)" if args.strict_assumptions else ""
        print(f"{args.file}: no documented violation; {len(unconfirmed)} unconfirmed ({ids}){strict}", file=sys.stderr)
        return 1 if args.strict_assumptions else 0
    print(f"{args.file}: conforms to the {args.provider} interview contract")
    return 0


def print_json(document: object) -> int:
    """A generated document (OpenAPI, JSON Schema) on stdout."""
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
