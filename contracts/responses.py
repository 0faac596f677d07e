"""Response-level check shared by the mock's self-check, the pytest plugin and the gate.

`check_response` takes what came back (status, headers, body) and the request that produced it
(`Exchange`) and returns violations: status, content type, Truto's error body, the list and debug
envelopes, and every interview inside them through `validate_interview`.

Each violation carries its basis (`contracts.basis`): the rule's own, or, for a response whose whole
shape is an assumption (`raw`, `stream`, `debug` on a list), that assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from contracts.basis import is_assumed
from contracts.checker import Violation, validate_interview
from contracts.errors import reason_phrase
from contracts.jsontext import load_json
from contracts.params import DEFAULT_RESPONSE_FORMAT, GET, GET_PATH, LIST, LIST_PATH
from contracts.providers import MappingError, provider_module
from contracts.query import QueryError, parse_query

_LIST_KEYS: dict[str, tuple[type, ...]] = {
    "next_cursor": (str, type(None)),
    "prev_cursor": (str, type(None)),
    "result_count": (int,),
}
"""Keys Truto's unified-API reference documents on every list page (besides `result`)."""
_LIST_OPTIONAL: dict[str, tuple[type, ...]] = {"is_partial_response": (bool,)}
"""Keys Truto documents as present only where they apply."""
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", type(None): "null"}
_READ_METHODS = frozenset({"GET", "HEAD"})
PREEMPTING_STATUSES = frozenset({401, 403, 429, 500, 502, 503, 504})
"""Statuses that may answer a request before its query is read (authentication, permission, rate
limits, failures), so they stand in for the 400 a broken query would otherwise get."""
_GET_PREFIX = GET_PATH.removesuffix("{id}")
DEBUG_KEYS: dict[str, Any] = {"requestUrl": str, "requestOptions": dict, "responseHeaders": dict, "data": object}
"""The keys of the debug envelope's `debug` and their types (the checker and the OpenAPI document read it)."""
DEBUG_LIST_KEYS: dict[str, Any] = {
    "nextCursor": (str, type(None)),
    "isLooping": bool,
    "isEmptyResult": bool,
    "resultCount": int,
}
"""More keys of `debug` on a list."""


_ROUTE_BASIS = "A-route-method-errors"


@dataclass(frozen=True)
class Exchange:
    """What the checker needs to know of the request that produced a response."""

    endpoint: str = GET
    """`get` (one interview) or `list`."""
    provider: str | None = None
    """The provider behind the account; None: unknown, so provider-specific checks are skipped."""
    response_format: str = DEFAULT_RESPONSE_FORMAT
    """The `truto_response_format` sent: it decides the body's shape."""
    exclude_fields: tuple[str, ...] = ()
    """`truto_exclude_fields`: these fields must be absent."""
    ignore_remote_data: bool = False
    """`truto_ignore_remote_data`: `remote_data` must be absent."""
    skip_api_call: bool = False
    """`truto_skip_api_call`: no provider call, so no records are expected."""
    interview_id: str | None = None
    """For `get`, the id asked for: the answer must carry it."""
    key_by: str | None = None
    """`truto_key_by`: a list's `result` is an object keyed by this field's value."""
    expected_status: int | None = None
    """Set when the request itself breaks the contract: the response must be this error."""
    expected_message: str = ""
    """What the expected error is about, for the violation's message (not compared with the answer's)."""
    expected_basis: str = "D-read-200"
    """What `expected_status` stands on (an id of `contracts.basis`)."""
    refusal_basis: str = "D-read-200"
    """What "the request is refused at all" stands on (an error answered with a success breaks it)."""

    @classmethod
    def from_url(
        cls, url: str, *, provider: str | None = None, accounts: Mapping[str, str] = {}, method: str = "GET"
    ) -> Exchange:
        """Describe a request from its method and URL (path and query), e.g. one a test just sent.

        Without `provider`, the provider is found from the URL's `integrated_account_id` in `accounts`
        (integrated account id -> provider), when it is there. A path that is neither endpoint
        expects a 404; a method other than GET or HEAD a 405; a query that breaks the contract a 400
        (or a status in PREEMPTING_STATUSES).

        Args:
            url: the request's URL, absolute or only path and query.
            provider: the provider behind the request, when known.
            accounts: integrated account id -> provider, to find the provider from the URL.
            method: the request's method.
        """
        parts = urlsplit(url)
        if provider is None:
            account = parse_qs(parts.query).get("integrated_account_id", [""])[0].lower()  # UUIDs: any case
            provider = next((p for a, p in accounts.items() if a.lower() == account), None)
        path = parts.path
        rest = path[path.find(_GET_PREFIX) + len(_GET_PREFIX) :] if _GET_PREFIX in path else ""
        if path.endswith(LIST_PATH):
            endpoint, interview_id = LIST, None
        elif rest and "/" not in rest:
            endpoint, interview_id = GET, unquote(rest)
        else:
            return cls(
                GET, provider, expected_status=404, expected_message="no such route", expected_basis=_ROUTE_BASIS
            )
        if method.upper() not in _READ_METHODS:
            message = f"{method} is not a read"
            return cls(endpoint, provider, expected_status=405, expected_message=message, expected_basis=_ROUTE_BASIS)
        try:
            query = parse_query(parts.query, endpoint=endpoint)
        except QueryError as exc:
            return cls(
                endpoint,
                provider,
                expected_status=exc.status,
                expected_message=exc.message,
                expected_basis=exc.basis,
                refusal_basis=exc.refusal_basis,
            )
        return cls(
            endpoint,
            provider,
            query.response_format,
            query.exclude_fields,
            query.ignore_remote_data,
            query.skip_api_call,
            interview_id,
            query.key_by,
        )


