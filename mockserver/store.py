"""The mock's state: integrated accounts and their raw records, checked once on the way in.

Records are kept as compact JSON and decoded per request: 10,000 interviews fit in a few MiB, and a
record can never be changed in place by a caller. Thread-safe: the server answers from worker
threads while tests and admin calls write.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import orjson

from contracts.accounts import Account
from contracts.datafolder import interview_from_raw
from contracts.datetimes import parse_iso
from contracts.providers import MappingError, filterable_fields, provider_module
from mockserver.dataset import Dataset

DECODED_CACHE_SIZE = 4096
"""Decoded records kept ready: the default data set fits whole, a large one keeps its hot part."""


class DuplicateRecordError(ValueError):
    """Records whose interview ids the account already holds (`existing`), or that repeat within one
    call; `ids` names them.

    Args:
        message: one line naming the account and the ids, and how to add them anyway.
        ids: the interview ids at fault.
        existing: True when the account already holds them, False when they repeat within the call.
    """

    def __init__(self, message: str, ids: list[str], *, existing: bool) -> None:
        super().__init__(message)
        self.ids, self.existing = ids, existing


class Record:
    """One raw provider record: its id, filter values, and the raw JSON it decodes from."""

    __slots__ = ("_json", "id", "provider", "times")

    def __init__(self, provider: str, interview_id: str, raw_json: bytes, times: dict[str, float]) -> None:
        self.provider, self.id, self._json, self.times = provider, interview_id, raw_json, times

    @property
    def raw(self) -> dict[str, Any]:
        """A fresh copy of the raw provider record."""
        raw: dict[str, Any] = orjson.loads(self._json)
        return raw

    def decode(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(raw record, unified interview without remote_data), shared through a bounded cache of
        hot records: callers must copy before changing either."""
        return _decoded(self)

    @property
    def unified(self) -> dict[str, Any]:
        return dict(self.decode()[1])


@lru_cache(maxsize=DECODED_CACHE_SIZE)
def _decoded(record: Record) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = record.raw
    return raw, provider_module(record.provider).to_unified(raw)


def make_record(provider: str, raw: Mapping[str, Any], *, checked: bool = False) -> Record:
    """Map and check a raw record; MappingError (with every violation) when it breaks the contract.
    `checked`: the record was checked already (a data folder's), so it is only mapped."""
    unified = provider_module(provider).to_unified(raw) if checked else interview_from_raw(provider, raw)
    try:
        times = {name: parse_iso(unified[name]).timestamp() for name in filterable_fields(provider) if name in unified}
    except ValueError as exc:  # e.g. a leap second: valid RFC 3339, but no Python datetime
        raise MappingError(f"the mock cannot compare this date-time: {exc}") from None
    return Record(provider, str(unified["id"]), _compact(raw), times)


def _compact(raw: Mapping[str, Any]) -> bytes:
    """The record as compact JSON that orjson reads back: what JSON cannot carry (NaN, Infinity, keys
    that are not strings) is a MappingError here, never a 500 when the record is served."""
    try:
        compact = orjson.dumps(raw)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the standard library writes it
        return _strict_dumps(raw).encode()
    if b"null" in compact:  # orjson writes NaN and Infinity as null: make sure the record had none
        _strict_dumps(raw)
    return bytes(memoryview(compact))  # kept for good: a copy of its own size (orjson's holds ~4 KiB)


def _strict_dumps(raw: Mapping[str, Any]) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        raise MappingError("the record contains NaN or Infinity, which JSON does not allow") from None
    except TypeError as exc:
        raise MappingError(f"the record cannot be written as JSON: {exc}") from None


def _key(account_id: str) -> str:
    """Account ids are UUIDs, which compare case-insensitively (RFC 9562 section 4): one key per account."""
    return account_id.lower()


def _build(provider: str, raws: Iterable[Mapping[str, Any]], checked: int) -> Iterator[Record]:
    for index, raw in enumerate(raws):
        yield make_record(provider, raw, checked=index < checked)


