"""`python -m contracts`: validate a file, print the OpenAPI document or a JSON Schema, run the gate,
record an account.

Exit codes: 0 conforms (findings resting only on assumptions are unconfirmed, not violations, unless
--strict-assumptions), 1 violations (or unreadable input), 2 bad usage; the gate adds 3 (some
checks had no usable answer: the API was unavailable, not wrong); 130 / 143 stopped by SIGINT /
SIGTERM (the gate still writes its reports, the recorder its partial folder). `record`: 0 recorded
and the kit's mapping agrees, 1 recorded with disagreements, 2 usage or connection, 3 partly
recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from contracts.checker import ADDITIVE_RULE, Violation, validate_interview
from contracts.fields import FIELD_NAMES
from contracts.jsontext import load_json
from contracts.live import availability, baseline, options
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason
from contracts.live.files import write_text
from contracts.live.masking import SecretMasker
from contracts.live.matrix import Selection, unmatched_patterns
from contracts.live.record_summary import summary_lines
from contracts.live.recorder import RecordConfig, run_recording
from contracts.live.recording import check_out_folder
from contracts.live.report import json_report, junit_xml, print_summary
from contracts.live.results import ExitCode
from contracts.live.runner import GateConfig, run_gate
from contracts.live.signals import SIGNALS
from contracts.openapi import openapi_document
from contracts.providers import PROVIDERS
from contracts.schema import interview_schema

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


def _print_json(document: object) -> int:
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


class _Parser(argparse.ArgumentParser):
    """Bad usage is one line on stderr and exit 2 (the usage is in --help). No abbreviations: a
    pasted `--junit-xm` or `--ch` is an error, not a guess that a later flag could make ambiguous."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m contracts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

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
    validate.set_defaults(run=_validate)

    openapi = sub.add_parser("openapi", help="print the generated OpenAPI 3.1 document")
    openapi.set_defaults(run=lambda _args: _print_json(openapi_document()))

    schema = sub.add_parser("schema", help="print the generated JSON Schema of an interview")
    schema.add_argument("--provider", choices=PROVIDERS, help="one provider's schema (default: the union)")
    schema.set_defaults(run=lambda args: _print_json(interview_schema(args.provider)))
    gate = sub.add_parser("gate", help="check a Truto-shaped API (or the mock) against the contract")
    _gate_args(gate)
    gate.set_defaults(run=_gate)
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


def _gate(args: argparse.Namespace) -> int:
    return gate_command(args, dict(os.environ))


def _list_checks(args: argparse.Namespace, out: TextIO) -> int:
    """The checks this invocation would run: `--check`, `--exclude-check` and `--shard` applied, for
    the providers of the accounts given (all providers when none is). Needs no token and no server."""
    unknown = unmatched_patterns(args.check + args.exclude_check)
    if unknown:
        raise options.UsageError(f"no check is named {unknown[0]!r} (see --list-checks)")
    given = options.accounts(args) if args.account or args.accounts_file else ()
    providers = [p for p in PROVIDERS if not given or p in {a.provider for a in given}]
    selection = Selection(tuple(args.check), tuple(args.exclude_check), args.shard)
    chosen: dict[str, list[str]] = {}
    total = 0
    for provider in providers:
        names, left = selection.split(provider)
        total += len(names) + len(left)
        for name in names:
            chosen.setdefault(name, []).append(provider)
    applied = [f"--check {p!r}" for p in args.check] + [f"--exclude-check {p!r}" for p in args.exclude_check]
    if args.shard != (1, 1):
        applied.append(f"--shard {args.shard[0]}/{args.shard[1]}")
    how = f" after {', '.join(applied)}" if applied else ""
    runs = sum(len(p) for p in chosen.values())
    out.write(f"# the checks this invocation would run{how}, for {', '.join(providers)}: {runs} of {total} "
              "(per provider; get checks run once per sampled id)\n")  # fmt: skip
    for name, on in chosen.items():
        only = "" if len(on) == len(providers) else f"  ({', '.join(on)} only)"
        out.write(f"{name}{only}\n")
    return 0