def parse_body(body: Any) -> tuple[Any, Violation | None]:
    """(parsed JSON, None) or (None, the violation saying why the body cannot be read).

    Bytes and text are parsed; anything else is taken as already parsed.
    """
    if not isinstance(body, bytes | str):
        return body, None
    parsed, problem = load_json(body, "the response body")
    return parsed, None if problem is None else Violation("", "not-json", problem)


def check_error_body(status: int, body: Any) -> list[Violation]:
    """Check an error body against Truto's error shape: `statusCode` equal to the HTTP status, `error`
    its reason phrase, `message`.

    Args:
        status: the HTTP status the body came with.
        body: the parsed JSON body.

    Returns:
        Each violation found; empty when the body has Truto's shape.
    """
    if not isinstance(body, dict):
        return [Violation("", "error-body", "an error body must be a JSON object {statusCode, error, message}")]
    out = []
    if body.get("statusCode") != status:
        out.append(
            Violation(
                "/statusCode",
                "error-body",
                f"`statusCode` must equal the HTTP status {status}, got {body.get('statusCode')!r}",
            )
        )
    if body.get("error") != reason_phrase(status):
        out.append(
            Violation(
                "/error",
                "error-body",
                f"`error` must be {reason_phrase(status)!r}, got {body.get('error')!r}",
            )
        )
    if not isinstance(body.get("message"), str):
        out.append(Violation("/message", "error-body", "`message` must be a string"))
    return out


