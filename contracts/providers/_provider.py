"""The frozen description every provider module builds, and the paging arithmetic they share."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from contracts.fields import Field, fields_for
from contracts.providers._mapping import record_id


class PagingQuery(Protocol):
    def __call__(self, *, offset: int, limit: int) -> dict[str, str]: ...


class FromUnified(Protocol):
    def __call__(self, unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]: ...


class RawListBody(Protocol):
    def __call__(self, raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any: ...


@dataclass(frozen=True)
class Provider:
    """One integration behind the unified API: where its interviews live, how it pages and answers,
    and the two mappings raw -> unified (`to_unified`) and back (`from_unified`).

    Which unified fields it fills is written once, in the field table (`contracts.fields`); `fields`
    reads it from there. The body helpers say how the provider wraps records in its own responses.
    """

    name: str
    base_url: str
    get_path_template: str
    """The single-interview path, with `{id}` where the interview id goes."""
    list_path: str
    default_page_size: int
    response_headers: Mapping[str, str]
    request_headers: Mapping[str, str]
    """Headers of the provider call as debug output shows them: credentials redacted."""
    to_unified: Callable[[Mapping[str, Any]], dict[str, Any]]
    reads: Mapping[str, str | None]
    """Raw key path `to_unified` reads (`attributes.status`, `interviewers[].id`) -> the unified field
    it fills, or None when it is read only to be checked. The recorder redacts and reports unread
    keys by it; a test keeps it equal to what `to_unified` looks up."""
    from_unified: FromUnified
    """The raw record that maps to a unified interview; `extras` fills raw-only keys."""
    paging_query: PagingQuery
    """The provider's own paging parameters for a page (offset, limit)."""
    raw_get_body: Callable[[Mapping[str, Any]], Any]
    raw_list_body: RawListBody
    records_from_raw_body: Callable[[Any, str], list[Any]]
    """The raw records inside a raw response body for an endpoint ("get"/"list"); MappingError if malformed."""
    remote_error_body: Callable[[int, str], Any]
    """What the provider sends with an error status (Truto passes it on as `raw_response`)."""

    def __post_init__(self) -> None:
        fields_for(self.name)  # the field table must know the provider: that is where its coverage lives
        if "{id}" not in self.get_path_template:
            raise ValueError(f"{self.name}: get_path_template must contain {{id}}")
        filled = {f.name for f in self.fields}
        wrong = sorted(f"{path} -> {field}" for path, field in self.reads.items() if field and field not in filled)
        if wrong:
            raise ValueError(f"{self.name}: reads names fields it does not fill (see the field table): {wrong}")
        for name in ("response_headers", "request_headers", "reads"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def fields(self) -> tuple[Field, ...]:
        """The unified fields this provider fills, from the field table."""
        return fields_for(self.name)

    def get_path(self, interview_id: str) -> str:
        return self.get_path_template.replace("{id}", interview_id)

    def record_id(self, raw: Mapping[str, Any]) -> str:
        return record_id(raw)


def page_count(total: int, limit: int) -> int:
    """Pages needed for `total` records at `limit` per page (0 when there are none)."""
    return math.ceil(total / max(limit, 1)) if total else 0


def page_number(offset: int, limit: int) -> int:
    """The 1-based page that starts at `offset`."""
    return offset // max(limit, 1) + 1
