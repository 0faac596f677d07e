"""Strategies for query strings of the interviews endpoints, valid and invalid, from the parameter table.

A valid query holds every kind of parameter the table lists for the endpoint (the provider's filters
only), encoded with one of the three array encodings Truto accepts. An invalid query is a valid one
with exactly one thing broken, paired with the error a Truto-shaped server must answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contracts.datafolder import default_accounts as datafolder_default_accounts
from contracts.error_cases import PATH_ID, error_cases
from contracts.errors import reason_phrase
from contracts.fields import FIELD_NAMES
from contracts.params import FILTER_OPERATORS, PARAM_BY_NAME, ParamType, params_for
from contracts.providers import PROVIDERS, filterable_fields
from contracts.query import ARRAY_FORMATS, ArrayFormat, encode_query
from strategies._args import check_endpoint, check_provider
from strategies._named import as_call
from strategies.interviews import datetimes_rfc3339

QueryPairs = tuple[tuple[str, str], ...]


def _pairs(query_string: str) -> QueryPairs:
    return tuple(parse_qsl(query_string, keep_blank_values=True))


@dataclass(frozen=True)
class GeneratedQuery:
    """One request's query, ready to send: `params` for httpx or requests, `query_string` for a URL."""

    endpoint: str
    """`get` or `list`."""
    provider: str
    """The provider whose account the query asks for."""
    params: QueryPairs
    """(name, value) pairs in the drawn array encoding (`truto_exclude_fields[]`, `created_at[gt]`...):
    `httpx.get(url, params=query.params)` and `requests.get(url, params=query.params)` send them as drawn."""
    array_format: ArrayFormat
    """The array encoding drawn: `brackets`, `indices` or `comma`."""
    query_string: str
    """The same query, encoded: `f"{path}?{query.query_string}"`."""
    nested: Mapping[str, Any]
    """The parameters before encoding: filters and `remote_query` as dicts, excluded fields as a list."""


