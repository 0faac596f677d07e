"""Provider modules: what each integration returns raw, and how Truto maps it to a unified interview.

Each module exposes the same functions (see `ProviderModule`); `provider_module(name)` picks one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from contracts.providers import ceipal, pinpoint
from contracts.providers._common import MappingError


class ProviderModule(Protocol):
    """The surface every provider module offers."""

    NAME: str
    BASE_URL: str
    DEFAULT_PAGE_SIZE: int

    def from_unified(self, unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]: ...

    def to_unified(self, raw: Mapping[str, Any]) -> dict[str, Any]: ...

    def record_id(self, raw: Mapping[str, Any]) -> str: ...

    def get_path(self, interview_id: str) -> str: ...

    def list_path(self) -> str: ...

    def paging_query(self, *, offset: int, limit: int) -> dict[str, str]: ...

    def raw_get_body(self, raw: Mapping[str, Any]) -> Any: ...

    def raw_list_body(self, raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any: ...

    def records_from_raw_body(self, body: Any, endpoint: str) -> list[Any]: ...

    def response_headers(self) -> dict[str, str]: ...

    def request_headers(self) -> dict[str, str]: ...

    def remote_error_body(self, status: int, message: str) -> Any: ...


PROVIDER_MODULES: dict[str, ProviderModule] = {ceipal.NAME: ceipal, pinpoint.NAME: pinpoint}


def provider_module(name: str) -> ProviderModule:
    """The module for provider `name`; ValueError naming the known providers otherwise."""
    try:
        return PROVIDER_MODULES[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r}; expected one of {', '.join(PROVIDER_MODULES)}") from None


__all__ = ["PROVIDER_MODULES", "MappingError", "ProviderModule", "provider_module"]
