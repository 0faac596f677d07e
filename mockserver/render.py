"""Turn stored records into each response format Truto offers: unified, normalized, raw, stream, debug.

Choices where Truto's behaviour is undocumented (also in docs/assumptions.md):
- `normalized`: the unified mapping with every field the provider fills present, absent ones as null.
- `stream`: the same JSON document as `unified`, sent in chunks (chunked transfer, no Content-Length).
- `raw`: the provider's own response body; truto_exclude_fields and truto_ignore_remote_data do not apply.
- `truto_skip_api_call=true`: answered from the store as usual; `debug` is null.
"""

from __future__ import annotations

import base64
import binascii
import json
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from contracts.datafolder import Account
from contracts.fields import FIELD_BY_NAME, fields_for, filterable_fields
from contracts.providers import Provider, provider_module
from contracts.query import InterviewQuery, QueryError, encode_query
from mockserver.store import Record

STREAM_CHUNK = 8192
_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


@dataclass(frozen=True)
class Page:
    records: list[Record]
    offset: int
    limit: int
    total: int
    next_cursor: str | None


def encode_cursor(offset: int) -> str:
    """An opaque cursor (base64url JSON), as Truto's cursors are opaque strings."""
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise QueryError(
            "`next_cursor` is not a cursor this server issued; pass next_cursor from the last page"
        ) from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise QueryError("`next_cursor` is not a cursor this server issued; pass next_cursor from the last page")
    return offset


def check_filters(query: InterviewQuery, provider: str) -> None:
    """400 for a filter this provider's list endpoint does not support."""
    for f in query.filters:
        if provider not in FIELD_BY_NAME[f.field].filterable:
            supported = ", ".join(filterable_fields(provider))
            raise QueryError(f"{provider} does not support filtering on `{f.field}`; it supports: {supported}")


def select_page(records: Sequence[Record], query: InterviewQuery, default_limit: int) -> Page:
    """Filter, then cut the page the cursor and limit ask for."""
    bounds = [(f.field, _OPS[f.operator], f.value.timestamp()) for f in query.filters]
    chosen = [r for r in records if all(name in r.times and op(r.times[name], value) for name, op, value in bounds)]
    offset = decode_cursor(query.next_cursor) if query.next_cursor else 0
    total = len(chosen)
    limit = max(total, 1) if query.ignore_limit else (query.limit or default_limit)
    end = offset + limit
    return Page(chosen[offset:end], offset, limit, total, encode_cursor(end) if end < total else None)


Decoded = tuple[dict[str, Any], dict[str, Any]]  # (raw record, unified interview)


def unified_item(decoded: Decoded, query: InterviewQuery, provider: str) -> dict[str, Any]:
    """One interview, from its (raw, unified) pair, in the requested unified or normalized form."""
    raw, unified = decoded
    out = dict(unified)  # decoded records are shared: copy before changing
    if not query.ignore_remote_data:
        out["remote_data"] = raw
    if query.response_format == "normalized":
        dropped = set(query.exclude_fields) | ({"remote_data"} if query.ignore_remote_data else set())
        return {f.name: out.get(f.name) for f in fields_for(provider) if f.name not in dropped}
    for name in query.exclude_fields:
        out.pop(name, None)
    return out


def _request_url(module: Provider, path: str, params: Mapping[str, Any]) -> str:
    query = encode_query(params) if params else ""
    return f"{module.base_url}{path}{'?' if query else ''}{query}"


def _debug(module: Provider, query: InterviewQuery, path: str, paging: Mapping[str, str], data: Any) -> dict[str, Any]:
    params = {**paging, **query.remote_query}
    return {
        "requestUrl": _request_url(module, path, params),
        "requestOptions": {"method": "GET", "headers": dict(module.request_headers)},
        "data": data,
        "responseHeaders": dict(module.response_headers),
    }


def render_get(record: Record, query: InterviewQuery, account: Account) -> Any:
    """The body of `GET /unified/ats/interviews/{id}` in the requested format."""
    module = provider_module(account.provider)
    decoded = record.decode()  # one decode serves the raw body, the item and the debug data
    if query.response_format == "raw":
        return module.raw_get_body(decoded[0])
    item = unified_item(decoded, query, account.provider)
    if query.response_format != "debug":
        return item
    if query.skip_api_call:
        return {"result": item, "debug": None}
    path = module.get_path(record.id)
    return {"result": item, "debug": _debug(module, query, path, {}, module.raw_get_body(decoded[0]))}


def render_list(page: Page, query: InterviewQuery, account: Account) -> Any:
    """The body of `GET /unified/ats/interviews` in the requested format."""
    module = provider_module(account.provider)
    decoded = [r.decode() for r in page.records]

    def raw_body() -> Any:
        raws = [raw for raw, _ in decoded]
        return module.raw_list_body(raws, offset=page.offset, limit=page.limit, total=page.total)

    if query.response_format == "raw":
        return raw_body()
    envelope = {
        "result": [unified_item(pair, query, account.provider) for pair in decoded],
        "next_cursor": page.next_cursor,
    }
    if query.response_format != "debug":
        return envelope
    if query.skip_api_call:
        return {"result": envelope, "debug": None}
    paging = module.paging_query(offset=page.offset, limit=page.limit)
    debug = _debug(module, query, module.list_path, paging, raw_body())
    debug.update(
        nextCursor=page.next_cursor,
        isLooping=False,
        isEmptyResult=not page.records,
        resultCount=len(page.records),
    )
    return {"result": envelope, "debug": debug}


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON. orjson writes the same bytes as the standard library, 20 times faster;
    the standard library takes what orjson refuses (integers beyond 64 bits in a user's record)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def stream_chunks(data: bytes) -> Iterator[bytes]:
    """The `stream` format: the document in fixed-size chunks, so the server sends it chunked."""
    for start in range(0, len(data), STREAM_CHUNK):
        yield data[start : start + STREAM_CHUNK]
