"""Small helpers the provider mappings share: reading ids and texts, references, absent values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MappingError(ValueError):
    """A raw provider record that cannot be mapped to a unified interview; the message says why."""


def required_text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise MappingError(f"{where}{key} must be a non-empty string or integer, got {value!r}")
    return str(value)


def optional_text(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MappingError(f"{where}{key} must be a string or integer, got {value!r}")
    return str(value)


def record_id(raw: Mapping[str, Any]) -> str:
    """Every provider's record carries its id under `id`."""
    return required_text(raw, "id", "")


def ref(value: str | None) -> dict[str, str] | None:
    return None if value is None else {"id": value}


def drop_none(mapped: dict[str, Any]) -> dict[str, Any]:
    """Absent provider values are left out of the unified record, never sent as null."""
    return {k: v for k, v in mapped.items() if v is not None}