def _gate_config(args: argparse.Namespace, environ: dict[str, str]) -> GateConfig:
    """Every argument checked before any request; UsageError names the first wrong one."""
    unknown = unmatched_patterns(args.check + args.exclude_check)
    if unknown:
        raise options.UsageError(f"no check is named {unknown[0]!r} (see --list-checks)")
    if args.fail_on_drift and not args.baseline:
        raise options.UsageError("--fail-on-drift needs --baseline FILE")
    outputs = {"--junit-xml": args.junit_xml, "--json-report": args.json_report, "--save-baseline": args.save_baseline}
    options.distinct_outputs(outputs)
    for option, path in outputs.items():
        options.writable(path, option)
    if any(not i.strip() for i in args.id):
        raise options.UsageError("--id takes non-empty interview ids")
    if args.baseline and not Path(args.baseline).exists() and not options.first_night(args):
        raise options.UsageError(
            f"--baseline {args.baseline} does not exist; on the first night give --save-baseline the same path "
            "(or run a shard: the merge writes it)"
        )
    return GateConfig(
        **_connection(args, environ),
        ids=tuple(args.id),
        max_ids=args.max_ids,
        page_size=args.page_size,
        max_pages=args.max_pages,
        walk_all=args.walk_all,
        concurrency=args.concurrency,
        selection=Selection(tuple(args.check), tuple(args.exclude_check), args.shard),
        strict_fields=args.strict_fields,
        fields=options.fields(args),
    )


def _connection(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, Any]:
    """The connection settings the gate and the recorder share (`contracts.live.client.Connection`)."""
    return {
        "base_url": options.base_url(args.base_url),
        "accounts": options.accounts(args),
        "token": options.token(environ, args.token_env),
        "timeout": args.timeout,
        "retry": options.retry_policy(args),
        "rate_limit": args.rate_limit,
        "max_body": args.max_body,
        "deadline": args.deadline,
        "page_ceiling": args.page_ceiling,
    }


