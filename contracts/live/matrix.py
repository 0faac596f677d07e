"""The gate's query matrix, derived from the parameter, field and error-case tables: the same checks
every run, each with a stable name (no cursor, id or account inside), so CI history stays joined.

Per account: every response format on get and list, each field excluded once, remote data ignored
and kept, the three array encodings, each date filter with each operator, the contract's error
cases, and the list walk. Get checks run once per sampled id: `get format=raw`, `get#2 format=raw`...

Each check names what it stands on, from the same tables (`contracts.basis` ids): the parameters it
sends, the filter operator, the array encoding, the error case. A check whose request is valid only
under an assumption (`lte`, `debug` on a list, the indexed array form) expects its 200 on that
assumption; an error case expects its status on the case's basis.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from contracts.accounts import Account, AccountId
from contracts.basis import is_assumed
from contracts.error_cases import PATH_ID, UNKNOWN_INTERVIEW, ErrorCase, error_cases
from contracts.live.results import SkipReason
from contracts.params import (
    FILTER_OPERATORS,
    GET,
    LIST,
    LIST_PATH,
    OPERATOR_BASIS,
    PARAM_BY_NAME,
    RESPONSE_FORMATS,
)
from contracts.providers import PROVIDERS, fields_for, filterable_fields
from contracts.query import ARRAY_FORMATS, encode_query

WALK = "list walk"
"""The check that pages through the list (its pages also give the ids the get checks use)."""
READ = "D-read-200"
ENCODING_BASIS = {"brackets": "D-exclude-fields", "comma": "D-exclude-comma", "indices": "A-exclude-indices"}
"""What each array encoding of `truto_exclude_fields` stands on."""


@dataclass(frozen=True)
class Check:
    """One check of the registry: its stable name, its query, the status it expects, and what it stands on."""

    name: str
    query: str
    expected_status: int | None = None  # None: a read that must answer 200
    basis: tuple[str, ...] = (READ,)
    """Every id the request stands on (the parameters, operator, encoding, or the error case)."""
    refusal_basis: str = READ
    """Error cases: what "the request is refused at all" stands on."""
    interview_id: str | None = None  # get only; None: every sampled id, "": the first one
    error_case: str = ""
    """Error cases: the case's name, the reason the request must be refused (`missing integrated_account_id`)."""

    @property
    def status_basis(self) -> str:
        """What the expected status stands on: the first assumption among the bases, else the last basis."""
        return next((b for b in self.basis if is_assumed(b)), self.basis[-1])


@dataclass(frozen=True)
class Case:
    """One request of one check."""

    account: Account
    check: str
    name: str
    path: str
    query: str
    expected_status: int | None = None  # for the error cases
    spec: Check | None = None  # the registry's entry (None: the walk's pages)

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def _q(account: str | None, **params: Any) -> str:
    base = {"integrated_account_id": account} if account else {}
    return encode_query({**base, **params})


def _on(*params: str) -> tuple[str, ...]:
    """The bases of the parameters a request sends (each id once, in order)."""
    return tuple(dict.fromkeys(PARAM_BY_NAME[p].basis for p in params))


def _variants(endpoint: str, provider: str, account: str, extra: dict[str, str]) -> list[Check]:
    """The valid variants shared by get and list."""
    names = [f.name for f in fields_for(provider)]
    sent = ("integrated_account_id", *extra)
    debug_list = ("A-debug-on-lists",) if endpoint == LIST else ()
    out = [
        Check(f"{endpoint} format={fmt}", _q(account, truto_response_format=fmt, **extra),
              basis=_on(*sent, "truto_response_format") + (debug_list if fmt == "debug" else ()))
        for fmt in RESPONSE_FORMATS
    ]  # fmt: skip
    out += [
        Check(f"{endpoint} exclude {name}", _q(account, truto_exclude_fields=[name], **extra),
              basis=_on(*sent, "truto_exclude_fields"))
        for name in names
    ]  # fmt: skip
    out += [
        Check(f"{endpoint} truto_ignore_remote_data={flag}", _q(account, truto_ignore_remote_data=flag, **extra),
              basis=_on(*sent, "truto_ignore_remote_data"))
        for flag in ("true", "false")
    ]  # fmt: skip
    params = {"integrated_account_id": account, "truto_exclude_fields": names[-2:], **extra}
    out += [
        Check(f"{endpoint} array encoding={s}", encode_query(params, array_format=s),
              basis=(*_on(*sent), ENCODING_BASIS[s]))
        for s in ARRAY_FORMATS
    ]  # fmt: skip
    return out


def _error_check(endpoint: str, case: ErrorCase, account: str) -> Check:
    interview = (case.value if case.param == PATH_ID else "") if endpoint == GET else None
    return Check(f"{endpoint} error {case.name}", _error_query(case.param, case.value, account), case.status,
                 (case.basis,), case.refusal_basis, interview, case.name)  # fmt: skip


def _error_query(case_param: str, value: Any, account: str) -> str:
    params: dict[str, Any] = {"integrated_account_id": account}
    if case_param != PATH_ID:
        params.pop(case_param, None)
        if value is not None:
            params[case_param] = value
    return encode_query(params)


def list_checks(account: Account) -> list[Check]:
    """The checks of the list endpoint, walk excluded."""
    out = _variants(LIST, account.provider, account.id, {"limit": "5"})
    out += [
        Check(f"list filter {name}[{op}]", _q(account.id, **{name: {op: "2000-01-01T00:00:00Z"}}, limit="5"),
              basis=tuple(dict.fromkeys((*_on("integrated_account_id", "limit", name), OPERATOR_BASIS[op]))))
        for name in filterable_fields(account.provider)
        for op in FILTER_OPERATORS
    ]  # fmt: skip
    out.append(Check("list key_by=id", _q(account.id, truto_key_by="id", limit="5"),
                     basis=_on("integrated_account_id", "limit", "truto_key_by")))  # fmt: skip
    out += [_error_check(LIST, c, account.id) for c in error_cases(LIST, gate_only=True)]
    return out


