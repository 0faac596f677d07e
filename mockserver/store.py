"""The mock's state: integrated accounts and their raw records, each mapped once on the way in.

Thread-safe: the server answers from worker threads while tests and admin calls write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.checker import validate_interview
from contracts.datetimes import parse_iso
from contracts.fields import filterable_fields
from contracts.providers import MappingError, provider_module
from mockserver.dataset import Account, Dataset


@dataclass(frozen=True)
class Record:
    """One raw provider record with its unified mapping (without `remote_data`) and filter values."""

    raw: Mapping[str, Any]
    unified: Mapping[str, Any]
    times: Mapping[str, datetime]


def make_record(provider: str, raw: Mapping[str, Any]) -> Record:
    """Map and check a raw record; MappingError (with every violation) when it breaks the contract."""
    unified = provider_module(provider).to_unified(raw)
    violations = validate_interview({**unified, "remote_data": dict(raw)}, provider=provider)
    if violations:
        raise MappingError("; ".join(str(v) for v in violations))
    try:
        times = {name: parse_iso(unified[name]) for name in filterable_fields(provider) if name in unified}
    except ValueError as exc:  # e.g. a leap second: valid RFC 3339, but no Python datetime
        raise MappingError(f"the mock cannot compare this date-time: {exc}") from None
    return Record(raw, unified, times)


class Store:
    """Accounts and records, with a snapshot to go back to on `reset()`."""

    def __init__(self, dataset: Dataset) -> None:
        self._lock = threading.RLock()
        self._initial = dataset
        self._accounts: dict[str, Account] = {}
        self._records: dict[str, dict[str, Record]] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the data set the store was built with."""
        accounts = {a.id: a for a in self._initial.accounts}
        records = {
            a.id: {r.unified["id"]: r for r in (make_record(a.provider, raw) for raw in self._initial.records[a.id])}
            for a in self._initial.accounts
        }
        with self._lock:
            self._accounts, self._records = accounts, records

    def accounts(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())

    def account(self, account_id: str) -> Account | None:
        with self._lock:
            return self._accounts.get(account_id)

    def get(self, account_id: str, interview_id: str) -> Record | None:
        with self._lock:
            return self._records.get(account_id, {}).get(interview_id)

    def records(self, account_id: str) -> list[Record]:
        """A snapshot of the account's records in insertion order."""
        with self._lock:
            return list(self._records.get(account_id, {}).values())

    def put(self, account_id: str, raws: Iterable[Mapping[str, Any]], *, replace: bool = False) -> list[Record]:
        """Add (or with `replace`, swap in) raw records for an account; all or nothing.

        Raises KeyError for an unknown account and MappingError naming the first bad record.
        """
        account = self.account(account_id)
        if account is None:
            raise KeyError(account_id)
        built: dict[str, Record] = {}
        for index, raw in enumerate(raws):
            try:
                record = make_record(account.provider, raw)
                built[record.unified["id"]] = record
            except MappingError as exc:
                raise MappingError(f"record {index}: {exc}") from None
        with self._lock:
            current = {} if replace else dict(self._records[account_id])
            current.update(built)
            self._records[account_id] = current
        return list(built.values())
