"""The mock's data: raw provider records from fixtures plus a deterministic Faker-generated set.

Generated records follow what each provider's description declares (`mockserver.generated`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Faker is imported when data is generated, not when accounts are listed
    from faker import Faker

import contracts.datetimes
import contracts.fields
import contracts.providers
import contracts.samples
import mockserver.generated
from contracts.accounts import Account
from contracts.datafolder import DataFolder, default_folder, read_folder
from contracts.providers import PROVIDERS, provider_module
from contracts.samples import FAKER_LOCALES
from mockserver.datacache import APP_NAME, cached
from mockserver.generated import generated_record


@dataclass(frozen=True)
class Dataset:
    """Accounts and, per account id, a function yielding its raw records one at a time (so a large
    data set never sits in memory twice)."""

    accounts: tuple[Account, ...]
    sources: dict[str, Callable[[], Iterator[dict[str, Any]]]]
    checked: dict[str, int] = field(default_factory=dict)
    """Per account id, how many of its first records were already checked against the contract (a data
    folder's, checked when it was read), so the store does not check them a second time."""

    @property
    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Every raw record, materialised (for tests and tools; the store streams `sources`)."""
        return {account_id: list(source()) for account_id, source in self.sources.items()}


@cache
def _faker() -> Faker:
    """One multi-locale Faker for the process (building one costs a tenth of a second); each
    `generate` reseeds it, so the output depends only on the seed."""
    from faker import Faker

    return Faker(list(FAKER_LOCALES))


def generate(provider: str, *, seed: int, count: int) -> Iterator[dict[str, Any]]:
    """`count` raw records for `provider`, one at a time, the same ones for the same seed."""
    if count == 0:
        return
    fake = _faker()
    base = (seed * 7919 + PROVIDERS.index(provider)) * 100_003
    description = provider_module(provider)
    for index in range(count):
        fake.seed_instance(base + index)  # each record depends only on (seed, provider, index)
        yield generated_record(description, fake, index)


def load_accounts(data_dir: Path | None = None) -> tuple[Account, ...]:
    """The integrated accounts of the data folder `data_dir` (checked whole), or the built-in ones."""
    return _folder(data_dir).accounts


def _folder(data_dir: Path | None) -> DataFolder:
    return default_folder() if data_dir is None else read_folder(data_dir)


@cache
def _code_hash() -> str:
    """A hash of the code that shapes generated records: this module, the provider mappings, the
    sample values, the field table, the date formatting. A change to any of them makes new cache keys."""
    digest = hashlib.sha256()
    paths = [Path(str(module.__file__)) for module in (contracts.samples, contracts.datetimes, contracts.fields)]
    paths += [Path(__file__), Path(str(mockserver.generated.__file__))]
    paths += sorted(Path(str(contracts.providers.__file__)).parent.glob("*.py"))
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def installed_version(distribution: str) -> str:
    """The installed version of `distribution`, or "unknown" (running from a source tree)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@cache
def _versions_hash() -> str:
    """Faker's and the kit's versions: after an upgrade of either, "same seed, same data" holds
    between a machine with a cache and one without only if the key changes with them."""
    versions = f"faker {installed_version('faker')}; kit {installed_version(APP_NAME)}"
    return hashlib.sha256(versions.encode()).hexdigest()[:8]


def cache_key(provider: str, seed: int, count: int) -> str:
    """The data cache's key for `generate(provider, seed=seed, count=count)`: also the code that
    shapes the records and the versions of Faker and of the kit."""
    return f"{provider}-{seed}-{count}-{_code_hash()}-{_versions_hash()}"


def _records(
    provider: str, fixed: Sequence[dict[str, Any]], seed: int, count: int, key: str
) -> Iterator[dict[str, Any]]:
    yield from fixed
    yield from cached(key, count, partial(generate, provider, seed=seed, count=count))


def load_dataset(*, seed: int = 0, records: int = 25, data_dir: Path | None = None) -> Dataset:
    """Accounts and raw records: fixtures (or `data_dir`) first, then `records` generated per account."""
    return dataset_from_folder(_folder(data_dir), seed=seed, records=records)  # DataFolderError when broken


def dataset_from_folder(folder: DataFolder, *, seed: int = 0, records: int = 0) -> Dataset:
    """The data set of a checked data folder: its records first, then `records` generated per account."""
    sources: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {}
    for account in folder.accounts:
        hand_written = folder.records[account.id]
        key = cache_key(account.provider, seed, records)  # now: its first reading of versions costs ~0.1 s
        sources[account.id] = partial(_records, account.provider, hand_written, seed, records, key)
    checked: dict[str, int] = {account.id: len(folder.records[account.id]) for account in folder.accounts}
    return Dataset(folder.accounts, sources, checked)
