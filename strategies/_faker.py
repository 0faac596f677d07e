"""Faker values drawn through Hypothesis: a drawn locale and seed pick the value, so examples
replay and shrink (toward en_US and seed 0). One Faker per locale is reseeded for each use;
Faker's global seed is never touched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import TypeVar

from faker import Faker
from hypothesis import strategies as st

from contracts.samples import FAKER_LOCALES

_LOCK = threading.Lock()
T = TypeVar("T")
FakerSeed = tuple[str, int]


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def faker_seeds() -> st.SearchStrategy[FakerSeed]:
    """A (locale, seed) pair: everything needed to replay Faker calls."""
    return st.tuples(st.sampled_from(FAKER_LOCALES), st.integers(min_value=0, max_value=2**32 - 1))


def with_faker(seed: FakerSeed, use: Callable[[Faker], T]) -> T:
    """Run `use` with the Faker of `seed`'s locale, reseeded to `seed`."""
    with _LOCK:
        fake = _faker(seed[0])
        fake.seed_instance(seed[1])
        return use(fake)


def faker_values(method: Callable[[Faker], str]) -> st.SearchStrategy[str]:
    """Values of one Faker method in one of several locales."""
    return faker_seeds().map(lambda seed: with_faker(seed, method))
