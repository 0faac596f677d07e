"""The error cases of the contract: requests broken in exactly one way and the status they must get.

One table, read by the gate's matrix (the cases marked `gate`) and by the strategies' invalid
queries (every case that breaks a query parameter). Each case names what its status stands on
(`basis`) and what "it is refused at all" stands on (`refusal_basis`): only the 404s are documented,
and that a request without `integrated_account_id` is refused (see docs/assumptions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.params import ENDPOINTS, GET, LIST

UNKNOWN_ACCOUNT = "00000000-0000-4000-8000-000000000000"
"""A well-formed integrated account id no server knows."""
UNKNOWN_INTERVIEW = "no-such-interview-0"

PATH_ID = "{id}"
"""`param` of a case that breaks the path's interview id rather than a query parameter."""


@dataclass(frozen=True)
class ErrorCase:
    """One breakage: set `param` to `value` (None: leave it out) and expect `status`."""

    name: str  # short and stable: part of the gate's check names
    param: str
    value: Any
    status: int
    endpoints: tuple[str, ...] = ENDPOINTS
    gate: bool = False  # the gate sends it against every account
    basis: str = "A-bad-value-400"
    """What the exact status stands on (an id of `contracts.basis`)."""
    refusal_basis: str = ""
    """What "answered with an error at all" stands on; the same as `basis` when empty."""

    def __post_init__(self) -> None:
        if not self.refusal_basis:
            object.__setattr__(self, "refusal_basis", self.basis)


ERROR_CASES: tuple[ErrorCase, ...] = (
    ErrorCase(
        "missing integrated_account_id",
        "integrated_account_id",
        None,
        400,
        gate=True,
        basis="A-missing-account-400",
        refusal_basis="D-account-required",
    ),
    ErrorCase(
        "integrated_account_id is not a UUID",
        "integrated_account_id",
        "not-a-uuid",
        400,
        gate=True,
        basis="A-account-uuid-400",
    ),
    ErrorCase(
        "unknown account", "integrated_account_id", UNKNOWN_ACCOUNT, 404, gate=True, basis="D-unknown-account-404"
    ),
    ErrorCase("unknown interview", PATH_ID, UNKNOWN_INTERVIEW, 404, (GET,), gate=True, basis="D-unknown-resource-404"),
    ErrorCase("bad response format", "truto_response_format", "xml", 400, gate=True, basis="A-bad-format-400"),
    ErrorCase("truto_ignore_remote_data not true/false", "truto_ignore_remote_data", "yes", 400),
    ErrorCase("truto_skip_api_call not true/false", "truto_skip_api_call", "1", 400),
    ErrorCase("unknown field excluded", "truto_exclude_fields", ["salary"], 400),
    ErrorCase("remote_query not an object", "remote_query", "flat", 400),
    ErrorCase("parameter outside the contract", "sort_by", "created_at", 400, gate=True, basis="A-unknown-param-400"),
    ErrorCase("list-only parameter on get", "limit", "10", 400, (GET,), basis="A-unknown-param-400"),
    ErrorCase("limit of zero", "limit", "0", 400, (LIST,)),
    ErrorCase("negative limit", "limit", "-5", 400, (LIST,)),
    ErrorCase("limit not a number", "limit", "ten", 400, (LIST,)),
    ErrorCase("truto_ignore_limit not true/false", "truto_ignore_limit", "maybe", 400, (LIST,)),
    ErrorCase("cursor the server never issued", "next_cursor", "not a cursor", 400, (LIST,)),
    ErrorCase("unknown filter operator", "created_at", {"after": "2024-01-01T00:00:00Z"}, 400, (LIST,)),
    ErrorCase("filter value not a date", "created_at", {"gt": "yesterday"}, 400, (LIST,)),
    ErrorCase("filter without an operator", "created_at", "2024-01-01T00:00:00Z", 400, (LIST,)),
    ErrorCase("truto_key_by names no field", "truto_key_by", "salary", 400, (LIST,)),
    ErrorCase("truto_key_by names an object field", "truto_key_by", "candidate", 400, (LIST,)),
    ErrorCase("list-only truto_key_by on get", "truto_key_by", "id", 400, (GET,), basis="A-unknown-param-400"),
)


def error_cases(endpoint: str, *, gate_only: bool = False) -> tuple[ErrorCase, ...]:
    """The cases that apply to `endpoint` ("get" or "list")."""
    return tuple(c for c in ERROR_CASES if endpoint in c.endpoints and (c.gate or not gate_only))
