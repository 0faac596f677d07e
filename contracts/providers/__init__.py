"""The providers behind the unified API, each one frozen `Provider` description (see `_provider.py`).

`provider_module(name)` picks one. Adding a provider: a module building its `PROVIDER`, one line in
`REGISTRY` below, and its name in the field table (see docs/providers.md).
"""

from __future__ import annotations

from types import MappingProxyType

from contracts.providers import ceipal, pinpoint
from contracts.providers._mapping import MappingError
from contracts.providers._provider import Provider

REGISTRY: MappingProxyType[str, Provider] = MappingProxyType(
    {provider.name: provider for provider in (ceipal.PROVIDER, pinpoint.PROVIDER)}
)


def provider_module(name: str) -> Provider:
    """The description of provider `name`; ValueError naming the known providers otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r}; expected one of {', '.join(REGISTRY)}") from None


__all__ = ["REGISTRY", "MappingError", "Provider", "provider_module"]
