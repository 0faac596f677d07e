"""`python -m contracts` / `truto-contracts`: validate a file, print the OpenAPI document or a JSON
Schema, run the gate, record an account (the commands are in `contracts.cli`; exit codes in `--help`
and docs/gate.md).

The stop signals (SIGINT, SIGTERM) are taken by the command's first instruction, before it imports
the kit: `python -m contracts` at this module's top, `truto-contracts` as `main`'s first line (the
packages `contracts` and `contracts.live` import their names on first use, so getting here costs
next to nothing). A stop while starting is one line and exit 130 / 143, never a traceback; during a
run it stops the run, which still writes its reports (`contracts.live.signals`).
"""

from __future__ import annotations

if __name__ == "__main__":  # `python -m contracts`: the signals first, everything else after
    from contracts.live.signals import SIGNALS

    SIGNALS.install()

import contextlib
import os
import sys

from contracts.live.signals import SIGNALS

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: nothing heavier than the signals before `main` runs
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

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
    """Run the command line `argv` (None: the process's own, whose stop signals are then ours)."""
    if argv is None:
        SIGNALS.install()
    from contracts.cli.parser import build_parser  # after the signals: the kit's imports take a while

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
