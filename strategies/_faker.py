"""Faker values drawn through Hypothesis, from pools built once per process.

Reseeding Faker for every example cost more than the rest of an example together, and small seeds
repeated whole examples. Instead each kind of value (a name, a title, an address) has a pool built
once, deterministically, from a fixed seed in every locale; an example draws an index into it, so
examples replay and shrink (toward the first en_US value). Faker's global seed is never touched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from contracts.samples import FAKER_LOCALES

if TYPE_CHECKING:
    from faker import Faker

POOL_PER_LOCALE = 200
POOL_SIZE = POOL_PER_LOCALE * len(FAKER_LOCALES)
_LOCK = threading.Lock()
_POOLS: dict[Callable[[Faker], str], tuple[str, ...]] = {}


def faker_pool(method: Callable[[Faker], str]) -> tuple[str, ...]:
    """POOL_SIZE values of `method`, POOL_PER_LOCALE per locale in FAKER_LOCALES order; built on first use."""
    pool = _POOLS.get(method)
    if pool is None:
        from faker import Faker

        with _LOCK:
            values: list[str] = []
            for locale in FAKER_LOCALES:
                fake = Faker(locale)
                fake.seed_instance(0)
                values += [method(fake) for _ in range(POOL_PER_LOCALE)]
            pool = _POOLS.setdefault(method, tuple(values))
    return pool


def faker_indices() -> st.SearchStrategy[int]:
    """An index into any pool (shrinks toward 0: the first en_US value)."""
    return st.integers(0, POOL_SIZE - 1)
