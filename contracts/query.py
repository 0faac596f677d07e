"""Decode, validate and encode the endpoint's query string, as the parameter table describes it.

Decoding uses `qs-codec` (a port of the `qs` library Truto's own SDK encodes with), so bracket
objects (`remote_query[foo]=bar`, `created_at[gt]=...`) and all three array encodings of
`truto_exclude_fields` (`[]=`, `[0]=`, comma-separated) are understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

import qs_codec as qs

from contracts.accounts import is_query_form
from contracts.datetimes import parse_filter_value
from contracts.errors import error_body, missing_query_insight
from contracts.fields import FIELD_BY_NAME, FIELD_NAMES
from contracts.params import (
    DEFAULT_RESPONSE_FORMAT,
    FILTER_OPERATORS,
    KEY_BY_FIELDS,
    MAX_LIST_ITEMS,
    MAX_REMOTE_QUERY_KEYS,
    PARAM_BY_NAME,
    REMOTE_QUERY_KEY_PATTERN,
    RESPONSE_FORMATS,
    ParamType,
    max_query_pairs,
    params_for,
)

_REMOTE_KEY = re.compile(REMOTE_QUERY_KEY_PATTERN)
_DECODE = qs.DecodeOptions(
    depth=4,
    strict_depth=True,
    parameter_limit=max_query_pairs(),
    raise_on_limit_exceeded=True,
    list_limit=MAX_LIST_ITEMS,
)
ArrayFormat = Literal["brackets", "indices", "comma"]
ARRAY_FORMATS: tuple[ArrayFormat, ...] = ("brackets", "indices", "comma")
_LIST_FORMAT = {
    "brackets": qs.ListFormat.BRACKETS,
    "indices": qs.ListFormat.INDICES,
    "comma": qs.ListFormat.COMMA,
}


class QueryError(ValueError):
    """A request the endpoint rejects; `body()` is the Truto error body to answer with.

    `basis` is what the exact status stands on and `refusal_basis` what "it is refused at all"
    stands on (ids of `contracts.basis`; most refusals are assumptions, see docs/assumptions.md).

    Args:
        message: Truto's `message` for the refusal, naming the parameter and what it takes.
        status: the HTTP status to answer with.
        missing: required parameters that were not sent (listed in `truto_error_insight`).
        basis: what the exact status stands on.
        refusal_basis: what refusing the request at all stands on; None: `basis`.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        missing: tuple[str, ...] = (),
        basis: str = "A-bad-value-400",
        refusal_basis: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.missing = missing
        self.basis = basis
        self.refusal_basis = refusal_basis or basis

    def body(self) -> dict[str, Any]:
        """The Truto error body to answer with: `{statusCode, error, message}` and, when parameters are
        missing, `truto_error_insight` naming them."""
        extra = {"truto_error_insight": missing_query_insight(list(self.missing))} if self.missing else {}
        return error_body(self.status, self.message, **extra)


@dataclass(frozen=True)
class Filter:
    field: str
    operator: str
    value: datetime


@dataclass(frozen=True)
class InterviewQuery:
    """A validated query: every parameter the caller sent, typed."""

    endpoint: str
    """`get` or `list`."""
    integrated_account_id: str
    """The account asked for, as sent."""
    response_format: str = DEFAULT_RESPONSE_FORMAT
    """`truto_response_format`."""
    ignore_remote_data: bool = False
    """`truto_ignore_remote_data`: leave `remote_data` out."""
    exclude_fields: tuple[str, ...] = ()
    """`truto_exclude_fields`: fields to leave out."""
    remote_query: Mapping[str, Any] = field(default_factory=dict)
    """`remote_query[KEY]=value`: passed to the provider as they are."""
    skip_api_call: bool = False
    """`truto_skip_api_call`: answer without calling the provider."""
    limit: int | None = None
    """`limit`: records per page; None: the provider's default."""
    next_cursor: str = ""
    """`next_cursor`: where the page starts; empty: the first page."""
    ignore_limit: bool = False
    """`truto_ignore_limit`: every record in one page."""
    filters: tuple[Filter, ...] = ()
    """Date filters (`created_at[gt]=...`), each a field, an operator and a date-time."""
    key_by: str | None = None
    """`truto_key_by`: the field whose value keys the list's `result` object."""
    unknown: tuple[str, ...] = ()
    """Parameters outside the contract, kept (never silently dropped) when decoding is lenient."""


