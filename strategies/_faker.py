"""Faker values drawn through Hypothesis, from pools shipped with the kit (`faker_pools.json`).

Reseeding Faker for every example cost more than the rest of an example together, and building the
pools on the first draw cost half a second (Faker's locale discovery), which made the first example
of a property test slow enough to fail Hypothesis' health check on a loaded machine. So each kind of
value (a name, a title, an address) has a pool generated once, deterministically, from a fixed seed
in every locale, and shipped as data: the first draw reads a small JSON file. An example draws an
index into a pool, so examples replay and shrink (toward the first en_US value). Faker's global seed
is never touched. Regenerate the file with `python -m strategies._faker` after changing a generator.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contracts.samples import FAKER_LOCALES, street_location

if TYPE_CHECKING:
    from faker import Faker

POOL_PER_LOCALE = 200
POOL_SIZE = POOL_PER_LOCALE * len(FAKER_LOCALES)
POOLS_FILE = "faker_pools.json"
_LOCK = threading.Lock()
_POOLS: dict[str, tuple[str, ...]] = {}


def _title(fake: Faker) -> str:
    return str(fake.catch_phrase())


def _name(fake: Faker) -> str:
    return str(fake.name())


GENERATORS: dict[str, Callable[[Any], str]] = {"title": _title, "name": _name, "location": street_location}
"""Each pool's Faker method: what `python -m strategies._faker` runs to write POOLS_FILE."""


def faker_pool(kind: str) -> tuple[str, ...]:
    """POOL_SIZE values of one kind (a key of GENERATORS), POOL_PER_LOCALE per locale in FAKER_LOCALES order."""
    pool = _POOLS.get(kind)
    if pool is None:
        with _LOCK:
            if not _POOLS:
                text = resources.files("strategies").joinpath(POOLS_FILE).read_text("utf-8")
                _POOLS.update({name: tuple(values) for name, values in json.loads(text).items()})
        pool = _POOLS[kind]
    return pool


def generate() -> dict[str, list[str]]:
    """The pools as Faker makes them: a fixed seed per locale, POOL_PER_LOCALE values each."""
    from faker import Faker

    pools: dict[str, list[str]] = {}
    for kind, method in GENERATORS.items():
        values: list[str] = []
        for locale in FAKER_LOCALES:
            fake = Faker(locale)
            fake.seed_instance(0)
            values += [method(fake) for _ in range(POOL_PER_LOCALE)]
        pools[kind] = values
    return pools


def faker_indices() -> st.SearchStrategy[int]:
    """An index into any pool (shrinks toward 0: the first en_US value)."""
    return st.integers(0, POOL_SIZE - 1)


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    from pathlib import Path

    target = Path(__file__).with_name(POOLS_FILE)
    target.write_text(json.dumps(generate(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target}")
