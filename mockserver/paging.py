"""Query semantics of the list endpoint: date filters, cursors and pages.

Cursors are opaque to clients (as Truto's are) but simple inside: the page's offset as six
big-endian bytes in base64url, always 8 characters. Every 8-character base64url string is therefore
a cursor the mock accepts, which lets the OpenAPI document describe them exactly (`CURSOR_PATTERN`).
"""

from __future__ import annotations

import base64
import binascii
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.providers import filterable_fields, provider_module
from contracts.query import InterviewQuery, QueryError
from mockserver.store import Record

MAX_OFFSET = 2**48 - 1
CURSOR_PATTERN = r"^([A-Za-z0-9_-]{8})?$"
"""Cursors the mock issues, and so accepts: 8 base64url characters, or empty on the first page."""
_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_BAD_CURSOR = "`next_cursor` is not a cursor this server issued; pass next_cursor (or prev_cursor) from a page"
__all__ = ["CURSOR_PATTERN", "Page", "check_filters", "decode_cursor", "encode_cursor", "select_page"]


@dataclass(frozen=True)
class Page:
    """One page of a list: its records, where it starts, its size, the total and the cursors around it."""

    records: list[Record]
    offset: int
    limit: int
    total: int
    next_cursor: str | None
    prev_cursor: str | None


def encode_cursor(offset: int) -> str:
    """The opaque cursor of a page starting at `offset`."""
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be 0-{MAX_OFFSET}, got {offset}")
    return base64.urlsafe_b64encode(offset.to_bytes(6, "big")).decode()


def decode_cursor(cursor: str) -> int:
    """The offset a cursor stands for; QueryError for anything this server could not have issued."""
    if len(cursor) != 8 or not cursor.isascii():
        raise QueryError(_BAD_CURSOR)
    try:
        data = base64.urlsafe_b64decode(cursor.encode())
    except (binascii.Error, ValueError):
        raise QueryError(_BAD_CURSOR) from None
    if base64.urlsafe_b64encode(data).decode() != cursor:  # e.g. '+' or '/' in place of '-' or '_'
        raise QueryError(_BAD_CURSOR)
    return int.from_bytes(data, "big")


def check_filters(query: InterviewQuery, provider: str) -> None:
    """400 for a filter this provider's list endpoint does not support."""
    for f in query.filters:
        if f.field not in provider_module(provider).filters:
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
    next_cursor = encode_cursor(end) if end < total and end <= MAX_OFFSET else None
    prev_cursor = encode_cursor(max(offset - limit, 0)) if offset > 0 else None
    return Page(chosen[offset:end], offset, limit, total, next_cursor, prev_cursor)
