"""A recording: interviews read from the API, compared with the kit's mapping, redacted, and written
as a data folder the mock serves (`python -m mockserver --data DIR`, the marker's `data_dir`).

Records are streamed to the folder as they are read (`stream_to`, `contracts.live.sink`), or kept in
memory and written at the end (`write` without `stream_to`). The API token is scrubbed from every
file written, whatever `redact` says (an API may echo it inside its records); ids are never redacted.

The folder holds only raw provider records (redacted unless asked otherwise) plus two reports:
`agreement.json` (how the kit's mapping compares with the API) and `redaction.json` (how many
strings were replaced per key path). The unified interviews the API returned are compared in memory
and never written; neither is the redaction's salt. A record the kit's mapping refuses is left out,
so the folder always loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.accounts import Account
from contracts.datafolder import (
    ACCOUNTS_FILE,
    RECORDS_FILE_NAME,
    DataFolder,
    interview_from_raw,
    write_folder,
    write_json,
)
from contracts.live.agreement import AccountAgreement, RecordAgreement, compare_record
from contracts.live.calibration import per_account_json
from contracts.live.masking import scrub
from contracts.live.redact import LOCALE, PersonalDataReplacer
from contracts.live.sink import RecordsSink
from contracts.providers import MappingError, provider_module

DUPLICATES_NAMED = 10
AGREEMENT_FILE = "agreement.json"
REDACTION_FILE = "redaction.json"
FORMAT = 1
LEGEND = {
    "agree": "the kit's mapping of remote_data gives what the API returned",
    "notation": "the same value written differently (date-time notation, null for absent, order)",
    "differ": "both filled, with different values",
    "api-only": "the API filled the field, the kit's mapping did not (api_value_found_at: where the raw record has it)",
    "kit-only": "the kit's mapping filled the field, the API did not",
    "unread_raw_keys": "raw key paths the kit's mapping does not read (information, not a disagreement)",
}


@dataclass
class RecordedAccount:
    """One account's part of a recording: what goes in its records file and how its mapping compared."""

    account: Account
    agreement: AccountAgreement
    records: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    duplicates: int = 0
    duplicate_ids: list[str] = field(default_factory=list)  # the first DUPLICATES_NAMED of them