class Store:
    """Accounts and records, with the initial data to go back to on `reset()`. Accounts are found by
    their id in any letter case; each keeps the id as its data gave it."""

    def __init__(self, dataset: Dataset) -> None:
        self._lock = threading.RLock()
        self._initial_accounts: dict[str, Account] = {}
        self._initial: dict[str, dict[str, Record]] = {}
        self._accounts: dict[str, Account] = {}
        self._records: dict[str, dict[str, Record]] = {}
        self.load(dataset)

    def load(self, dataset: Dataset, changed: Iterable[str] | None = None) -> None:
        """Make `dataset` the data served and gone back to on `reset()`. The accounts in `changed`
        (ids; None: every account) get its records, replacing what they hold now (records added at
        run time included); the others keep theirs and their records are not rebuilt. An account
        the data set no longer has goes. MappingError naming the first bad record (nothing changes)."""
        wanted = None if changed is None else {_key(account_id) for account_id in changed}
        built: dict[str, dict[str, Record]] = {}
        for account in dataset.accounts:
            key = _key(account.id)
            if wanted is None or key in wanted or key not in self._initial:
                checked = dataset.checked.get(account.id, 0)
                built[key] = {r.id: r for r in _build(account.provider, dataset.sources[account.id](), checked)}
        with self._lock:
            accounts = {_key(a.id): a for a in dataset.accounts}
            self._initial = {key: built[key] if key in built else self._initial[key] for key in accounts}
            self._initial_accounts = accounts
            self._records = {
                key: dict(self._initial[key]) if key in built or key not in self._records else self._records[key]
                for key in accounts
            }
            self._accounts = dict(accounts)

    def reset(self) -> None:
        """Back to the data set the store was loaded with (records are immutable, so shared)."""
        with self._lock:
            self._accounts = dict(self._initial_accounts)
            self._records = {account_id: dict(records) for account_id, records in self._initial.items()}

    def accounts(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())

    def account(self, account_id: str) -> Account | None:
        with self._lock:
            return self._accounts.get(_key(account_id))

    def get(self, account_id: str, interview_id: str) -> Record | None:
        with self._lock:
            return self._records.get(_key(account_id), {}).get(interview_id)

    def records(self, account_id: str) -> list[Record]:
        """A snapshot of the account's records in insertion order."""
        with self._lock:
            return list(self._records.get(_key(account_id), {}).values())

    def put(
        self,
        account_id: str,
        raws: Iterable[Mapping[str, Any]],
        *,
        replace: bool = False,
        overwrite: bool = False,
    ) -> list[Record]:
        """Add raw records to an account (or with `replace`, swap in these as all of its records); all
        or nothing.

        An id already held by the account is a DuplicateRecordError naming it, unless `overwrite`
        asks to replace those records; an id given twice in one call always is. Raises KeyError for
        an unknown account and MappingError naming the first bad record.
        """
        account = self.account(account_id)
        if account is None:
            raise KeyError(account_id)
        built: dict[str, Record] = {}
        for index, raw in enumerate(raws):
            try:
                record = make_record(account.provider, raw)
            except MappingError as exc:
                raise MappingError(f"record {index}: {exc}") from None
            if record.id in built:
                raise DuplicateRecordError(
                    f"record {index} repeats interview id {record.id!r} given earlier in the same call",
                    [record.id],
                    existing=False,
                )
            built[record.id] = record
        with self._lock:
            current = {} if replace else dict(self._records[_key(account_id)])
            taken = [record_id for record_id in built if record_id in current]
            if taken and not overwrite:
                names = ", ".join(repr(record_id) for record_id in taken)
                raise DuplicateRecordError(
                    f"{account.provider} account {account_id} already has interview id(s) {names}; "
                    "pass overwrite=True to replace them (or use ids outside the data set)",
                    taken,
                    existing=True,
                )
            current.update(built)
            self._records[_key(account_id)] = current
        return list(built.values())