def gate_command(
    args: argparse.Namespace,
    environ: dict[str, str],
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> int:
    """`python -m contracts gate` (arguments parsed): exit 0 passed (unconfirmed assumptions alone
    included), 1 violated, drift with --fail-on-drift or unconfirmed with --strict-assumptions,
    2 usage or nothing checkable, 3 some checks had no usable answer."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if args.list_checks:
            return _list_checks(args, out)
        config = _gate_config(args, environ)
        before = baseline.load(args.baseline) if args.baseline and Path(args.baseline).exists() else None
    except (options.UsageError, ValueError) as exc:  # the token is not read yet: hidden all the same
        print(f"gate: {SecretMasker(environ.get(args.token_env, ''))(str(exc))}", file=err)
        return ExitCode.USAGE
    redact = SecretMasker(config.token)
    observer = baseline.Observer()
    stop = Stop(clock, config.deadline)
    SIGNALS.attach(stop, "gate")
    run = run_gate(config, progress=err, observer=observer, clock=clock, stop=stop)
    run.fail_on_drift, run.strict_assumptions = args.fail_on_drift, args.strict_assumptions
    run.strict_fields, run.token_env, run.shard = args.strict_fields, args.token_env, args.shard
    observed = baseline.with_plan(
        baseline.with_assumptions(observer.baseline(), run.results), config.plan_key(), args.shard
    )
    if before is not None and run.fatal is None:
        run.drift, notes = baseline.drift(before, observed)
        run.notes += notes
    elif args.baseline and run.fatal is None:
        run.notes.append(f"first night: {args.baseline} does not exist yet; this run starts the baseline, no drift")
    print_summary(run, out, redact, config.base_url)
    problems = []
    if args.save_baseline and run.fatal is None and run.stopped is None:
        problems.append(write_text(args.save_baseline, baseline.dumps(observed)))
        if args.shard[1] > 1 and problems[-1] is None:
            print(f"gate: {args.save_baseline} holds shard {args.shard[0]}/{args.shard[1]}'s part of the baseline; "
                  "merge the shards: python -m contracts baseline merge OUT FILE...", file=err)  # fmt: skip
    if args.junit_xml:
        problems.append(write_text(args.junit_xml, junit_xml(run, redact)))
    if args.json_report:
        problems.append(write_text(args.json_report, json_report(run, redact)))
    for problem in filter(None, problems):
        print(f"gate: {redact(problem)}", file=err)
    if run.fatal:
        print(f"gate: {redact(run.fatal)}", file=err)
    if run.stopped is not None:
        print(f"gate: {availability.stopped_line(run)}" + (
            f"; --save-baseline {args.save_baseline} not written (the run is incomplete)" if args.save_baseline
            else ""), file=err)  # fmt: skip
    if run.stopped is StopReason.INTERRUPTED:
        return run.exit_code  # 128 + the signal, whatever else happened: the reports carry the findings
    return ExitCode.USAGE if any(problems) else run.exit_code


def _record_config(args: argparse.Namespace, environ: dict[str, str]) -> RecordConfig:
    """Every argument checked before any request; UsageError names the first wrong one."""
    if not args.out:
        raise options.UsageError("--out DIR is required (the data folder to write)")
    options.writable_folder(args.out, "--out")
    try:
        check_out_folder(Path(args.out))
    except ValueError as exc:
        raise options.UsageError(f"--out {exc}") from None
    return RecordConfig(
        **_connection(args, environ),
        max_records=args.max_records,
        page_size=args.page_size,
        redact=not args.no_redact,
    )


def record_command(
    args: argparse.Namespace,
    environ: dict[str, str],
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> int:
    """`python -m contracts record` (arguments parsed): progress on stderr, the summary on stdout."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        config = _record_config(args, environ)
    except options.UsageError as exc:
        print(f"record: {SecretMasker(environ.get(args.token_env, ''))(str(exc))}", file=err)
        return ExitCode.USAGE
    redact = SecretMasker(config.token)
    if not config.redact:
        print(f"record: warning: --no-redact: {args.out} will hold personal data as received; "
              "do not commit or share it", file=err)  # fmt: skip
    stop = Stop(clock, config.deadline)
    SIGNALS.attach(stop, "record")
    run = run_recording(config, progress=err, clock=clock, stop=stop, out=args.out)
    if run.fatal is not None:
        if run.recording.sink is not None:
            run.recording.sink.discard()
        print(f"record: {redact(run.fatal)} (nothing was written)", file=err)
        return run.exit_code
    try:
        run.recording.write(args.out)
    except (OSError, ValueError) as exc:
        print(f"record: cannot write {args.out}: {redact(str(exc))}", file=err)
        return ExitCode.USAGE
    for line in summary_lines(run.recording, args.out):
        print(redact(line), file=out)
    for line in run.notes + run.partial:
        print(redact(f"note: {line}"), file=out)
    if run.stopped is not None:
        print(f"PARTIAL: the recording was stopped ({run.stopped.value}); {args.out} holds what was read, "
              "marked partial in agreement.json.", file=out)  # fmt: skip
    elif run.partial:
        print(f"Partly recorded: {len(run.partial)} account(s) stopped early (the API was unavailable).", file=out)
    return run.exit_code


INTERRUPTED = 130
"""Ctrl-C: 128 + SIGINT, as a shell reports a process a SIGINT ended (docs/gate.md: exit codes)."""


def _interrupted(command: str) -> NoReturn:
    """A KeyboardInterrupt (only when `main` runs without the stop-signal handler, i.e. called with
    `argv` from Python): one line, then out at once: requests still in flight in worker threads are not waited for
    (their timeouts and retries could take a minute), and no report is left half written (reports
    are written whole or not at all, see `write_text`)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{command}: interrupted (Ctrl-C); stopped, no report written\n")
        sys.stderr.flush()
    os._exit(INTERRUPTED)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process's own command line: its stop signals are ours to handle
        SIGNALS.install()
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # `python -m contracts openapi | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _interrupted(args.command)
    if SIGNALS.stopped:  # requests still in flight in worker threads are not waited for
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
