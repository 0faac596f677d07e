"""`python -m contracts record` (arguments parsed): check every argument before any request, record
the accounts into a data folder, print the summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from contracts.live import options
from contracts.live.clock import SYSTEM_CLOCK, Clock, Stop, StopReason
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
    created = _missing(Path(args.out))
    run = run_recording(config, progress=err, clock=clock, stop=stop, out=args.out)
    if run.fatal is not None or (run.stopped is not None and not run.recording.pages):
        if run.recording.sink is not None:
            run.recording.sink.discard()
        _remove_empty(created)
        why = f"{redact(run.fatal)} (nothing was written)" if run.fatal is not None else _nothing(run.stopped, args.out)
        print(f"record: {why}", file=err)
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


def _nothing(reason: StopReason | None, out: str) -> str:
    """The line of a run stopped before its first list page was read."""
    how = "interrupted by a stop signal" if reason is StopReason.INTERRUPTED else "stopped at the --deadline"
    return f"the recording was {how} before any list page was read: nothing was recorded ({out} not written)"


def _missing(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist yet, deepest first: what the run creates."""
    missing: list[Path] = []
    for path in (folder.absolute(), *folder.absolute().parents):
        if path.exists():
            break
        missing.append(path)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this run created (deepest first), each only if it is empty: a recording that
    recorded nothing leaves no folder behind, and never removes a file it did not write."""
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue  # never made
        except OSError:
            return  # not empty: leave it and its parents
