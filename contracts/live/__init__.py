"""The client side of the kit: what talks to a running API (Truto's or the mock).

An HTTP client with retries and pacing by rate-limit headers, the gate's matrix, its runner and
reports, and the drift baseline. It stands on the contract floor; the floor never imports it.

The public names are imported on first use (PEP 562), as in `contracts`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `python -m contracts` imports this first, keep it light
if TYPE_CHECKING:
    from contracts.live.accounts import Account, AccountError
    from contracts.live.calibration import Calibration
    from contracts.live.client import ApiClient
    from contracts.live.clock import SYSTEM_CLOCK, Clock, SystemClock
    from contracts.live.fetched import Fetched
    from contracts.live.pacing import Pacer
    from contracts.live.results import CheckResult, ExitCode, GateRun, Outcome
    from contracts.live.retry import RetryPolicy
    from contracts.live.runner import GateConfig, run_gate

__all__ = [
    "SYSTEM_CLOCK",
    "Account",
    "AccountError",
    "ApiClient",
    "Calibration",
    "CheckResult",
    "Clock",
    "ExitCode",
    "Fetched",
    "GateConfig",
    "GateRun",
    "Outcome",
    "Pacer",
    "RetryPolicy",
    "SystemClock",
    "run_gate",
]
_HOMES = {
    "Account": "contracts.live.accounts",
    "AccountError": "contracts.live.accounts",
    "ApiClient": "contracts.live.client",
    "Calibration": "contracts.live.calibration",
    "CheckResult": "contracts.live.results",
    "Clock": "contracts.live.clock",
    "ExitCode": "contracts.live.results",
    "Fetched": "contracts.live.fetched",
    "GateConfig": "contracts.live.runner",
    "GateRun": "contracts.live.results",
    "Outcome": "contracts.live.results",
    "Pacer": "contracts.live.pacing",
    "RetryPolicy": "contracts.live.retry",
    "SYSTEM_CLOCK": "contracts.live.clock",
    "SystemClock": "contracts.live.clock",
    "run_gate": "contracts.live.runner",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contracts.live' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(home), name)


def __dir__() -> list[str]:
    """The public names too, though they load on first use (for `dir()`, a REPL's completion)."""
    return sorted({*globals(), *__all__})
