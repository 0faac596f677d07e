"""Turn stored records into each response format Truto offers: unified, normalized, raw, stream, debug.

Choices where Truto's behaviour is undocumented (also in docs/assumptions.md):
- `normalized`: the unified mapping with every field the provider fills present, absent ones as null.
- `stream`: the same JSON document as `unified`, sent in chunks (chunked transfer, no Content-Length).
- `raw`: the provider's own response body; truto_exclude_fields and truto_ignore_remote_data do not apply.
- `truto_skip_api_call=true`: answered from the store as usual; `debug` is null.
- `truto_key_by=FIELD` (lists): `result` is an object keyed by the field's value, read before
  `truto_exclude_fields` applies; records without a value are left out, the later of two equal keys
  wins; `raw` is not keyed.
Lists carry Truto's published envelope: `result`, `next_cursor`, `prev_cursor`, `result_count`.
`null_absent` (the mock's `--null-absent`) sends every field the provider fills, absent ones as null,
in the unified, stream and debug formats too (as `normalized` always does).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from contracts.accounts import Account
from contracts.providers import Provider, fields_for, provider_module
from contracts.query import InterviewQuery, encode_query
from mockserver.paging import Page
from mockserver.store import Record

STREAM_CHUNK = 8192


Decoded = tuple[dict[str, Any], dict[str, Any]]  # (raw record, unified interview)


def unified_item(
    decoded: Decoded, query: InterviewQuery, provider: str, *, null_absent: bool = False
) -> dict[str, Any]:
    """One interview, from its (raw, unified) pair, in the requested unified or normalized form;
    `null_absent` sends the provider's absent fields as null in every form."""
    raw, unified = decoded
    out = dict(unified)  # decoded records are shared: copy before changing
    if not query.ignore_remote_data:
        out["remote_data"] = raw
    if query.response_format == "normalized" or null_absent:
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


def render_get(record: Record, query: InterviewQuery, account: Account, *, null_absent: bool = False) -> Any:
    """The body of `GET /unified/ats/interviews/{id}` in the requested format."""
    module = provider_module(account.provider)
    decoded = record.decode()  # one decode serves the raw body, the item and the debug data
    if query.response_format == "raw":
        return module.raw_get_body(decoded[0])
    item = unified_item(decoded, query, account.provider, null_absent=null_absent)
    if query.response_format != "debug":
        return item
    if query.skip_api_call:
        return {"result": item, "debug": None}
    path = module.get_path(record.id)
    return {"result": item, "debug": _debug(module, query, path, {}, module.raw_get_body(decoded[0]))}


def keyed_result(decoded: list[Decoded], items: list[dict[str, Any]], key_by: str) -> dict[str, Any]:
    """`truto_key_by`: the items keyed by each record's unified value of `key_by` (read before any
    field is excluded); a record without one is left out, the later of two equal keys wins."""
    out: dict[str, Any] = {}
    for (_, unified), item in zip(decoded, items, strict=True):
        value = unified.get(key_by)
        if value is not None:
            out[str(value)] = item
    return out


def render_list(
    page: Page, query: InterviewQuery, account: Account, *, partial: bool = False, null_absent: bool = False
) -> Any:
    """The body of `GET /unified/ats/interviews` in the requested format; `partial` marks the list
    envelope `is_partial_response: true` (the `Prefer: partial=true` scenario)."""
    module = provider_module(account.provider)
    decoded = [r.decode() for r in page.records]

    def raw_body() -> Any:
        raws = [raw for raw, _ in decoded]
        return module.raw_list_body(raws, offset=page.offset, limit=page.limit, total=page.total)

    if query.response_format == "raw":
        return raw_body()
    items = [unified_item(pair, query, account.provider, null_absent=null_absent) for pair in decoded]
    envelope: dict[str, Any] = {
        "result": items if query.key_by is None else keyed_result(decoded, items, query.key_by),
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "result_count": len(items),
    }
    if partial:
        envelope["is_partial_response"] = True
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
