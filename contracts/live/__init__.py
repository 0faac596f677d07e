"""The client side of the kit: what talks to a running API (Truto's or the mock).

An HTTP client with retries and pacing by rate-limit headers, the gate's matrix, its runner and
reports, and the drift baseline. It stands on the contract floor; the floor never imports it.
"""

from contracts.live.accounts import Account, AccountError
from contracts.live.client import ApiClient, Fetched, RetryPolicy
from contracts.live.clock import SYSTEM_CLOCK, Clock, SystemClock
from contracts.live.pacing import Pacer
from contracts.live.results import CheckResult, ExitCode, GateRun, Outcome
from contracts.live.runner import GateConfig, run_gate

__all__ = [
    "SYSTEM_CLOCK",
    "Account",
    "AccountError",
    "ApiClient",
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
