"""The data folder: integrated accounts and their raw provider records, as plain JSON files.

One module reads and writes it, so the mock (`--data`), the plugin (`data_dir`), the strategies and
the recorder agree on one format:

- `accounts.json`: a list of `{"id": UUID, "provider": NAME, "label"?: TEXT, "records"?: "FILE.json"}`;
- each account's records file: a JSON list of raw records in its provider's shape.

An entry without `records` reads `<provider>_interviews.json` (format 1, so older folders still
load; its accounts of one provider share that file). Other files in the folder are ignored.
Reading checks everything before anything is served and reports every problem at once, each naming
the file, the record (index and id) and what is wrong.

The kit's own default data is such a folder: `fixtures/` at the repository's top level, shipped in
the wheel as `contracts/fixtures/` (data only, never an importable package).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from contracts.accounts import Account, AccountId, AccountIdError
from contracts.checker import validate_interview
from contracts.jsontext import load_json
from contracts.providers import PROVIDERS, MappingError, provider_module

ACCOUNTS_FILE = "accounts.json"
_ACCOUNT_KEYS = frozenset({"id", "provider", "label", "records"})
RECORDS_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.json\Z")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data folder, located as precisely as possible."""

    file: str
    message: str
    index: int | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.index is not None:
            where = f" record {self.index}" + (f" (id {self.record_id!r})" if self.record_id is not None else "")
        return f"{self.file}{where}: {self.message}"


class DataFolderError(ValueError):
    """A data folder that cannot be served; `problems` lists every problem found."""

    def __init__(self, folder: Path | str, problems: Sequence[Problem]) -> None:
        self.folder = str(folder)
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "no problem recorded"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"data folder {self.folder}: {first}{more}")

    def lines(self, limit: int = 20) -> list[str]:
        """The first `limit` problems, one per line, then a count of the rest."""
        shown = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(f"... and {len(self.problems) - limit} more problem(s)")
        return shown


@dataclass(frozen=True)
class DataFolder:
    """A checked data folder: its accounts, and per account id its raw records (in file order)."""

    accounts: tuple[Account, ...]
    records: Mapping[str, tuple[dict[str, Any], ...]] = field(repr=False)
    path: Path | None = None


def interview_from_raw(provider: str, raw: Any) -> dict[str, Any]:
    """The unified interview (with `remote_data`) a raw record maps to; MappingError naming every
    violation when the mapping refuses it or its result breaks the contract."""
    unified = provider_module(provider).to_unified(raw)
    interview = {**unified, "remote_data": raw}
    violations = validate_interview(interview, provider=provider)
    if violations:
        raise MappingError("; ".join(str(v) for v in violations))
    return interview


