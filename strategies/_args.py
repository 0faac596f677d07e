"""Eager argument checks: a bad argument fails when the strategy is built, naming the argument."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis.errors import InvalidArgument

from contracts.fields import FIELD_BY_NAME, FIELD_NAMES
from contracts.params import ENDPOINTS
from contracts.providers import PROVIDERS


def check_provider(provider: str | None, *, required: bool = False) -> None:
    if provider is None and not required:
        return
    if provider not in PROVIDERS:
        allowed = ", ".join(PROVIDERS) + ("" if required else " or None")
        raise InvalidArgument(f"provider must be one of {allowed}, got {provider!r}")


def check_endpoint(endpoint: str) -> None:
    if endpoint not in ENDPOINTS:
        raise InvalidArgument(f"endpoint must be one of {', '.join(ENDPOINTS)}, got {endpoint!r}")


def check_fields(exclude_fields: Iterable[str]) -> frozenset[str]:
    if isinstance(exclude_fields, str):
        raise InvalidArgument(f"exclude_fields must be a collection of field names, not the string {exclude_fields!r}")
    names = frozenset(exclude_fields)
    unknown = sorted(names - set(FIELD_BY_NAME))
    if unknown:
        raise InvalidArgument(f"exclude_fields names unknown field(s) {unknown}; fields: {', '.join(FIELD_NAMES)}")
    return names


def check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be a bool, got {value!r}")
