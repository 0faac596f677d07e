"""The endpoint's parameter table: path and query parameters of the get and list operations.

The OpenAPI document, the query parser, the strategies and the gate's query matrix all read it.
Date filters are not listed one by one: they come from the field table's `filterable` column, and
which providers take each from the providers' `filters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from contracts.fields import FIELDS, Kind
from contracts.providers import providers_filtering

GET, LIST = "get", "list"
ENDPOINTS: tuple[str, ...] = (GET, LIST)
GET_PATH = "/unified/ats/interviews/{id}"
LIST_PATH = "/unified/ats/interviews"

RESPONSE_FORMATS: tuple[str, ...] = ("unified", "raw", "normalized", "stream", "debug")
"""The values `truto_response_format` takes; `unified` is the default."""
DEFAULT_RESPONSE_FORMAT = "unified"
FILTER_OPERATORS: tuple[str, ...] = ("gt", "gte", "lt", "lte")
OPERATOR_BASIS: MappingProxyType[str, str] = MappingProxyType(
    {"gt": "D-date-filters", "gte": "D-date-filters", "lt": "D-date-filters", "lte": "A-filter-lte"}
)
"""`gt`, `gte`, `lt` are documented; `lte` is assumed (the page is cut after `gt, g…`)."""
REMOTE_QUERY_KEY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$"
"""Keys `remote_query[KEY]` may use: plain names, so the bracket encoding cannot mangle them."""
MAX_LIST_ITEMS = 50
"""At most this many `truto_exclude_fields` entries (the `qs` decoder's list limit, Truto's SDK's codec)."""
MAX_REMOTE_QUERY_KEYS = 100
"""At most this many `remote_query[KEY]` entries."""
KEY_BY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind in (Kind.STRING, Kind.DATETIME, Kind.ENUM))
"""Fields `truto_key_by` can key a list by: those whose value is a plain string (objects, lists and
`remote_data` cannot be an object key)."""


class ParamType(StrEnum):
    """How a parameter's value is written in a query, which decides how it is parsed and generated."""

    STRING = "string"
    """Any text."""
    UUID = "uuid"
    """A hyphenated UUID (`integrated_account_id`)."""
    ENUM = "enum"
    """One of the parameter's `enum` values."""
    BOOLEAN = "boolean"
    """`true` or `false`."""
    INTEGER = "integer"
    """A positive whole number."""
    ARRAY = "array"
    """A list, in one of the array encodings (`name[]=a`, `name[0]=a`, `name=a,b`)."""
    OBJECT = "object"
    """Key-value pairs `name[KEY]=value`."""
    DATETIME_FILTER = "date-time-filter"
    """`field[op]=date-time` with an operator of `FILTER_OPERATORS`."""
    KEY_FIELD = "key-field"
    """The name of a field with a plain value (KEY_BY_FIELDS)."""


@dataclass(frozen=True)
class Param:
    """One parameter as the documentation describes it."""

    name: str
    """As sent, e.g. `truto_response_format` or `created_at` (a date filter)."""
    type: ParamType
    """How its value is written."""
    description: str
    """The documentation's description (OpenAPI's `description`)."""
    endpoints: frozenset[str]
    """The endpoints taking it: `get`, `list` or both."""
    location: str = "query"
    """`query` or `path`."""
    required: bool = False
    """A request without it is refused."""
    default: str | None = None
    """The value assumed when it is left out, as text; None: no default."""
    enum: tuple[str, ...] = ()
    """For an `ENUM` parameter, the values it takes."""
    example: str = ""
    """An example value for the OpenAPI document."""
    basis: str = "D-seed-params"
    """Where the parameter is documented (an id of `contracts.basis`)."""

    @property
    def providers(self) -> frozenset[str] | None:
        """The providers that take this parameter: for a date filter, those filtering on its
        field (from the registry, so a provider registered later counts); None: every provider."""
        return providers_filtering(self.name) if self.type is ParamType.DATETIME_FILTER else None


_BOTH_ENDPOINTS = frozenset(ENDPOINTS)
_LIST_ONLY = frozenset({LIST})