def _load_json(path: Path, shown: str, problems: list[Problem]) -> Any:
    """The file's JSON, or None after recording why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(shown, "file not found"))
        return None
    except OSError as exc:
        problems.append(Problem(shown, f"cannot be read: {exc.strerror or exc}"))
        return None
    value, problem = load_json(data, shown)
    if problem is not None:
        problems.append(Problem(shown, problem.removeprefix(f"{shown} ")))
    return value


def _accounts(entries: Any, problems: list[Problem]) -> list[Account]:
    if not isinstance(entries, list):
        problems.append(Problem(ACCOUNTS_FILE, f"must be a JSON list of accounts, got {type(entries).__name__}"))
        return []
    if not entries:
        problems.append(Problem(ACCOUNTS_FILE, "lists no accounts"))
    accounts: list[Account] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        before = len(problems)
        where: dict[str, Any] = {"index": index}
        if not isinstance(entry, dict):
            problems.append(Problem(ACCOUNTS_FILE, f"must be an object, got {type(entry).__name__}", **where))
            continue
        where["record_id"] = entry.get("id") if isinstance(entry.get("id"), str) else None
        missing = [key for key in ("id", "provider") if key not in entry]
        if missing:
            problems.append(Problem(ACCOUNTS_FILE, f"missing key(s): {', '.join(missing)}", **where))
        unknown = sorted(set(entry) - _ACCOUNT_KEYS)
        if unknown:
            problems.append(Problem(ACCOUNTS_FILE, f"unknown key(s): {', '.join(unknown)}", **where))
        account_id, provider = entry.get("id"), entry.get("provider")
        label, records = entry.get("label", ""), entry.get("records", "")
        parsed: AccountId | None = None
        if "id" in entry:
            try:
                parsed = AccountId(account_id)
            except AccountIdError:
                problems.append(Problem(ACCOUNTS_FILE, f"`id` must be a UUID, got {account_id!r}", **where))
        if parsed is not None and parsed in seen:  # one account, however it is spelled
            problems.append(Problem(ACCOUNTS_FILE, f"account id {parsed} is listed twice", **where))
        if "provider" in entry and provider not in PROVIDERS:
            known = ", ".join(PROVIDERS)
            problems.append(Problem(ACCOUNTS_FILE, f"unknown provider {provider!r}; expected one of {known}", **where))
        if not isinstance(label, str):
            problems.append(Problem(ACCOUNTS_FILE, f"`label` must be a string, got {label!r}", **where))
        if not isinstance(records, str) or (records and not RECORDS_FILE_NAME.match(records)):
            problems.append(
                Problem(ACCOUNTS_FILE, f"`records` must name a .json file in the folder, got {records!r}", **where)
            )
        if len(problems) == before and parsed is not None:
            seen.add(parsed)
            accounts.append(Account(parsed, entry["provider"], label, records))
    return accounts


def _records(provider: str, shown: str, data: Any, problems: list[Problem]) -> tuple[dict[str, Any], ...]:
    if not isinstance(data, list):
        problems.append(Problem(shown, f"must be a JSON list of raw {provider} records, got {type(data).__name__}"))
        return ()
    seen: dict[str, int] = {}
    for index, raw in enumerate(data):
        record_id = None
        try:
            record_id = provider_module(provider).record_id(raw) if isinstance(raw, dict) else None
            interview_from_raw(provider, raw)
        except MappingError as exc:
            problems.append(Problem(shown, f"the {provider} mapping refuses it: {exc}", index, record_id))
            continue
        if record_id in seen:
            problems.append(Problem(shown, f"duplicate id (also record {seen[record_id]})", index, record_id))
        elif record_id is not None:
            seen[record_id] = index
    return tuple(data)


def read_folder(path: Path | str) -> DataFolder:
    """Read and check a data folder; DataFolderError listing every problem when it cannot be served."""
    folder = Path(path)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DataFolderError(
            folder, [Problem(str(folder), "is not a folder" if folder.exists() else "does not exist")]
        )
    entries = _load_json(folder / ACCOUNTS_FILE, ACCOUNTS_FILE, problems)
    accounts = [] if entries is None else _accounts(entries, problems)
    by_file: dict[str, tuple[str, tuple[dict[str, Any], ...]]] = {}  # file -> (its provider, its records)
    records: dict[str, tuple[dict[str, Any], ...]] = {}
    for index, account in enumerate(accounts):
        name = account.records_file
        if name in by_file and by_file[name][0] != account.provider:
            message = (
                f"`records` {name} is also named by a {by_file[name][0]} account; "
                f"a {account.provider} account needs a records file of its own"
            )
            problems.append(Problem(ACCOUNTS_FILE, message, index, account.id))
            continue
        if name not in by_file:
            data = _load_json(folder / name, name, problems)
            by_file[name] = (
                account.provider,
                () if data is None else _records(account.provider, name, data, problems),
            )
        records[account.id] = by_file[name][1]
    if problems:
        raise DataFolderError(folder, problems)
    return DataFolder(tuple(accounts), records, folder)


def write_json(path: Path, document: Any) -> None:
    """Write JSON atomically: a reader sees the old file or the new one, never half of it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def records_file_name(account: Account, taken: Iterable[str] = ()) -> str:
    """A records file name for `account` in format 2: `<label or provider>-<id prefix>.json`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", account.label or account.provider).strip("-.").lower() or account.provider
    name = f"{stem}-{account.id[:8]}.json"
    return name if name not in set(taken) else f"{stem}-{account.id}.json"


def write_folder(
    path: Path | str, accounts: Sequence[Account], records: Mapping[str, Sequence[Mapping[str, Any]]]
) -> DataFolder:
    """Write a format-2 data folder (each account its own records file) and read it back checked."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    taken: list[str] = []
    for account in accounts:
        name = account.records or records_file_name(account, taken)
        taken.append(name)
        entries.append({**account.to_json(), "records": name})
        write_json(folder / name, [dict(raw) for raw in records.get(account.id, ())])
    write_json(folder / ACCOUNTS_FILE, entries)
    return read_folder(folder)


def default_folder_path() -> Path:
    """The kit's built-in data: `contracts/fixtures` in an installed wheel, `fixtures/` in a checkout."""
    here = Path(__file__).resolve().parent
    shipped = here / "fixtures"
    return shipped if (shipped / ACCOUNTS_FILE).is_file() else here.parent / "fixtures"


@cache
def default_folder() -> DataFolder:
    """The built-in data folder, read once per process."""
    return read_folder(default_folder_path())


def default_accounts() -> tuple[Account, ...]:
    """The built-in integrated accounts (one per provider)."""
    return default_folder().accounts