def decode(query_string: str) -> dict[str, Any]:
    """Decode a raw query string into nested dicts and lists (QueryError on abuse)."""
    try:
        decoded = qs.decode(query_string.lstrip("?"), _DECODE)
    except (ValueError, IndexError) as exc:
        raise QueryError(f"the query string cannot be decoded: {exc}") from None
    return dict(decoded)


def _single(name: str, value: Any) -> str:
    if isinstance(value, list):
        raise QueryError(f"`{name}` was given {len(value)} times; send it once")
    if not isinstance(value, str):
        raise QueryError(f"`{name}` must be a plain value, not an object (`{name}[...]`)")
    return value


def _boolean(name: str, value: Any) -> bool:
    text = _single(name, value).lower()
    if text not in ("true", "false"):
        raise QueryError(f"`{name}` must be true or false, got {value!r}")
    return text == "true"


def _exclude_fields(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise QueryError(
                "`truto_exclude_fields` must be a list of field names "
                "(truto_exclude_fields[]=id, truto_exclude_fields[0]=id or truto_exclude_fields=id,location)"
            )
        parts = [part.strip() for part in item.split(",")]
        if len(names) + len(parts) > MAX_LIST_ITEMS:
            raise QueryError(f"`truto_exclude_fields` takes at most {MAX_LIST_ITEMS} entries")
        for name in parts:
            if name not in FIELD_BY_NAME:
                raise QueryError(
                    f"`truto_exclude_fields` names unknown field {name!r}; fields: {', '.join(FIELD_NAMES)}"
                )
            if name not in names:
                names.append(name)
    return tuple(names)


def _key_by(value: Any) -> str:
    name = _single("truto_key_by", value)
    if name not in KEY_BY_FIELDS:
        problem = "is not a field" if name not in FIELD_BY_NAME else "has no plain value to key by"
        raise QueryError(f"`truto_key_by`: {name!r} {problem}; use one of {', '.join(KEY_BY_FIELDS)}")
    return name


def _limit(value: Any) -> int:
    text = _single("limit", value)
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise QueryError(f"`limit` must be a positive whole number, got {text!r}")
    return int(text)


def _remote_query(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise QueryError("`remote_query` must be an object: remote_query[key]=value")
    if len(value) > MAX_REMOTE_QUERY_KEYS:
        raise QueryError(f"`remote_query` takes at most {MAX_REMOTE_QUERY_KEYS} keys, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not _REMOTE_KEY.fullmatch(key):
            raise QueryError(
                f"`remote_query[{key}]`: keys are plain names (a letter or _, then letters, digits, _ . -), got {key!r}"
            )
        _single(f"remote_query[{key}]", item)
    return MappingProxyType(dict(value))


def _filters(name: str, value: Any) -> list[Filter]:
    if not isinstance(value, Mapping) or not value:
        raise QueryError(f"`{name}` filters take an operator: {', '.join(f'{name}[{op}]' for op in FILTER_OPERATORS)}")
    out = []
    for operator, raw in value.items():
        if operator not in FILTER_OPERATORS:
            raise QueryError(f"`{name}[{operator}]` is not a filter operator; use one of {', '.join(FILTER_OPERATORS)}")
        try:
            out.append(Filter(name, operator, parse_filter_value(_single(f"{name}[{operator}]", raw))))
        except ValueError as exc:
            raise QueryError(f"`{name}[{operator}]`: {exc}") from None
    return out


def parse_query(query_string: str, *, endpoint: str, strict: bool = True) -> InterviewQuery:
    """Validate a query string the way the endpoint does, so a mock or a test refuses what Truto refuses.

    Valid answers are cached: a client repeats the same few query strings all day.

    Args:
        query_string: the raw query (with or without the leading `?`).
        endpoint: `"get"` or `"list"`.
        strict: False keeps parameters outside the contract in `unknown` instead of refusing them.

    Returns:
        The query, typed.

    Raises:
        QueryError: for anything the contract does not allow (status 400 in Truto's message style).
    """
    return _parse_query(query_string, endpoint, strict)


@lru_cache(maxsize=1024)
def _parse_query(query_string: str, endpoint: str, strict: bool) -> InterviewQuery:
    accepted = {p.name: p for p in params_for(endpoint, location="query")}
    decoded = decode(query_string)
    if "integrated_account_id" not in decoded:
        raise QueryError(
            "integrated_account_id is a required query parameter.",
            missing=("integrated_account_id",),
            basis="A-missing-account-400",
            refusal_basis="D-account-required",
        )
    account = _single("integrated_account_id", decoded.pop("integrated_account_id"))
    if not is_query_form(account):
        raise QueryError(f"`integrated_account_id` must be a UUID, got {account!r}", basis="A-account-uuid-400")
    values: dict[str, Any] = {"endpoint": endpoint, "integrated_account_id": account}
    filters: list[Filter] = []
    unknown: list[str] = []
    for name, value in decoded.items():
        param = accepted.get(name)
        if param is None:
            if not strict:
                unknown.append(name)
                continue
            if name in PARAM_BY_NAME:
                raise QueryError(
                    f"`{name}` applies to the {'/'.join(PARAM_BY_NAME[name].endpoints)} endpoint only",
                    basis="A-unknown-param-400",
                )
            raise QueryError(
                f"unknown query parameter `{name}`; accepted: {', '.join(sorted(accepted))}",
                basis="A-unknown-param-400",
            )
        if param.type is ParamType.DATETIME_FILTER:
            filters.extend(_filters(name, value))
        elif name == "truto_response_format":
            fmt = _single(name, value)
            if fmt not in RESPONSE_FORMATS:
                raise QueryError(
                    f"`truto_response_format` must be one of {', '.join(RESPONSE_FORMATS)}, got {fmt!r}",
                    basis="A-bad-format-400",
                )
            values["response_format"] = fmt
        elif param.type is ParamType.BOOLEAN:
            values[name.removeprefix("truto_")] = _boolean(name, value)
        elif name == "truto_exclude_fields":
            values["exclude_fields"] = _exclude_fields(value)
        elif name == "remote_query":
            values["remote_query"] = _remote_query(value)
        elif name == "limit":
            values["limit"] = _limit(value)
        elif name == "next_cursor":
            values["next_cursor"] = _single(name, value)
        elif name == "truto_key_by":
            values["key_by"] = _key_by(value)
    return InterviewQuery(**values, filters=tuple(filters), unknown=tuple(unknown))


def encode_query(params: Mapping[str, Any], *, array_format: ArrayFormat = "brackets") -> str:
    """Encode parameters the way a client would, arrays in one of the three accepted encodings.

    Args:
        params: parameters as nested values: lists for arrays, dicts for filters and `remote_query`.
        array_format: `"brackets"` (`a[]=x`), `"indices"` (`a[0]=x`) or `"comma"` (`a=x,y`).

    Returns:
        The query string, without a leading `?`.

    Raises:
        ValueError: for an unknown `array_format`.
    """
    if array_format not in _LIST_FORMAT:
        raise ValueError(f"array_format must be one of {', '.join(ARRAY_FORMATS)}, got {array_format!r}")
    options = qs.EncodeOptions(list_format=_LIST_FORMAT[array_format], encode_values_only=True)
    return str(qs.encode(dict(params), options))
