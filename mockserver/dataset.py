"""The mock's data: raw provider records from fixtures plus a deterministic Faker-generated set.

Generated records are built as unified values first and turned into raw records with each provider
module's `from_unified`, so they map back exactly and stay inside each provider's coverage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Faker is imported when data is generated, not when accounts are listed
    from faker import Faker

import contracts.datetimes
import contracts.fields
import contracts.providers
import contracts.samples
from contracts.datafolder import Account, DataFolder, default_folder, read_folder
from contracts.datetimes import to_rfc3339
from contracts.fields import CEIPAL, PINPOINT, PROVIDERS, STATUS_VALUES
from contracts.providers import provider_module
from contracts.samples import FAKER_LOCALES, MEETING_LOCATIONS, street_location
from mockserver.datacache import cached

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
"""Generated dates spread from about a year before to half a year after this day."""
_OFFSETS = (0, 1, 2, -5, -8, 5.5, 9)


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


def _ceipal_record(fake: Faker, index: int, interview_id: str) -> dict[str, Any]:
    created = ANCHOR + timedelta(days=fake.random_int(-400, 180), seconds=fake.random_int(0, 86_399))
    updated = created + timedelta(minutes=fake.random_int(0, 14_400))
    people = [str(fake.random_int(10, 99)) for _ in range(fake.random_int(0, 4))]
    unified: dict[str, Any] = {
        "id": interview_id,
        "application": {"id": str(fake.random_int(5000, 5999))},
        "candidate": {"id": str(fake.random_int(3000, 3999))},
        "job_interview_stage": {"id": str(fake.random_int(1, 5))},
        "organizer": {"id": str(fake.random_int(10, 99))},
        "interviewers": [{"id": person} for person in people],
        "created_at": to_rfc3339(created),
        "updated_at": to_rfc3339(updated),
    }
    if index % 4 != 3:  # every fourth Ceipal interview has no location
        unified["location"] = fake.random_element(MEETING_LOCATIONS) if index % 2 else street_location(fake)
    interview_day = created + timedelta(days=fake.random_int(1, 30))
    extras = {
        "job_id": str(fake.random_int(7000, 7999)),
        "interview_date": interview_day.strftime("%m/%d/%Y"),
        "interviewer_names": [fake.name() for _ in people],
    }
    return provider_module(CEIPAL).from_unified(unified, extras)


def _pinpoint_record(fake: Faker, index: int, interview_id: str) -> dict[str, Any]:
    created = ANCHOR + timedelta(days=fake.random_int(-400, 150), seconds=fake.random_int(0, 86_399))
    zone = timezone(timedelta(hours=fake.random_element(_OFFSETS)))
    start = (created + timedelta(days=fake.random_int(1, 40))).replace(minute=0, second=0).astimezone(zone)
    end = start + timedelta(minutes=fake.random_element((30, 45, 60, 90)))
    unified = {
        "id": interview_id,
        "application": {"id": str(fake.random_int(200, 999))},
        "job_interview_stage": {"id": str(fake.random_int(30, 40))},
        "start_at": start.isoformat(),
        "end_at": end.isoformat(),
        "status": STATUS_VALUES[index % len(STATUS_VALUES)],  # every status, in turn
        "created_at": created.isoformat(),
        "updated_at": (created + timedelta(minutes=fake.random_int(0, 9_000))).isoformat(),
    }
    kind = fake.random_element(("Phone screen", "Technical interview", "Panel", "Entretien"))
    title = f"{kind} — {fake.name()}"
    return provider_module(PINPOINT).from_unified(unified, {"title": title})


_GENERATORS = {CEIPAL: (_ceipal_record, 9100), PINPOINT: (_pinpoint_record, 500)}


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
    make, first_id = _GENERATORS[provider]
    for index in range(count):
        fake.seed_instance(base + index)  # each record depends only on (seed, provider, index)
        yield make(fake, index, str(first_id + index))


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
    paths.append(Path(__file__))
    paths += sorted(Path(str(contracts.providers.__file__)).parent.glob("*.py"))
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(provider: str, seed: int, count: int) -> str:
    """The data cache's key for `generate(provider, seed=seed, count=count)`."""
    return f"{provider}-{seed}-{count}-{_code_hash()}"


def _records(provider: str, fixed: Sequence[dict[str, Any]], seed: int, count: int) -> Iterator[dict[str, Any]]:
    yield from fixed
    yield from cached(cache_key(provider, seed, count), count, partial(generate, provider, seed=seed, count=count))


def load_dataset(*, seed: int = 0, records: int = 25, data_dir: Path | None = None) -> Dataset:
    """Accounts and raw records: fixtures (or `data_dir`) first, then `records` generated per account."""
    return dataset_from_folder(_folder(data_dir), seed=seed, records=records)  # DataFolderError when broken


def dataset_from_folder(folder: DataFolder, *, seed: int = 0, records: int = 0) -> Dataset:
    """The data set of a checked data folder: its records first, then `records` generated per account."""
    sources: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {}
    for account in folder.accounts:
        hand_written = folder.records[account.id]
        sources[account.id] = partial(_records, account.provider, hand_written, seed, records)
    checked = {account.id: len(folder.records[account.id]) for account in folder.accounts}
    return Dataset(folder.accounts, sources, checked)