def _content_type(headers: Mapping[str, str]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return ""


def _check_list(body: Any, ex: Exchange, pointer: str, allow_null: bool) -> list[Violation]:
    if not isinstance(body, dict):
        return [
            Violation(
                pointer, "list-envelope", "a list response must be an object {result, next_cursor, prev_cursor, ...}"
            )
        ]
    out: list[Violation] = []
    items, keyed = _list_items(body.get("result"), ex, pointer, out)
    for key in _LIST_KEYS:
        if key not in body:
            hint = " (null on the last page)" if key == "next_cursor" else ""
            out.append(Violation(f"{pointer}/{key}", "list-envelope", f"`{key}` is missing{hint}"))
    for key, value in body.items():
        if key == "result":
            continue
        types = _LIST_KEYS.get(key) or _LIST_OPTIONAL.get(key)
        if types is None:
            out.append(
                Violation(
                    f"{pointer}/{key}", "unknown-field", f"`{key}` is not part of the list envelope", "D-list-envelope"
                )
            )
        elif not isinstance(value, types) or (key == "result_count" and isinstance(value, bool)):
            names = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            basis = "D-list-envelope" if key == "next_cursor" else "D-list-extras"
            out.append(Violation(f"{pointer}/{key}", "list-envelope", f"`{key}` must be {names}", basis))
    for index, item in items:
        out.extend(_check_interview(item, ex, f"{pointer}/result/{index}", allow_null))
    return out + keyed


def _list_items(result: Any, ex: Exchange, pointer: str, out: list[Violation]) -> tuple[Any, list[Violation]]:
    """((position, interview) pairs of a list's `result`, violations of its keys): an array, or with
    `truto_key_by` an object keyed by each interview's value of that field."""
    if ex.key_by is None:
        if isinstance(result, list):
            return list(enumerate(result)), []
        out.append(Violation(f"{pointer}/result", "list-envelope", "`result` must be an array"))
        return [], []
    if not isinstance(result, dict):
        message = f"`result` must be an object keyed by `{ex.key_by}` (truto_key_by)"
        out.append(Violation(f"{pointer}/result", "key-by", message))
        return [], []
    keyed: list[Violation] = []
    for key, item in result.items():
        value = item.get(ex.key_by) if isinstance(item, dict) else None
        if value is not None and str(value) != key:  # None: excluded, or sent as null
            where = f"{pointer}/result/{_escape(key)}"
            keyed.append(Violation(where, "key-by", f"keyed {key!r} but its `{ex.key_by}` is {value!r}"))
    return [(_escape(key), item) for key, item in result.items()], keyed


def _escape(key: str) -> str:
    """A key as one JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _check_interview(item: Any, ex: Exchange, pointer: str, allow_null: bool) -> list[Violation]:
    return validate_interview(
        item,
        provider=ex.provider,
        exclude_fields=ex.exclude_fields,
        ignore_remote_data=ex.ignore_remote_data,
        allow_null=allow_null,
        pointer=pointer,
    )


def _check_unified(body: Any, ex: Exchange, pointer: str = "", allow_null: bool = False) -> list[Violation]:
    if ex.endpoint == LIST:
        return _check_list(body, ex, pointer, allow_null)
    out = _check_interview(body, ex, pointer, allow_null)
    if ex.interview_id is not None and isinstance(body, dict) and "id" in body and body["id"] != ex.interview_id:
        out.append(Violation(f"{pointer}/id", "id-mismatch", f"asked for {ex.interview_id!r}, got {body['id']!r}"))
    return out


def _check_debug(body: Any, ex: Exchange) -> list[Violation]:
    if not isinstance(body, dict) or "result" not in body or "debug" not in body:
        return [Violation("", "debug-envelope", "a debug response must be an object {result, debug}")]
    out = _check_unified(body["result"], ex, "/result")
    debug = body["debug"]
    if debug is None:
        return out
    if ex.skip_api_call:
        out.append(Violation("/debug", "debug-envelope", "`debug` must be null with truto_skip_api_call=true"))
    if not isinstance(debug, dict):
        return [*out, Violation("/debug", "debug-envelope", "`debug` must be an object or null")]
    expected: dict[str, Any] = dict(DEBUG_KEYS)
    if ex.endpoint == LIST:
        expected.update(DEBUG_LIST_KEYS)
    for key, types in expected.items():
        if key not in debug:
            out.append(Violation(f"/debug/{key}", "debug-envelope", f"`{key}` is missing from `debug`"))
        elif not isinstance(debug[key], types) or (types is int and isinstance(debug[key], bool)):
            out.append(Violation(f"/debug/{key}", "debug-envelope", f"`{key}` has the wrong type"))
    return out


def _check_raw(body: Any, ex: Exchange) -> list[Violation]:
    if ex.provider is None:
        return []
    module = provider_module(ex.provider)
    try:
        records = module.records_from_raw_body(body, ex.endpoint)
    except MappingError as exc:
        return [Violation("", "raw-body", str(exc), module.raw_basis)]
    out: list[Violation] = []
    for index, record in enumerate(records):
        where = "" if ex.endpoint == GET else f"/{index}"
        try:
            unified = module.to_unified(record)
        except MappingError as exc:
            out.append(
                Violation(where, "raw-body", f"the raw record does not map to an interview: {exc}", module.raw_basis)
            )
            continue
        out.extend(validate_interview({**unified, "remote_data": record}, provider=ex.provider, pointer=where))
    return out


def shape_basis(exchange: Exchange) -> str | None:
    """The assumption a successful answer's whole shape stands on, or None when it is documented:
    `raw` (the provider's own records), `stream`, and `debug` on a list. (`normalized` applies the
    unified mappings, as the seed says; only its nulls are the kit's guess, and they are allowed.)"""
    fmt = exchange.response_format
    if fmt == "raw":
        return provider_module(exchange.provider).raw_basis if exchange.provider is not None else None
    if fmt == "stream":
        return "A-stream-as-unified"
    if fmt == "debug" and exchange.endpoint == LIST:
        return "A-debug-on-lists"
    return None


RAW_MAPPED_RULES = ("raw-body", "not-object", "required", "type", "format", "enum", "null", "unknown-field",
                    "provider-coverage", "remote-data")  # fmt: skip
SHAPE_RULES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "raw": frozenset(RAW_MAPPED_RULES),
        "stream": frozenset({"content-type", "not-json"}),
        "debug": frozenset({"debug-envelope"}),
    }
)
"""Per response format whose shape is assumed: the rules whose findings rest on that assumption.
`raw`: what the kit's mapping of the provider's record finds (the raw record's shape is the guess);
`stream`: whether the body is one JSON document (its content type and parsing); `debug` on a list: its envelope.
Every other finding keeps its own rule's basis: a `text/html` answer to `format=raw` breaks `D-json`,
a renamed field in a `stream` answer breaks the field table, whatever the check sends."""


