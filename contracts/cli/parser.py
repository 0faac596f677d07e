"""The command line of `python -m contracts`: one parser, a subcommand per job, each bound to the
function in `contracts.cli` that runs it (`args.run(args)`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from contracts.cli.gate import gate_command
from contracts.cli.record import record_command
from contracts.cli.validate import VALIDATE_EXIT_CODES, print_json, validate_command
from contracts.fields import FIELD_NAMES
from contracts.live import baseline, options
from contracts.openapi import openapi_document
from contracts.providers import PROVIDERS
from contracts.schema import interview_schema

DESCRIPTION = """\
Validate a file, print the OpenAPI document or a JSON Schema, run the gate, record an account.

Exit codes: 0 conforms (findings resting only on assumptions are unconfirmed, not violations, unless
--strict-assumptions), 1 violations (or unreadable input), 2 bad usage; the gate adds 3 (some
checks had no usable answer: the API was unavailable, not wrong); 130 / 143 stopped by SIGINT /
SIGTERM (the gate still writes its reports, the recorder its partial folder). `record`: 0 recorded
and the kit's mapping agrees, 1 recorded with disagreements, 2 usage or connection, 3 partly
recorded.
"""


class _Parser(argparse.ArgumentParser):
    """Bad usage is one line on stderr and exit 2 (the usage is in --help). No abbreviations: a
    pasted `--junit-xm` or `--ch` is an error, not a guess that a later flag could make ambiguous."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; `args.run(args)` runs the chosen command and returns its exit code."""
    parser = _Parser(prog="python -m contracts", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    _validate_args(sub)
    openapi = sub.add_parser("openapi", help="print the generated OpenAPI 3.1 document")
    openapi.set_defaults(run=lambda _args: print_json(openapi_document()))
    schema = sub.add_parser("schema", help="print the generated JSON Schema of an interview")
    schema.add_argument("--provider", choices=PROVIDERS, help="one provider's schema (default: the union)")
    schema.set_defaults(run=lambda args: print_json(interview_schema(args.provider)))
    gate = sub.add_parser("gate", help="check a Truto-shaped API (or the mock) against the contract")
    _gate_args(gate)
    gate.set_defaults(run=lambda args: gate_command(args, dict(os.environ)))
    merge = sub.add_parser("baseline", help="work with drift baselines: `baseline merge OUT FILE...`")
    merge_sub = merge.add_subparsers(dest="baseline_command", required=True)
    merging = merge_sub.add_parser(
        "merge",
        help="merge the shard baselines of one plan into one",
        description="Merge the --save-baseline files of the shards of one gate plan (in CI: a final job "
        "after the shard jobs) into OUT, the file each shard then compares with (--baseline). Shards of "
        "different plans are refused. Exit codes: 0 merged, 2 usage or files that cannot be merged.",
    )
    merging.add_argument("out", metavar="OUT", help="the merged baseline to write")
    merging.add_argument("files", metavar="FILE", nargs="+", help="the shards' baselines")
    merging.set_defaults(run=lambda args: baseline.merge_command(args.out, args.files, sys.stderr))
    record = sub.add_parser("record", help="record accounts from the API into a data folder the mock serves")
    _record_args(record)
    record.set_defaults(run=lambda args: record_command(args, dict(os.environ)))
    return parser


def _validate_args(sub: Any) -> None:
    validate = sub.add_parser(
        "validate",
        help="check a unified interview JSON file against the contract",
        description="Check one unified interview (a JSON file) against the documented contract.",
        epilog=VALIDATE_EXIT_CODES,
    )
    validate.add_argument("file", help="path to a JSON file holding one interview ('-' for stdin)")
    validate.add_argument(
        "--provider", required=True, choices=PROVIDERS, help="the integration that produced it (its fields differ)"
    )
    validate.add_argument(
        "--exclude-field",
        action="extend",
        nargs="+",
        choices=FIELD_NAMES,
        metavar="FIELD",
        help="a field the request excluded (truto_exclude_fields), so it must be absent; repeatable",
    )
    validate.add_argument(
        "--ignore-remote-data",
        action="store_true",
        help="the request sent truto_ignore_remote_data=true, so remote_data must be absent",
    )
    validate.add_argument(
        "--strict-assumptions",
        action="store_true",
        help="findings resting only on the kit's assumptions (unconfirmed) exit 1 too, as in the gate",
    )
    validate.add_argument(
        "--strict-fields",
        action="store_true",
        help="fields the contract does not name are violations (by default they are listed as additive, exit 0)",
    )
    validate.add_argument(
        "--allow-unknown-fields", action="store_true", help="accepted for old scripts: the default now (no effect)"
    )
    validate.set_defaults(run=validate_command)


def _record_args(record: argparse.ArgumentParser) -> None:
    options.add_connection_args(record)
    record.add_argument("--out", metavar="DIR", help="the data folder to write (created if missing)")
    record.add_argument("--max-records", type=options.positive_int, metavar="N", help="interviews per account at most")
    record.add_argument("--page-size", type=options.positive_int, default=100, help="list page size (default 100)")
    record.add_argument("--no-redact", action="store_true", help="write the records as received (personal data!)")


def _gate_args(gate: argparse.ArgumentParser) -> None:
    options.add_connection_args(gate)
    walk = gate.add_argument_group("ids and the list walk")
    walk.add_argument("--id", action="extend", nargs="+", default=[],
                      help="interview ids to check on every account (default: sampled from the list walk)")  # fmt: skip
    walk.add_argument("--max-ids", type=options.positive_int, default=3, help="ids sampled per account (default 3)")
    walk.add_argument("--page-size", type=options.positive_int, default=50, help="list page size of the walk")
    walk.add_argument("--max-pages", type=options.positive_int, default=3, help="pages the walk reads (default 3)")
    walk.add_argument("--walk-all", action="store_true", help="page to the end and check the walk")
    walk.add_argument("--concurrency", type=options.positive_int, default=4, help="requests in flight per account")
    choice = gate.add_argument_group("which checks")
    choice.add_argument("--list-checks", action="store_true", help="print the checks' names and exit")
    choice.add_argument("--check", action="append", default=[], metavar="NAME", help="run only these (glob)")
    choice.add_argument("--exclude-check", action="append", default=[], metavar="NAME", help="leave these out (glob)")
    choice.add_argument("--shard", type=_shard, default=(1, 1), metavar="K/N", help="run part K of N (K from 1)")
    reports = gate.add_argument_group("reports and drift")
    reports.add_argument("--junit-xml", metavar="PATH", help="also write the results as JUnit XML")
    reports.add_argument("--json-report", metavar="PATH", help="also write the results as JSON")
    reports.add_argument("--save-baseline", metavar="FILE", help="write what was observed, as a drift baseline")
    reports.add_argument("--baseline", metavar="FILE", help="report drift from this baseline")
    reports.add_argument("--fail-on-drift", action="store_true", help="drift exits 1 (needs --baseline)")
    gate.add_argument("--strict-assumptions", action="store_true",
                      help="answers that break only the kit's assumptions (unconfirmed) exit 1 too")  # fmt: skip
    scope = gate.add_argument_group("fields")
    scope.add_argument("--strict-fields", action="store_true",
                       help="fields, keys the contract does not name, and documented optional fields that vanish "
                       "from the baseline, are violations (default: drift)")  # fmt: skip
    scope.add_argument("--fields", metavar="NAME,...",
                       help="top-level unified fields this consumer reads: findings on others are drift")  # fmt: skip
    scope.add_argument("--fields-file", metavar="FILE", help="as --fields, one field name a line ('#' comments)")


def _shard(text: str) -> tuple[int, int]:
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"takes K/N with 1 <= K <= N (e.g. 2/4), got {text!r}")
    return int(k), int(n)
