"""Key paths inside raw provider records, and which of them each provider's mapping reads.

A key path names a place in a record without its value: object keys joined by `.`, `[]` for "any
item of a list" (`relationships.application.data.id`, `interviewers[].id`). The personal-data replacer counts
replacements per key path and the agreement reports unread raw keys by key path, so neither ever
writes a value.

Which key paths a mapping reads is part of each provider's description (`Provider.reads`);
`traced_reads` watches a mapping run, so a test keeps that table and the mapping code in step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from contracts.providers import MappingError, provider_module
from contracts.providers._mapping import PROBLEM_NOTED


def reads(provider: str) -> Mapping[str, str | None]:
    """Raw key path the provider's mapping reads -> the unified field it fills (None: only checked)."""
    return provider_module(provider).reads


def child(path: str, key: str) -> str:
    """The key path of `key` inside the object at `path`."""
    return f"{path}.{key}" if path else key


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a JSON value with its key path; an empty object or list is a leaf too."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from leaves(item, child(path, str(key)))
    elif isinstance(value, list) and value:
        for item in value:
            yield from leaves(item, f"{path}[]")
    else:
        yield path, value


def is_read(provider: str, path: str) -> bool:
    """True when the mapping reads `path`, or looks there and finds nothing deeper (a null, `{}`)."""
    known = reads(provider)
    if path in known:
        return True
    return any(read.startswith((f"{path}.", f"{path}[]")) for read in known)


def unread_paths(provider: str, raw: Any) -> list[str]:
    """The raw record's leaf key paths the provider's mapping does not read, sorted, each once."""
    return sorted({path for path, _ in leaves(raw) if path and not is_read(provider, path)})


class _TracedDict(Mapping[str, Any]):
    """A read-only view of an object that notes the key path of every key the mapping looks up."""

    def __init__(self, data: Mapping[str, Any], path: str, seen: list[str]) -> None:
        self._data, self._path, self._seen = data, path, seen

    def __getitem__(self, key: str) -> Any:
        where = child(self._path, key)
        self._seen.append(where)
        return _traced(self._data[key], where, self._seen)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _TracedList(list[Any]):
    """A list whose items are traced under `path[]`."""

    def __init__(self, data: list[Any], path: str, seen: list[str]) -> None:
        super().__init__(_traced(item, f"{path}[]", seen) for item in data)


def _traced(value: Any, path: str, seen: list[str]) -> Any:
    if isinstance(value, Mapping):
        return _TracedDict(value, path, seen)
    if isinstance(value, list):
        return _TracedList(value, path, seen)
    return value


def traced_reads(provider: str, raw: Mapping[str, Any]) -> tuple[list[str], MappingError | None]:
    """Map `raw` while watching: the key paths looked up, in order, and the refusal if any (the
    last path looked up is where a refusal happened)."""
    seen: list[str] = []
    try:
        provider_module(provider).to_unified(_traced(raw, "", seen))
    except MappingError as exc:
        return seen, exc
    return seen, None


def refusal_points(provider: str, raw: Mapping[str, Any]) -> list[str]:
    """Where the mapping refuses `raw`: the key path it had just looked up at each problem it noted
    (a mapping notes every problem of a record), or [] when it maps or refuses the record as a whole."""
    seen: list[str] = []
    points: list[str] = []
    token = PROBLEM_NOTED.set(lambda: points.append(seen[-1]) if seen and seen[-1] not in points else None)
    try:
        provider_module(provider).to_unified(_traced(raw, "", seen))
    except MappingError:
        return points or seen[-1:]
    finally:
        PROBLEM_NOTED.reset(token)
    return []