_BASE_PARAMS: tuple[Param, ...] = (
    Param(
        "id",
        ParamType.STRING,
        "The ID of the resource.",
        frozenset({GET}),
        location="path",
        required=True,
        example="23423523",
    ),
    Param(
        "integrated_account_id",
        ParamType.UUID,
        "The ID of the integrated account to use for the request.",
        _BOTH_ENDPOINTS,
        required=True,
        example="62f44730-dd91-461e-bd6a-aedd9e0ad79d",
        basis="D-account-required",
    ),
    Param(
        "truto_response_format",
        ParamType.ENUM,
        "The format of the response: unified (default), raw, normalized, stream or debug.",
        _BOTH_ENDPOINTS,
        default=DEFAULT_RESPONSE_FORMAT,
        enum=RESPONSE_FORMATS,
        example="unified",
        basis="D-response-formats",
    ),
    Param(
        "truto_ignore_remote_data",
        ParamType.BOOLEAN,
        "Excludes the remote_data attribute from the response.",
        _BOTH_ENDPOINTS,
        basis="D-remote-data",
    ),
    Param(
        "truto_exclude_fields",
        ParamType.ARRAY,
        "Array of fields to exclude from the response.",
        _BOTH_ENDPOINTS,
        example="truto_exclude_fields[]=id&truto_exclude_fields[]=name",
        basis="D-exclude-fields",
    ),
    Param(
        "remote_query",
        ParamType.OBJECT,
        "Query parameters to pass to the underlying API without any transformations.",
        _BOTH_ENDPOINTS,
        example="remote_query[foo]=bar",
    ),
    Param(
        "truto_skip_api_call",
        ParamType.BOOLEAN,
        "Skip the provider call; with it the debug envelope's `debug` is null.",
        _BOTH_ENDPOINTS,
    ),
    Param(
        "limit",
        ParamType.INTEGER,
        "Maximum number of records per page.",
        _LIST_ONLY,
        example="25",
        basis="D-pagination-params",
    ),
    Param(
        "next_cursor",
        ParamType.STRING,
        "Opaque cursor from the previous page's `next_cursor` (or `prev_cursor`); empty on the first page.",
        _LIST_ONLY,
        basis="D-pagination-params",
    ),
    Param(
        "truto_ignore_limit",
        ParamType.BOOLEAN,
        "Ignore `limit` and return every record in one page.",
        _LIST_ONLY,
        basis="D-pagination-params",
    ),
    Param(
        "truto_key_by",
        ParamType.KEY_FIELD,
        "Turn `result` into an object keyed by this field's value (e.g. `id`), for lookup tables.",
        _LIST_ONLY,
        enum=KEY_BY_FIELDS,
        example="id",
        basis="D-key-by",
    ),
)


def _filter_params() -> tuple[Param, ...]:
    return tuple(
        Param(
            f.name,
            ParamType.DATETIME_FILTER,
            f"Filter on `{f.name}` with operators {', '.join(FILTER_OPERATORS)}: an RFC 3339 date-time"
            " (2026-01-01T00:00:00Z) or a date (2026-01-01, midnight UTC).",
            _LIST_ONLY,
            example=f"{f.name}[gt]=2024-01-01T00:00:00Z",
            basis="D-date-filters",
        )
        for f in FIELDS
        if f.filterable
    )


PARAMS: tuple[Param, ...] = _BASE_PARAMS + _filter_params()
"""Every parameter of both endpoints, the date filters last (one per filterable field)."""
PARAM_BY_NAME: MappingProxyType[str, Param] = MappingProxyType({p.name: p for p in PARAMS})


def max_query_pairs() -> int:
    """The most `name=value` pairs a request within these limits can need: the decoder's parameter
    limit, so whatever the OpenAPI document allows is never refused for its length."""
    per_type = {ParamType.ARRAY: MAX_LIST_ITEMS, ParamType.OBJECT: MAX_REMOTE_QUERY_KEYS}
    per_type[ParamType.DATETIME_FILTER] = len(FILTER_OPERATORS)
    return sum(per_type.get(p.type, 1) for p in PARAMS if p.location == "query")


def params_for(endpoint: str, *, location: str | None = None) -> tuple[Param, ...]:
    """Parameters the endpoint takes, in the table's order.

    Args:
        endpoint: `"get"` (one interview) or `"list"`.
        location: only those in `"query"` or `"path"`; None: both.

    Raises:
        ValueError: for an unknown endpoint or location, naming the known ones.
    """
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)}")
    locations = sorted({p.location for p in PARAMS})
    if location is not None and location not in locations:
        raise ValueError(f"unknown location {location!r}; expected one of {', '.join(locations)}")
    return tuple(p for p in PARAMS if endpoint in p.endpoints and (location is None or p.location == location))