def _resting_on(basis: str | None, fmt: str, found: list[Violation]) -> list[Violation]:
    """Findings of the rules the response's assumed shape covers rest on that assumption (an
    assumption of their own, such as `A-absent-not-null`, stays: it is the more precise one)."""
    if basis is None:
        return found
    covered = SHAPE_RULES.get(fmt, frozenset())
    return [replace(v, basis=basis) if v.rule in covered and not is_assumed(v.basis) else v for v in found]


def verdict(violations: list[Violation]) -> str:
    """One word for a response: conforms; violates (a documented fact is broken); unconfirmed (only
    the kit's assumptions are: the kit may have guessed wrong, see docs/assumptions.md)."""
    if not violations:
        return "conforms"
    return "unconfirmed" if all(v.assumed for v in violations) else "violates"


def check_response(status: int, headers: Mapping[str, str], body: Any, exchange: Exchange) -> list[Violation]:
    """Check one response against the contract; `body` may be bytes, text or already-parsed JSON.

    Never raises for anything the server sent: an unreadable body is a violation like any other.

    Args:
        status: the HTTP status.
        headers: the response headers (names in any case).
        body: the body as bytes, text or parsed JSON.
        exchange: what was asked (`Exchange.from_url` builds it from the request's URL).

    Returns:
        Each violation, with its JSON pointer, rule and basis; empty when the response conforms.
    """
    if 200 <= status < 300 and exchange.expected_status is None:
        found = _check_response(status, headers, body, exchange)
        return _resting_on(shape_basis(exchange), exchange.response_format, found)
    return _check_response(status, headers, body, exchange)


def _check_response(status: int, headers: Mapping[str, str], body: Any, exchange: Exchange) -> list[Violation]:
    ctype = _content_type(headers)
    out: list[Violation] = []
    if ctype != "application/json" and not ctype.endswith("+json"):
        out.append(Violation("", "content-type", f"expected a JSON content type, got {ctype or 'none'!r}"))
    parsed, problem = parse_body(body)
    if problem is not None:
        return [*out, Violation("", "status", f"HTTP {status}"), problem] if status >= 400 else [*out, problem]
    if status >= 400:
        expected = exchange.expected_status
        if expected is not None and status != expected and not (expected == 400 and status in PREEMPTING_STATUSES):
            out.append(Violation("", "status", f"expected HTTP {expected}, got {status}", exchange.expected_basis))
        if status == 405 and not any(key.lower() == "allow" for key in headers):
            out.append(Violation("", "allow-header", "a 405 must say which methods are allowed (`Allow`)"))
        return out + check_error_body(status, parsed)
    if exchange.expected_status is not None:
        reason = f" ({exchange.expected_message})" if exchange.expected_message else ""
        return [
            *out,
            Violation(
                "", "status", f"expected HTTP {exchange.expected_status}{reason}, got {status}", exchange.refusal_basis
            ),
        ]
    if status != 200:
        return [*out, Violation("", "status", f"a successful read answers 200, got {status}")]
    fmt = exchange.response_format
    if fmt == "debug":
        return out + _check_debug(parsed, exchange)
    if fmt == "raw":
        return out + _check_raw(parsed, exchange)
    return out + _check_unified(parsed, exchange, allow_null=fmt == "normalized")
