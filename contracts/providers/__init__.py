"""The providers behind the unified API, each one frozen `Provider` description (see `_provider.py`),
and the registry every other part of the kit asks: which providers exist, which fields each fills
and filters on.

Adding a provider is one module building its `PROVIDER` and one `register` call (see
docs/providers.md); a provider registered at run time (a plugin, a test) is seen everywhere at once,
since `PROVIDERS` is a live view of the registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import MappingProxyType
from typing import overload

from contracts.basis import basis
from contracts.fields import FIELD_BY_NAME, FIELDS, Field
from contracts.providers import ceipal, pinpoint
from contracts.providers._generation import Generated, Ids, Moment, Text, TextKind, Value
from contracts.providers._mapping import MappingError
from contracts.providers._provider import Provider

_REGISTRY: dict[str, Provider] = {}
REGISTRY: MappingProxyType[str, Provider] = MappingProxyType(_REGISTRY)
"""Provider name -> description, in registration order (a read-only live view)."""


def register(provider: Provider) -> Provider:
    """Make `provider` known to the whole kit; returns it.

    Args:
        provider: the description; its name must be new, and its `raw_basis` an assumption of
            `contracts.basis` (`register_basis` adds one), ValueError otherwise.
    """
    if provider.name in _REGISTRY and _REGISTRY[provider.name] is not provider:
        raise ValueError(f"a provider named {provider.name!r} is already registered")
    if not basis(provider.raw_basis).assumed:  # ValueError for an unknown id
        raise ValueError(f"{provider.name}: raw_basis {provider.raw_basis!r} must be an assumption")
    _REGISTRY[provider.name] = provider
    return provider


class _Names(Sequence[str]):
    """The registered providers' names, in registration order, read at each use."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(_REGISTRY)[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __contains__(self, name: object) -> bool:
        return name in _REGISTRY

    def __repr__(self) -> str:
        return repr(tuple(_REGISTRY))


PROVIDERS: Sequence[str] = _Names()
"""The names of the integrations behind the endpoint (Ceipal and Pinpoint, as the seed lists them,
and any registered since)."""


def provider_module(name: str) -> Provider:
    """The description of provider `name`.

    Args:
        name: a registered provider's name; ValueError naming the known providers otherwise.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r}; expected one of {', '.join(_REGISTRY)}") from None


def fields_for(provider: str | None) -> tuple[Field, ...]:
    """The fields `provider` fills, in the field table's order.

    Args:
        provider: a provider's name, or None for every field of the table.
    """
    return FIELDS if provider is None else provider_module(provider).fields


def fills(provider: str | None, field: str) -> bool:
    """Whether `provider` fills `field` (always true for None: any provider).

    Args:
        provider: a provider's name, or None.
        field: a field name of the table.
    """
    return provider is None or field in provider_module(provider).fills


def providers_filling(field: str) -> tuple[str, ...]:
    """The providers that fill `field`, in registration order.

    Args:
        field: a field name of the table.
    """
    return tuple(name for name, p in _REGISTRY.items() if field in p.fills)


def filterable_fields(provider: str | None) -> tuple[str, ...]:
    """The fields the list endpoint filters on, in table order.

    Args:
        provider: a provider's name (its filters), or None (every provider's).
    """
    names = [provider] if provider is not None else list(_REGISTRY)
    wanted = {name for p in names for name in provider_module(p).filters}
    return tuple(f.name for f in FIELDS if f.name in wanted)


def providers_filtering(field: str) -> frozenset[str]:
    """The providers whose list endpoint filters on `field`.

    Args:
        field: a filterable field of the table.
    """
    if not FIELD_BY_NAME[field].filterable:
        return frozenset()
    return frozenset(name for name, p in _REGISTRY.items() if field in p.filters)


register(ceipal.PROVIDER)
register(pinpoint.PROVIDER)

__all__ = [
    "PROVIDERS",
    "REGISTRY",
    "Generated",
    "Ids",
    "MappingError",
    "Moment",
    "Provider",
    "Text",
    "TextKind",
    "Value",
    "fields_for",
    "fills",
    "filterable_fields",
    "provider_module",
    "providers_filling",
    "providers_filtering",
    "register",
]
