"""`python -m contracts gate` (arguments parsed): check every argument before any request, run the
gate, compare with the baseline, write the reports, choose the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from contracts.live import availability, baseline, options
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason
from contracts.live.files import write_text
from contracts.live.masking import SecretMasker
from contracts.live.matrix import Selection, unmatched_patterns
from contracts.live.report import json_report, junit_xml, print_summary
from contracts.live.results import ExitCode
from contracts.live.runner import GateConfig, run_gate
from contracts.live.signals import SIGNALS
from contracts.providers import PROVIDERS


def list_checks(args: argparse.Namespace, out: TextIO) -> int:
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


def gate_config(args: argparse.Namespace, environ: dict[str, str]) -> GateConfig:
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
        **options.connection_settings(args, environ),
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
            return list_checks(args, out)
        config = gate_config(args, environ)
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
