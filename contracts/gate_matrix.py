"""The gate's query matrix, derived from the parameter and field tables: the same cases every run.

Per account: every response format on get and list, each field excluded once, remote data ignored
and kept, the three array encodings, the provider's date filters, the documented error cases, and
paging to the end (the walk itself is done by the runner, which follows `next_cursor`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.fields import fields_for, filterable_fields
from contracts.params import FILTER_OPERATORS, LIST_PATH, RESPONSE_FORMATS
from contracts.query import ARRAY_FORMATS, encode_query

UNKNOWN_ACCOUNT = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Case:
    """One request the gate sends and checks."""

    provider: str
    check: str  # the row of the summary table, e.g. "get format=raw"
    path: str
    query: str
    expected_status: int | None = None  # for the error cases

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def _q(account: str | None, **params: Any) -> str:
    base = {"integrated_account_id": account} if account else {}
    return encode_query({**base, **params})


def get_cases(provider: str, account: str, interview_id: str) -> list[Case]:
    """The matrix for one interview id."""
    path = f"{LIST_PATH}/{interview_id}"
    names = [f.name for f in fields_for(provider)]
    cases = [
        Case(provider, f"get format={fmt}", path, _q(account, truto_response_format=fmt)) for fmt in RESPONSE_FORMATS
    ]
    cases += [Case(provider, "get exclude field", path, _q(account, truto_exclude_fields=[name])) for name in names]
    cases += [
        Case(provider, "get remote data", path, _q(account, truto_ignore_remote_data=flag))
        for flag in ("true", "false")
    ]
    cases += [
        Case(provider, f"get array encoding={style}", path, encode_query(
            {"integrated_account_id": account, "truto_exclude_fields": names[-2:]}, array_format=style
        ))
        for style in ARRAY_FORMATS
    ]  # fmt: skip
    cases.append(
        Case(
            provider, "get skip api call", path, _q(account, truto_response_format="debug", truto_skip_api_call="true")
        )
    )
    return cases


def list_cases(provider: str, account: str) -> list[Case]:
    """The list matrix (first pages); paging to the end is walked separately."""
    names = [f.name for f in fields_for(provider)]
    cases = [
        Case(provider, f"list format={fmt}", LIST_PATH, _q(account, truto_response_format=fmt, limit="5"))
        for fmt in RESPONSE_FORMATS
    ]
    cases += [
        Case(provider, "list exclude field", LIST_PATH, _q(account, truto_exclude_fields=[name], limit="5"))
        for name in names
    ]
    cases += [
        Case(provider, "list remote data", LIST_PATH, _q(account, truto_ignore_remote_data=flag, limit="5"))
        for flag in ("true", "false")
    ]
    cases += [
        Case(provider, f"list array encoding={style}", LIST_PATH, encode_query(
            {"integrated_account_id": account, "truto_exclude_fields": names[-2:], "limit": "5"}, array_format=style
        ))
        for style in ARRAY_FORMATS
    ]  # fmt: skip
    cases += [
        Case(provider, "list filter", LIST_PATH, _q(account, **{name: {op: "2000-01-01T00:00:00Z"}}, limit="5"))
        for name in filterable_fields(provider)
        for op in FILTER_OPERATORS
    ]
    return cases


def error_cases(provider: str, account: str, interview_ids: Sequence[str]) -> list[Case]:
    """Requests the contract says must fail, with the status Truto documents (or the kit assumes)."""
    some_id = interview_ids[0] if interview_ids else "0"
    return [
        Case(provider, "error missing integrated_account_id", LIST_PATH, "", 400),
        Case(provider, "error bad response format", LIST_PATH, _q(account, truto_response_format="xml"), 400),
        Case(provider, "error unknown account", f"{LIST_PATH}/{some_id}", _q(UNKNOWN_ACCOUNT), 404),
        Case(provider, "error unknown interview", f"{LIST_PATH}/no-such-interview-0", _q(account), 404),
    ]


def paging_query(account: str, cursor: str | None, limit: int) -> str:
    return _q(account, limit=str(limit), next_cursor=cursor or "")