def get_checks(account: Account) -> list[Check]:
    """The checks of the get endpoint. Interview id None: run on every sampled id; error cases run
    once, on the first sampled id ("") or on an id nobody has."""
    out = _variants(GET, account.provider, account.id, {})
    out.append(
        Check("get skip api call", _q(account.id, truto_response_format="debug", truto_skip_api_call="true"),
              basis=(*_on("integrated_account_id", "truto_skip_api_call"), "D-debug-envelope"))
    )  # fmt: skip
    out += [_error_check(GET, c, account.id) for c in error_cases(GET, gate_only=True)]
    return out


WALK_CHECK = Check(WALK, "", basis=("D-account-required", "D-pagination-params", "D-list-envelope"))


def checks_for(provider: str) -> list[Check]:
    """Every check the gate knows for `provider`, in a fixed order (the order shards split)."""
    probe = Account(AccountId("00000000-0000-4000-8000-000000000001"), provider, provider)
    return [WALK_CHECK, *list_checks(probe), *get_checks(probe)]


def check_names(provider: str) -> list[str]:
    return [c.name for c in checks_for(provider)]


def all_check_names() -> dict[str, list[str]]:
    """check name -> the providers it applies to, for `--list-checks`."""
    out: dict[str, list[str]] = {}
    for provider in PROVIDERS:
        for name in check_names(provider):
            out.setdefault(name, []).append(provider)
    return out


def name_matches(name: str, pattern: str) -> bool:
    """A check's exact name always matches itself (`list filter created_at[gt]` holds brackets, which
    a glob reads as a character class); anything else is a glob pattern (`'get format=*'`)."""
    return name == pattern or fnmatch.fnmatchcase(name, pattern)


def unmatched_patterns(patterns: Sequence[str]) -> list[str]:
    """The `--check`/`--exclude-check` patterns that name no check at all (a typo, surely)."""
    names = list(all_check_names())
    return [p for p in patterns if not any(name_matches(n, p) for n in names)]


@dataclass(frozen=True)
class Selection:
    """Which checks run: `--check`, `--exclude-check` (glob patterns) and `--shard K/N`."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    shard: tuple[int, int] = (1, 1)

    def split(self, provider: str) -> tuple[list[str], dict[str, SkipReason]]:
        """(checks to run, {check left out: why}) for one provider."""
        chosen: list[str] = []
        left: dict[str, SkipReason] = {}
        k, n = self.shard
        for index, name in enumerate(check_names(provider)):
            if self.include and not any(name_matches(name, p) for p in self.include):
                left[name] = SkipReason.NOT_SELECTED
            elif any(name_matches(name, p) for p in self.exclude):
                left[name] = SkipReason.EXCLUDED
            elif index % n != k - 1:
                left[name] = SkipReason.OTHER_SHARD
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


def instance_name(check: str, n: int) -> str:
    """The name of the n-th instance of a get check (`get#2 format=raw`); the first keeps the check's name."""
    return check if n == 1 else check.replace("get", f"get#{n}", 1)


def instances(check: Check, id_slots: int) -> list[str]:
    """The plan's instance names of `check`: a get check that runs on every id has `id_slots` of
    them (the ids given with --id, else --max-ids), whatever the walk reads; any other check one."""
    count = id_slots if check.name.startswith("get ") and check.interview_id is None else 1
    return [instance_name(check.name, n) for n in range(1, count + 1)]


def plan_names(provider: str, checks: Sequence[str], id_slots: int) -> list[str]:
    """The plan of one account: every instance name of the chosen checks, in the matrix's order.
    It depends only on the options (the checks chosen, the id slots), never on answers or data."""
    chosen = set(checks)
    return [name for c in checks_for(provider) if c.name in chosen for name in instances(c, id_slots)]


def build_cases(account: Account, checks: Sequence[str], ids: Sequence[str], id_slots: int) -> list[Case]:
    """The requests of the chosen checks (the walk excepted) for one account: each get instance on
    its sampled id, as far as there are ids (the instances without one are skipped by the caller)."""
    chosen = set(checks)
    cases = [Case(account, c.name, c.name, LIST_PATH, c.query, c.expected_status, c)
             for c in list_checks(account) if c.name in chosen]  # fmt: skip
    for c in get_checks(account):
        if c.name not in chosen:
            continue
        fixed = c.interview_id
        targets = list(ids)[:id_slots] if fixed is None else [fixed or (ids[0] if ids else UNKNOWN_INTERVIEW)]
        for n, interview_id in enumerate(targets, start=1):
            cases.append(Case(account, c.name, instance_name(c.name, n), interview_path(interview_id), c.query,
                              c.expected_status, c))  # fmt: skip
    return cases


def interview_path(interview_id: str) -> str:
    """The get path of `interview_id`, the id encoded as one path segment (`/`, `?`, `#`, `%`, spaces
    and dot segments cannot change the route)."""
    segment = quote(interview_id, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return f"{LIST_PATH}/{segment}"


def walk_query(account: str, cursor: str | None, limit: int) -> str:
    params: dict[str, Any] = {"limit": str(limit)}
    if cursor:
        params["next_cursor"] = cursor
    return _q(account, **params)