@dataclass(frozen=True)
class InvalidQuery:
    """A query that breaks the contract in one way, and what the server must answer."""

    endpoint: str
    """`get` or `list`."""
    provider: str
    """The provider whose account the query asks for."""
    query_string: str
    """The broken query, encoded for a URL."""
    expected_status: int
    """The status a Truto-shaped server answers it with."""
    reason: str
    """What was broken, for a person reading a failing example."""
    expected_error: str = field(init=False)
    """The error phrase of `expected_status` (`Bad Request`): the answer's `error`."""
    params: QueryPairs = field(init=False)
    """The same query as (name, value) pairs, for httpx's or requests' `params=`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected_error", reason_phrase(self.expected_status))
        object.__setattr__(self, "params", _pairs(self.query_string))


def default_accounts() -> dict[str, str]:
    """provider -> integrated account id, from the kit's default fixtures (the mock's accounts)."""
    out: dict[str, str] = {}
    for account in datafolder_default_accounts():
        out.setdefault(account.provider, account.id)
    return out


def _bool_text() -> st.SearchStrategy[str]:
    return st.sampled_from(["true", "false", "True", "FALSE"])


_KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True)
_VALUES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def _filter_values() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(FILTER_OPERATORS), datetimes_rfc3339(), min_size=1, max_size=2)


def _param_strategy(name: str, ptype: ParamType) -> st.SearchStrategy[Any]:
    if ptype in (ParamType.ENUM, ParamType.KEY_FIELD):
        return st.sampled_from(PARAM_BY_NAME[name].enum)
    if ptype is ParamType.BOOLEAN:
        return _bool_text()
    if ptype is ParamType.ARRAY:
        return st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=4, unique=True)
    if ptype is ParamType.OBJECT:
        return st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=3)
    if ptype is ParamType.INTEGER:
        return st.integers(1, 60).map(str)
    if ptype is ParamType.DATETIME_FILTER:
        return _filter_values()
    return st.just("")  # next_cursor: empty on a first page


def _params(endpoint: str, provider: str, account: str) -> st.SearchStrategy[dict[str, Any]]:
    optional = {}
    for p in params_for(endpoint, location="query"):
        if p.required or (p.providers is not None and provider not in p.providers):
            continue
        optional[p.name] = _param_strategy(p.name, p.type)
    return st.fixed_dictionaries({"integrated_account_id": st.just(account)}, optional=optional)


def _query(endpoint: str, provider: str, account: str) -> st.SearchStrategy[GeneratedQuery]:
    def build(nested: dict[str, Any], array_format: ArrayFormat) -> GeneratedQuery:
        encoded = encode_query(nested, array_format=array_format)
        return GeneratedQuery(endpoint, provider, _pairs(encoded), array_format, encoded, nested)

    return st.builds(build, _params(endpoint, provider, account), st.sampled_from(ARRAY_FORMATS))


def _accounts(accounts: Mapping[str, str] | None, provider: str | None) -> dict[str, str]:
    chosen = dict(accounts) if accounts is not None else default_accounts()
    missing = [name for name in ([provider] if provider else PROVIDERS) if name not in chosen]
    if missing:
        raise InvalidArgument(f"accounts has no integrated account for {', '.join(missing)}; got {sorted(chosen)}")
    return chosen


def _providers(provider: str | None) -> st.SearchStrategy[str]:
    return st.just(provider) if provider is not None else st.sampled_from(PROVIDERS)


def interview_queries(
    *, endpoint: str = "get", provider: str | None = None, accounts: Mapping[str, str] | None = None
) -> st.SearchStrategy[GeneratedQuery]:
    """Valid query combinations for `endpoint` ("get" or "list").

    Every response format, excluded fields in all three encodings, `truto_ignore_remote_data`,
    `truto_skip_api_call`, `remote_query`, and for lists paging, `truto_key_by` and the provider's
    date filters. Send `query.params` with httpx or requests, or `query.query_string` in a URL.
    Shrinks toward the bare `integrated_account_id`.

    Args:
        endpoint: `"get"` or `"list"`.
        provider: fixes the provider; None: drawn.
        accounts: provider -> integrated_account_id; None: the mock's built-in accounts.

    Raises:
        InvalidArgument: when an argument is bad (Hypothesis' error, naming it), at once.
    """
    check_endpoint(endpoint)
    check_provider(provider)
    chosen = _accounts(accounts, provider)
    strategy = _providers(provider).flatmap(lambda name: _query(endpoint, name, chosen[name]))
    return as_call(interview_queries, strategy, endpoint=endpoint, provider=provider, accounts=accounts)


def _breakages(endpoint: str, provider: str) -> list[tuple[str, Any, int, str]]:
    """(parameter, bad value or None to drop it, status, reason) for one valid query: the contract's
    error cases that break a query parameter, and a filter on each field this provider cannot filter."""
    out = [(c.param, c.value, c.status, c.name) for c in error_cases(endpoint) if c.param != PATH_ID]
    if endpoint == "list":
        unsupported = sorted(set(filterable_fields(None)) - set(filterable_fields(provider)))
        filter_on = {"gt": "2024-01-01T00:00:00Z"}
        out += [(name, filter_on, 400, f"{provider} cannot filter on {name}") for name in unsupported]
    return out


def _invalid(endpoint: str, provider: str, account: str) -> st.SearchStrategy[InvalidQuery]:
    def build(base: GeneratedQuery, breakage: tuple[str, Any, int, str]) -> InvalidQuery:
        name, value, status, reason = breakage
        params = {k: v for k, v in base.nested.items() if k != name}
        if value is not None:
            params[name] = value
        return InvalidQuery(endpoint, provider, encode_query(params, array_format=base.array_format), status, reason)

    valid = _query(endpoint, provider, account)
    return st.builds(build, valid, st.sampled_from(_breakages(endpoint, provider)))


def invalid_interview_queries(
    *, endpoint: str = "get", provider: str | None = None, accounts: Mapping[str, str] | None = None
) -> st.SearchStrategy[InvalidQuery]:
    """Queries broken in exactly one way, each with the status (`expected_status`) and Truto error
    phrase (`expected_error`) a Truto-shaped server answers; `reason` says what was broken.

    The rest of the query is a valid combination from `interview_queries`, so the breakage alone
    explains the error. Shrinks toward the first breakage on a bare query.

    Args:
        endpoint: `"get"` or `"list"`.
        provider: fixes the provider; None: drawn.
        accounts: provider -> integrated_account_id; None: the mock's built-in accounts.

    Raises:
        InvalidArgument: when an argument is bad (Hypothesis' error, naming it), at once.
    """
    check_endpoint(endpoint)
    check_provider(provider)
    chosen = _accounts(accounts, provider)
    strategy = _providers(provider).flatmap(lambda name: _invalid(endpoint, name, chosen[name]))
    return as_call(invalid_interview_queries, strategy, endpoint=endpoint, provider=provider, accounts=accounts)
