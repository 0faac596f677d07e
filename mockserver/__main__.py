"""`python -m mockserver` / `truto-mock`: serve the Truto interviews mock (127.0.0.1:8000, built-in data).

Open the base URL in a browser for the page at `/`: accounts, interviews in every response format,
scenario links and the live request journal. Stop it with Ctrl-C.

This module takes SIGINT, SIGTERM and SIGHUP as its first instruction (when run as the command) and
imports everything else inside `main`, so a stop signal at any instant is either one line and exit
130 (while starting) or the stop line and exit 0 (once serving): see `mockserver.stopsignals`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mockserver import stopsignals

PROG = "truto-mock"
if __name__ == "__main__" or sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".exe") == PROG:
    stopsignals.install()  # `python -m mockserver` or the `truto-mock` script: before anything else


def main(argv: Sequence[str] | None = None) -> int:
    """Exit codes: 0 after serving until stopped (Ctrl-C, SIGTERM, SIGHUP), 2 on bad usage, data or
    address, 130 when stopped while still starting up."""
    installed_here = stopsignals.install()  # False when run as the command: taken on import already
    try:
        from mockserver.cli import run_cli

        return run_cli(argv)
    except (stopsignals.Interrupted, KeyboardInterrupt):
        print(f"{PROG}: interrupted while starting", file=sys.stderr, flush=True)
        return 130
    finally:
        if installed_here:  # an in-process caller (a test) gets its handlers back
            stopsignals.uninstall()


if __name__ == "__main__":
    sys.exit(main())