class Recording:
    """Collects accounts' interviews, then writes the data folder and its two reports."""

    def __init__(self, *, redact: bool = True, replacer: PersonalDataReplacer | None = None, token: str = "") -> None:
        self.redact = redact
        self.replacer = replacer if replacer is not None else (PersonalDataReplacer() if redact else None)
        self.accounts: list[RecordedAccount] = []
        self.token = token if len(token) >= 4 else ""
        self.sink: RecordsSink | None = None
        self.partial: list[str] = []
        """Why the recording is partial (an account stopped early, the run was stopped), else empty."""
        self._stale: set[str] = set()
        self.pages = 0
        """List pages added (0: nothing was recorded, e.g. the run was stopped during its first request)."""

    def stream_to(self, out: Path | str) -> None:
        """Write records to `out` as they are added (the accounts must be known already)."""
        folder = Path(out)
        check_out_folder(folder)
        self._stale = _records_files(folder)
        self.sink = RecordsSink(folder, [r.account for r in self.accounts])

    def account(self, account: Account) -> RecordedAccount:
        """Start (or continue) recording `account`."""
        for recorded in self.accounts:
            if recorded.account.id == account.id:
                return recorded
        provider_module(account.provider)  # ValueError naming the known providers
        recorded = RecordedAccount(account, AccountAgreement(account.label, account.provider, account.id))
        self.accounts.append(recorded)
        return recorded

    def add(self, account: Account, interviews: Iterable[Mapping[str, Any]]) -> RecordedAccount:
        """Compare, redact and keep each unified interview (with `remote_data`) the API returned."""
        recorded = self.account(account)
        self.pages += 1
        for interview in interviews:
            self._add_one(recorded, interview)
        return recorded

    def _add_one(self, recorded: RecordedAccount, interview: Mapping[str, Any]) -> None:
        provider = recorded.account.provider
        compared = compare_record(provider, interview, recorded.agreement.read)
        if compared.refused is None:
            raw = interview["remote_data"]
            record_id = provider_module(provider).record_id(raw)
            if record_id in recorded.seen:  # the same id again (a page read twice): kept once, counted, named
                recorded.duplicates += 1
                if len(recorded.duplicate_ids) < DUPLICATES_NAMED:
                    recorded.duplicate_ids.append(str(record_id))
                return
            stored = self._stored(recorded, raw)
            if stored is None:
                why = "redaction made it unmappable (a bug: please report it)"
                compared = RecordAgreement(compared.record_id, refused=why)
            else:
                recorded.seen.add(record_id)
                if self.sink is not None:
                    self.sink.write(recorded.account.id, stored)
                else:
                    recorded.records.append(stored)
        recorded.agreement.add(compared, recorded=compared.refused is None)

    def _stored(self, recorded: RecordedAccount, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """The raw record as written (redacted unless told otherwise); None if it no longer maps."""
        provider = recorded.account.provider
        out: dict[str, Any] = (
            self.replacer.redact(provider, raw, recorded.account.id) if self.replacer is not None else dict(raw)
        )
        try:
            interview_from_raw(provider, out)
        except MappingError:
            return None
        scrubbed: dict[str, Any] = scrub(out, self.token)
        return scrubbed

    @property
    def agrees(self) -> bool:
        return all(recorded.agreement.agrees for recorded in self.accounts)

    def agreement_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "agrees": self.agrees,
            "redacted": self.redact,
            "partial": bool(self.partial),
            "partial_because": self.partial,
            "accounts": [
                {**r.agreement.to_json(), "duplicates_skipped": r.duplicates, "duplicate_ids": r.duplicate_ids}
                for r in self.accounts
            ],
            # The gate's JSON report writes the same shape under the same key.
            "assumptions": per_account_json({r.agreement.label: r.agreement.calibration() for r in self.accounts}),
            "legend": LEGEND,
        }

    def redaction_json(self) -> dict[str, Any]:
        if self.replacer is None:
            return {"format": FORMAT, "redacted": False, "accounts": []}
        accounts = []
        for recorded in self.accounts:
            key = recorded.account.id
            replaced = self.replacer.counts(key)
            accounts.append(
                {
                    **recorded.account.to_json(),
                    "replaced": replaced,
                    "replacements": sum(sum(kinds.values()) for kinds in replaced.values()),
                    "kept_unread": self.replacer.kept_unread(key),
                }
            )
        return {"format": FORMAT, "redacted": True, "locale": LOCALE, "accounts": accounts}

    def write(self, out: Path | str) -> DataFolder | None:
        """Write the data folder, `agreement.json` and `redaction.json`. Kept in memory, the folder is
        read back checked; streamed, each record was checked as it was added, and the files are
        closed here. Records files of an earlier recording in the same folder that this one does not
        write go."""
        folder = Path(out)
        written: DataFolder | None = None
        if self.sink is not None:
            before = self._stale
            self.sink.close()
            entries = [{**r.account.to_json(), "records": self.sink.names[r.account.id]} for r in self.accounts]
            write_json(folder / ACCOUNTS_FILE, entries)
        else:
            check_out_folder(folder)
            before = _records_files(folder)
            records: dict[str, list[dict[str, Any]]] = {r.account.id: r.records for r in self.accounts}
            written = write_folder(folder, [r.account for r in self.accounts], records)
        write_json(folder / AGREEMENT_FILE, scrub(self.agreement_json(), self.token))
        write_json(folder / REDACTION_FILE, scrub(self.redaction_json(), self.token))
        for stale in before - _records_files(folder):
            (folder / stale).unlink(missing_ok=True)
        return written


def check_out_folder(folder: Path) -> None:
    """A recording goes into a new or empty folder, or over an earlier recording; never over other
    files (a mistyped --out must not overwrite someone's data folder). ValueError saying why."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ValueError(f"{folder} is a file; give a folder")
    if any(folder.iterdir()) and not (folder / AGREEMENT_FILE).is_file():
        raise ValueError(f"{folder} is not empty and holds no earlier recording; give a new or empty folder")


def _records_files(folder: Path) -> set[str]:
    """The records files an earlier recording's accounts.json names (safe names only)."""
    try:
        entries = json.loads((folder / ACCOUNTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    names = {e.get("records") for e in entries if isinstance(e, dict)} if isinstance(entries, list) else set()
    return {n for n in names if isinstance(n, str) and RECORDS_FILE_NAME.match(n)}
