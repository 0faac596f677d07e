"""The recorder's records files, written as the pages are read: memory holds one page, not the
account, and a stopped recording leaves what it read on disk.

Each account's records go to `.<name>.part` beside the data folder's files, one JSON array written
record by record; `close` ends every array and renames it into place, so the folder only ever holds
whole files (a hard kill leaves `.part` files, which no reader opens).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from contracts.accounts import Account
from contracts.datafolder import records_file_name


class RecordsSink:
    """One records file per account, streamed (see the module docstring)."""

    def __init__(self, folder: Path | str, accounts: Sequence[Account]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        taken: list[str] = []
        self.names: dict[str, str] = {}
        for account in accounts:
            name = account.records or records_file_name(account, taken)
            taken.append(name)
            self.names[account.id] = name
        self._files: dict[str, IO[str]] = {}
        self._counts: dict[str, int] = {}

    def _part(self, account_id: str) -> Path:
        return self.folder / f".{self.names[account_id]}.part"

    def write(self, account_id: str, record: Mapping[str, Any]) -> None:
        handle = self._files.get(account_id)
        if handle is None:
            handle = self._files[account_id] = self._part(account_id).open("w", encoding="utf-8")
            handle.write("[")
        handle.write(",\n  " if self._counts.get(account_id) else "\n  ")
        handle.write(json.dumps(record, ensure_ascii=False))
        self._counts[account_id] = self._counts.get(account_id, 0) + 1

    def close(self) -> None:
        """End every array and move each file into place (accounts with no record get `[]`)."""
        for account_id, name in self.names.items():
            handle = self._files.pop(account_id, None)
            if handle is None:
                handle = self._part(account_id).open("w", encoding="utf-8")
                handle.write("[")
            handle.write("\n]\n" if self._counts.get(account_id) else "]\n")
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(self._part(account_id), self.folder / name)

    def discard(self) -> None:
        """Remove what was written (nothing is kept: e.g. the first probe failed)."""
        for account_id in list(self._files):
            self._files.pop(account_id).close()
        for account_id in self.names:
            self._part(account_id).unlink(missing_ok=True)
