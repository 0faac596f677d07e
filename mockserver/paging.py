"""Query semantics of the list endpoint: date filters, cursors and pages.

Cursors are opaque to clients (as Truto's are) but simple inside: the page's offset as six
big-endian bytes, then three bytes of a hash of the integrated account id, in base64url: always 12
characters. A cursor from another account's list is refused (400 `invalid cursor`), as a client that
mixes up its accounts' cursors should be told; the OpenAPI document describes the form exactly
(`CURSOR_PATTERN`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.providers import filterable_fields, provider_module
from contracts.query import InterviewQuery, QueryError
from mockserver.store import Record

MAX_OFFSET = 2**48 - 1
CURSOR_LENGTH = 12
CURSOR_PATTERN = rf"^([A-Za-z0-9_-]{{{CURSOR_LENGTH}}})?$"
"""Cursors the mock issues: 12 base64url characters, or empty on the first page."""
_CHECK_BYTES = 3
MAX_PATTERN_ACCOUNTS = 50
"""`cursor_pattern` names at most this many accounts' check values; past that, the general pattern."""
_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_BAD_CURSOR = "`next_cursor` is not a cursor this server issued; pass next_cursor (or prev_cursor) from a page"
_OTHER_ACCOUNT = (
    "invalid cursor: `next_cursor` comes from another integrated account's list; pass the next_cursor "
    "(or prev_cursor) of a page of this account"
)
__all__ = [
    "CURSOR_LENGTH",
    "CURSOR_PATTERN",
    "Page",
    "check_filters",
    "cursor_pattern",
    "decode_cursor",
    "encode_cursor",
    "select_page",
]


@dataclass(frozen=True)
class Page:
    """One page of a list: its records, where it starts, its size, the total and the cursors around it."""

    records: list[Record]
    offset: int
    limit: int
    total: int
    next_cursor: str | None
    prev_cursor: str | None


def _check(account_id: str) -> bytes:
    """The account's check value (UUIDs compare in any letter case, so its lower case is hashed)."""
    return hashlib.sha256(account_id.lower().encode()).digest()[:_CHECK_BYTES]


def cursor_pattern(account_ids: Sequence[str]) -> str:
    """The pattern of exactly the cursors of these accounts' lists (their check values spelled out),
    or `CURSOR_PATTERN` for none or more than `MAX_PATTERN_ACCOUNTS`."""
    if not account_ids or len(account_ids) > MAX_PATTERN_ACCOUNTS:
        return CURSOR_PATTERN
    checks = sorted({base64.urlsafe_b64encode(_check(a)).decode() for a in account_ids})
    return rf"^([A-Za-z0-9_-]{{8}}({'|'.join(checks)}))?$"


def encode_cursor(offset: int, account_id: str) -> str:
    """The opaque cursor of the page of `account_id`'s list starting at `offset`."""
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be 0-{MAX_OFFSET}, got {offset}")
    return base64.urlsafe_b64encode(offset.to_bytes(6, "big") + _check(account_id)).decode()


def decode_cursor(cursor: str, account_id: str) -> int:
    """The offset a cursor of `account_id`'s list stands for; QueryError for anything this server
    could not have issued, and for a cursor of another account."""
    if len(cursor) != CURSOR_LENGTH or not cursor.isascii():
        raise QueryError(_BAD_CURSOR)
    try:
        data = base64.urlsafe_b64decode(cursor.encode())
    except (binascii.Error, ValueError):
        raise QueryError(_BAD_CURSOR) from None
    if base64.urlsafe_b64encode(data).decode() != cursor:  # e.g. '+' or '/' in place of '-' or '_'
        raise QueryError(_BAD_CURSOR)
    if data[6:] != _check(account_id):
        raise QueryError(_OTHER_ACCOUNT)
    return int.from_bytes(data[:6], "big")


def check_filters(query: InterviewQuery, provider: str) -> None:
    """400 for a filter this provider's list endpoint does not support."""
    for f in query.filters:
        if f.field not in provider_module(provider).filters:
            supported = ", ".join(filterable_fields(provider))
            raise QueryError(f"{provider} does not support filtering on `{f.field}`; it supports: {supported}")


def select_page(records: Sequence[Record], query: InterviewQuery, default_limit: int) -> Page:
    """Filter, then cut the page the cursor and limit ask for (cursors of `query`'s account)."""
    account_id = query.integrated_account_id
    bounds = [(f.field, _OPS[f.operator], f.value.timestamp()) for f in query.filters]
    chosen = [r for r in records if all(name in r.times and op(r.times[name], value) for name, op, value in bounds)]
    offset = decode_cursor(query.next_cursor, account_id) if query.next_cursor else 0
    total = len(chosen)
    limit = max(total, 1) if query.ignore_limit else (query.limit or default_limit)
    end = offset + limit
    next_cursor = encode_cursor(end, account_id) if end < total and end <= MAX_OFFSET else None
    prev_cursor = encode_cursor(max(offset - limit, 0), account_id) if offset > 0 else None
    return Page(chosen[offset:end], offset, limit, total, next_cursor, prev_cursor)
