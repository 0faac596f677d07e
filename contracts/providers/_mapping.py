"""Small helpers the provider mappings share: reading ids and texts, references, absent values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")


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


PROBLEM_NOTED: ContextVar[Callable[[], None] | None] = ContextVar("problem_noted", default=None)
"""Called each time a mapping notes a problem (a tracer uses it to know where the mapping stood)."""


class Problems:
    """Collects every mapping problem of one record, so a record's problems are reported all at once
    (not one per run): each field is read through `read`, and `result` raises them together."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def note(self, problem: str) -> None:
        self.found.append(problem)
        hook = PROBLEM_NOTED.get()
        if hook is not None:
            hook()

    def read(self, reader: Callable[..., T], *args: Any) -> T | None:
        """`reader(*args)`, or None after noting the MappingError it raised."""
        try:
            return reader(*args)
        except MappingError as exc:
            self.note(str(exc))
            return None

    def result(self, mapped: dict[str, Any]) -> dict[str, Any]:
        """The mapped record without absent values; MappingError naming every problem noted."""
        if self.found:
            raise MappingError("; ".join(self.found))
        return drop_none(mapped)
