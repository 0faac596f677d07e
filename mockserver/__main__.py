"""`python -m mockserver` / `truto-mock`: serve the Truto interviews mock (127.0.0.1:8000, built-in data).

Open the base URL in a browser for the page at `/`: accounts, interviews in every response format,
scenario links and the live request journal. Stop it with Ctrl-C.

`main` takes SIGINT, SIGTERM and SIGHUP as its first instruction and imports everything else after,
so a stop signal at any instant is either one line and exit 130 (while starting) or the stop line and
exit 0 (once serving): see `mockserver.stopsignals`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from mockserver import stopsignals

PROG = "truto-mock"


def main(argv: Sequence[str] | None = None) -> int:
    """Exit codes: 0 after serving until stopped (Ctrl-C, SIGTERM, SIGHUP), 2 on bad usage, data or
    address, 130 when stopped while still starting up (0 under make: make would add an "Error 130"
    line of its own, and a make stopped by the terminal exits by the signal anyway).

    `argv=None` is the command itself: it keeps the signals to the end and follows a `make` above it.
    An in-process caller (a test) passes `argv` and gets its own handlers back afterwards."""
    command = argv is None
    try:
        stopsignals.install()
        if command:
            stopsignals.follow_make()
        stopsignals.import_native_extensions()
        from mockserver.cli import run_cli

        return run_cli(argv)
    except BaseException as exc:
        stopsignals.interrupt_caught()
        if not isinstance(exc, stopsignals.Interrupted | KeyboardInterrupt) and not stopsignals.interrupted_start():
            raise
        print(f"{PROG}: interrupted while starting", file=sys.stderr, flush=True)
        return 0 if os.environ.get("MAKELEVEL") else 130
    finally:
        if command:
            stopsignals.settle_with_make()
            stopsignals.ignore_further()
        else:
            stopsignals.uninstall()


if __name__ == "__main__":
    sys.exit(main())
