"""The frozen description every provider module builds, and the paging arithmetic they share."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from contracts.fields import FIELD_BY_NAME, FIELDS, Field, Kind
from contracts.providers._generation import Generated
from contracts.providers._mapping import record_id


class PagingQuery(Protocol):
    def __call__(self, *, offset: int, limit: int) -> dict[str, str]: ...


class FromUnified(Protocol):
    def __call__(self, unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]: ...


class RawListBody(Protocol):
    def __call__(self, raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any: ...


@dataclass(frozen=True)
class Provider:
    """One integration behind the unified API, everything the kit knows of it in one place: which
    unified fields it fills and filters on, where its interviews live, how it pages and answers,
    the two mappings raw -> unified (`to_unified`) and back (`from_unified`), what generated data
    holds for it (`generated`) and its example record (`example`).

    Nothing outside `contracts/providers/` names a provider: the field table, the checker, the mock,
    the strategies and the OpenAPI document ask the registry (`contracts.providers`).
    """

    name: str
    """What users and the registry call it (`pinpoint`): lower case, unique."""
    fills: frozenset[str]
    """The unified fields it fills (names of the field table): the one place coverage is written."""
    filters: frozenset[str]
    """The fields its list endpoint filters on (`created_at[gt]=...`): filled fields the field
    table marks `filterable`."""
    base_url: str
    """The provider's API root, as debug output shows the call Truto made."""
    get_path_template: str
    """The single-interview path, with `{id}` where the interview id goes."""
    list_path: str
    """The provider's list path (after `base_url`)."""
    default_page_size: int
    """The page size the provider uses when Truto sends no `limit`."""
    response_headers: Mapping[str, str]
    """Headers of the provider's answer as debug output shows them."""
    request_headers: Mapping[str, str]
    """Headers of the provider call as debug output shows them: credentials redacted."""
    to_unified: Callable[[Mapping[str, Any]], dict[str, Any]]
    """The unified interview a raw record maps to; MappingError when the record cannot be mapped."""
    reads: Mapping[str, str | None]
    """Raw key path `to_unified` reads (`attributes.status`, `interviewers[].id`) -> the unified field
    it fills, or None when it is read only to be checked. The recorder redacts and reports unread
    keys by it; a test keeps it equal to what `to_unified` looks up."""
    from_unified: FromUnified
    """The raw record that maps to a unified interview; `extras` fills raw-only keys."""
    paging_query: PagingQuery
    """The provider's own paging parameters for a page (offset, limit)."""
    raw_get_body: Callable[[Mapping[str, Any]], Any]
    """The provider's body for one record (what `raw` format passes on for `get`)."""
    raw_list_body: RawListBody
    """The provider's body for a page of records (offset, limit, total), as `raw` passes it on."""
    records_from_raw_body: Callable[[Any, str], list[Any]]
    """The raw records inside a raw response body for an endpoint ("get"/"list"); MappingError if malformed."""
    remote_error_body: Callable[[int, str], Any]
    """What the provider sends with an error status (Truto passes it on as `raw_response`)."""
    raw_basis: str
    """What the raw shapes above stand on (an id of `contracts.basis`: an assumption until a
    recording of a real account confirms it)."""
    generated: Generated
    """What the mock's generated records hold for it, and the raw-only keys strategies add."""
    example: Mapping[str, Any]
    """Its example raw record: the OpenAPI document's example of its interviews (mapped), and the
    conforming interview tests start from."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fills", frozenset(self.fills))
        object.__setattr__(self, "filters", frozenset(self.filters))
        unknown = sorted(self.fills - FIELD_BY_NAME.keys())
        if unknown:
            raise ValueError(f"{self.name}: fills fields the field table does not have: {unknown}")
        missing = sorted(f.name for f in FIELDS if f.required and f.name not in self.fills)
        if missing:
            raise ValueError(f"{self.name}: must fill the required fields {missing}")
        wrong = sorted(n for n in self.filters if n not in self.fills or not FIELD_BY_NAME[n].filterable)
        if wrong:
            raise ValueError(f"{self.name}: filters must be filled fields the field table marks filterable: {wrong}")
        self._check_generated()
        if "{id}" not in self.get_path_template:
            raise ValueError(f"{self.name}: get_path_template must contain {{id}}")
        filled = {f.name for f in self.fields}
        wrong = sorted(f"{path} -> {field}" for path, field in self.reads.items() if field and field not in filled)
        if wrong:
            raise ValueError(f"{self.name}: reads names fields it does not fill (see the field table): {wrong}")
        for name in ("response_headers", "request_headers", "reads"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def _check_generated(self) -> None:
        specs = self.generated.fields
        outside = sorted(specs.keys() - self.fills)
        if outside:
            raise ValueError(f"{self.name}: generated names fields it does not fill: {outside}")
        needed = {f.name for f in self.fields if f.name != "id" and f.kind not in (Kind.ENUM, Kind.OBJECT)}
        if needed - specs.keys():
            raise ValueError(f"{self.name}: generated says nothing of {sorted(needed - specs.keys())}")

    @property
    def fields(self) -> tuple[Field, ...]:
        """The unified fields this provider fills, in the field table's order."""
        return tuple(f for f in FIELDS if f.name in self.fills)

    def get_path(self, interview_id: str) -> str:
        """The provider's path of one interview, as debug output shows the call.

        Args:
            interview_id: the interview's id (unescaped).
        """
        return self.get_path_template.replace("{id}", interview_id)

    def record_id(self, raw: Mapping[str, Any]) -> str:
        """A raw record's id as text, so records are keyed alike whatever type the provider sends.

        Args:
            raw: a raw record of this provider.
        """
        return record_id(raw)


def page_count(total: int, limit: int) -> int:
    """Pages needed for `total` records at `limit` per page (0 when there are none)."""
    return math.ceil(total / max(limit, 1)) if total else 0


def page_number(offset: int, limit: int) -> int:
    """The 1-based page that starts at `offset`."""
    return offset // max(limit, 1) + 1
