"""`python -m contracts record` (arguments parsed): check every argument before any request, record
the accounts into a data folder, print the summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from contracts.live import options
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop
from contracts.live.masking import SecretMasker
from contracts.live.record_summary import summary_lines
from contracts.live.recorder import RecordConfig, run_recording
from contracts.live.recording import check_out_folder
from contracts.live.results import ExitCode
from contracts.live.signals import SIGNALS


def record_config(args: argparse.Namespace, environ: dict[str, str]) -> RecordConfig:
    """Every argument checked before any request; UsageError names the first wrong one."""
    if not args.out:
        raise options.UsageError("--out DIR is required (the data folder to write)")
    options.writable_folder(args.out, "--out")
    try:
        check_out_folder(Path(args.out))
    except ValueError as exc:
        raise options.UsageError(f"--out {exc}") from None
    return RecordConfig(
        **options.connection_settings(args, environ),
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
        config = record_config(args, environ)
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
