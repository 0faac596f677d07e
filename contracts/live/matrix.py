"""The gate's query matrix, derived from the parameter, field and error-case tables: the same checks
every run, each with a stable name (no cursor, id or account inside), so CI history stays joined.

Per account: every response format on get and list, each field excluded once, remote data ignored
and kept, the three array encodings, each date filter with each operator, the contract's error
cases, and the list walk. Get checks run once per sampled id: `get format=raw`, `get#2 format=raw`...
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.error_cases import PATH_ID, UNKNOWN_INTERVIEW, error_cases
from contracts.fields import PROVIDERS, fields_for, filterable_fields
from contracts.live.accounts import Account
from contracts.params import FILTER_OPERATORS, GET, LIST, LIST_PATH, RESPONSE_FORMATS
from contracts.query import ARRAY_FORMATS, encode_query

WALK = "list walk"
"""The check that pages through the list (its pages also give the ids the get checks use)."""


@dataclass(frozen=True)
class Case:
    """One request of one check."""

    account: Account
    check: str
    name: str
    path: str
    query: str
    expected_status: int | None = None  # for the error cases

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def _q(account: str | None, **params: Any) -> str:
    base = {"integrated_account_id": account} if account else {}
    return encode_query({**base, **params})


def _variants(endpoint: str, provider: str, account: str, extra: dict[str, str]) -> list[tuple[str, str]]:
    """(check name, query) of the valid variants shared by get and list."""
    names = [f.name for f in fields_for(provider)]
    out = [(f"{endpoint} format={fmt}", _q(account, truto_response_format=fmt, **extra)) for fmt in RESPONSE_FORMATS]
    out += [(f"{endpoint} exclude {name}", _q(account, truto_exclude_fields=[name], **extra)) for name in names]
    out += [
        (f"{endpoint} truto_ignore_remote_data={flag}", _q(account, truto_ignore_remote_data=flag, **extra))
        for flag in ("true", "false")
    ]
    params = {"integrated_account_id": account, "truto_exclude_fields": names[-2:], **extra}
    out += [(f"{endpoint} array encoding={s}", encode_query(params, array_format=s)) for s in ARRAY_FORMATS]
    return out


def _error_query(case_param: str, value: Any, account: str) -> str:
    params: dict[str, Any] = {"integrated_account_id": account}
    if case_param != PATH_ID:
        params.pop(case_param, None)
        if value is not None:
            params[case_param] = value
    return encode_query(params)


def list_checks(account: Account) -> list[tuple[str, str, int | None]]:
    """(check, query, expected status) of the list endpoint, walk excluded."""
    out: list[tuple[str, str, int | None]] = [(n, q, None) for n, q in _variants(LIST, account.provider, account.id,
                                                                                 {"limit": "5"})]  # fmt: skip
    out += [
        (f"list filter {name}[{op}]", _q(account.id, **{name: {op: "2000-01-01T00:00:00Z"}}, limit="5"), None)
        for name in filterable_fields(account.provider)
        for op in FILTER_OPERATORS
    ]
    out += [
        (f"list error {c.name}", _error_query(c.param, c.value, account.id), c.status)
        for c in error_cases(LIST, gate_only=True)
    ]
    return out


def get_checks(account: Account) -> list[tuple[str, str, int | None, str | None]]:
    """(check, query, expected status, interview id) of the get endpoint. Id None: run on every
    sampled id; error cases run once, on the first sampled id or on an id nobody has."""
    out: list[tuple[str, str, int | None, str | None]] = [
        (n, q, None, None) for n, q in _variants(GET, account.provider, account.id, {})
    ]
    out.append(
        ("get skip api call", _q(account.id, truto_response_format="debug", truto_skip_api_call="true"), None, None)
    )
    out += [
        (f"get error {c.name}", _error_query(c.param, c.value, account.id), c.status,
         c.value if c.param == PATH_ID else "")
        for c in error_cases(GET, gate_only=True)
    ]  # fmt: skip
    return out


def check_names(provider: str) -> list[str]:
    """Every check the gate knows for `provider`, in a fixed order (the order shards split)."""
    probe = Account(provider, "00000000-0000-4000-8000-000000000001", provider)
    return [WALK] + [c[0] for c in list_checks(probe)] + [c[0] for c in get_checks(probe)]


def all_check_names() -> dict[str, list[str]]:
    """check name -> the providers it applies to, for `--list-checks`."""
    out: dict[str, list[str]] = {}
    for provider in PROVIDERS:
        for name in check_names(provider):
            out.setdefault(name, []).append(provider)
    return out


def unmatched_patterns(patterns: Sequence[str]) -> list[str]:
    """The `--check`/`--exclude-check` patterns that name no check at all (a typo, surely)."""
    names = list(all_check_names())
    return [p for p in patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]


@dataclass(frozen=True)
class Selection:
    """Which checks run: `--check`, `--exclude-check` (glob patterns) and `--shard K/N`."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    shard: tuple[int, int] = (1, 1)

    def split(self, provider: str) -> tuple[list[str], dict[str, str]]:
        """(checks to run, {check left out: why}) for one provider."""
        chosen: list[str] = []
        left: dict[str, str] = {}
        k, n = self.shard
        for index, name in enumerate(check_names(provider)):
            if self.include and not any(fnmatch.fnmatchcase(name, p) for p in self.include):
                left[name] = "not selected by --check"
            elif any(fnmatch.fnmatchcase(name, p) for p in self.exclude):
                left[name] = "excluded by --exclude-check"
            elif index % n != k - 1:
                left[name] = f"in another shard than {k}/{n}"
            else:
                chosen.append(name)
        return chosen, left


def sample_ids(ids: Sequence[str], count: int) -> list[str]:
    """`count` ids spread evenly over those read (first, last and between), duplicates dropped:
    the same pages give the same sample."""
    unique = list(dict.fromkeys(ids))
    if len(unique) <= count:
        return unique
    if count == 1:
        return [unique[0]]
    step = (len(unique) - 1) / (count - 1)
    return [unique[round(i * step)] for i in range(count)]


def build_cases(account: Account, checks: Sequence[str], ids: Sequence[str]) -> list[Case]:
    """The requests of the chosen checks (the walk excepted) for one account and its sampled ids."""
    chosen = set(checks)
    cases = [
        Case(account, name, name, LIST_PATH, query, status)
        for name, query, status in list_checks(account)
        if name in chosen
    ]
    for name, query, status, fixed in get_checks(account):
        if name not in chosen:
            continue
        targets = list(ids) if fixed is None else [fixed or (ids[0] if ids else UNKNOWN_INTERVIEW)]
        for n, interview_id in enumerate(targets, start=1):
            instance = name if n == 1 else name.replace("get", f"get#{n}", 1)
            cases.append(Case(account, name, instance, f"{LIST_PATH}/{interview_id}", query, status))
    return cases


def walk_query(account: str, cursor: str | None, limit: int) -> str:
    params: dict[str, Any] = {"limit": str(limit)}
    if cursor:
        params["next_cursor"] = cursor
    return _q(account, **params)
