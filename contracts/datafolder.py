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

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from contracts.accounts import Account, AccountId, AccountIdError
from contracts.checker import validate_interview
from contracts.jsontext import parse_json
from contracts.providers import PROVIDERS, MappingError, provider_module

ACCOUNTS_FILE = "accounts.json"
_ACCOUNT_KEYS = frozenset({"id", "provider", "label", "records"})
RECORDS_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.json\Z")
MAX_FILE_MB = 256
"""The largest file a data folder may hold, in MB (the mock's --max-data-mb, the plugin's max_data_mb)."""
MB = 1024 * 1024


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
    files: Mapping[str, FileStamp] = field(default_factory=dict, repr=False)
    """Each file read (accounts.json and the records files), by name: what it was when read."""

    def changed_accounts(self, before: DataFolder | None) -> set[str]:
        """The ids (lower case) of accounts whose entry or records file differ from `before`'s: the
        ones a reload must replace. Every account when there is no `before`."""
        if before is None:
            return {a.id.lower() for a in self.accounts}
        old = {a.id.lower(): a for a in before.accounts}
        changed = set()
        for account in self.accounts:
            name = account.records_file
            previous = old.get(account.id.lower())
            same_file = previous is not None and before.files.get(name) == self.files.get(name)
            if previous != account or not same_file:
                changed.add(account.id.lower())
        return changed


@dataclass(frozen=True)
class FileStamp:
    """A file as it was read: its identity on disk and a digest of its content."""

    size: int
    digest: str


def interview_from_raw(provider: str, raw: Any) -> dict[str, Any]:
    """The unified interview (with `remote_data`) a raw record maps to; MappingError naming every
    violation when the mapping refuses it or its result breaks the contract."""
    unified = provider_module(provider).to_unified(raw)
    interview = {**unified, "remote_data": raw}
    violations = validate_interview(interview, provider=provider)
    if violations:
        raise MappingError("; ".join(str(v) for v in violations))
    return interview


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"is {size / MB:.0f} MB, over the limit of {max_bytes // MB} MB per file "
        "(raise it with --max-data-mb, or max_data_mb for the plugin)"
    )


def read_data_file(folder: Path, name: str, max_bytes: int = MAX_FILE_MB * MB) -> tuple[bytes | None, str | None]:
    """(content, None) or (None, why not) for the file `name` of a data folder. Only a regular file
    inside the folder is read (a link is followed only while it stays inside), at most `max_bytes`,
    without ever blocking on a pipe or reading a device."""
    path = folder / name
    try:
        resolved = path.resolve(strict=True)
        root = folder.resolve(strict=True)
    except FileNotFoundError:
        return None, "file not found" if not path.is_symlink() else "is a link to a file that does not exist"
    except (OSError, RuntimeError) as exc:  # e.g. a loop of links
        return None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
    if not resolved.is_relative_to(root):
        return None, "is a link to a file outside the data folder; copy the file into the folder instead"
    try:
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)  # of what was opened, so a file swapped after the check is still caught
        if not stat.S_ISREG(info.st_mode):
            return None, f"is {_kind(info.st_mode)}, not a regular file"
        if info.st_size > max_bytes:
            return None, _too_big(info.st_size, max_bytes)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = handle.read(min(8 * MB, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if total > max_bytes:  # it grew while being read
        return None, _too_big(total, max_bytes)
    return b"".join(chunks), None


def data_size(path: Path | str) -> int:
    """Bytes of the JSON files directly in a data folder (for saying `loading N MB…`); 0 when unknown.
    Only sizes are looked at, so a pipe or device costs nothing here."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.endswith(".json"):
                    try:
                        info = entry.stat()
                    except OSError:
                        continue
                    total += info.st_size if stat.S_ISREG(info.st_mode) else 0
    except OSError:
        return 0
    return total


def _load_json(
    folder: Path, shown: str, problems: list[Problem], max_bytes: int, files: dict[str, FileStamp]
) -> tuple[Any, dict[int | None, list[str]]]:
    """The file's JSON and its keys given twice (by record), or (None, {}) after noting why not."""
    data, problem = read_data_file(folder, shown, max_bytes)
    if data is None:
        problems.append(Problem(shown, problem or "cannot be read"))
        return None, {}
    files[shown] = FileStamp(len(data), hashlib.blake2b(data, digest_size=16).hexdigest())
    parsed = parse_json(data, shown)
    del data
    if parsed.problem is not None:
        problems.append(Problem(shown, parsed.problem.removeprefix(f"{shown} ")))
        return None, {}
    return parsed.value, parsed.duplicates


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


def _records(
    provider: str, shown: str, data: Any, duplicates: Mapping[int | None, list[str]], problems: list[Problem]
) -> tuple[dict[str, Any], ...]:
    """The file's records after checking each one whole: every problem of every record is noted."""
    if not isinstance(data, list):
        problems.append(Problem(shown, f"must be a JSON list of raw {provider} records, got {type(data).__name__}"))
        return ()
    module = provider_module(provider)
    seen: dict[str, int] = {}
    for index, raw in enumerate(data):
        twice = duplicates.get(index)
        messages = [f"has key(s) given twice in one object: {', '.join(map(repr, twice))}"] if twice else []
        record_id = None
        if isinstance(raw, dict):
            with contextlib.suppress(MappingError):  # the mapping names it below
                record_id = module.record_id(raw)
        try:
            interview_from_raw(provider, raw)
        except MappingError as exc:
            messages.append(f"the {provider} mapping refuses it: {exc}")
        if record_id in seen:
            messages.append(f"duplicate id (also record {seen[record_id]})")
        elif record_id is not None:
            seen[record_id] = index
        problems.extend(Problem(shown, message, index, record_id) for message in messages)
    return tuple(data)


def read_folder(path: Path | str, *, max_file_mb: int = MAX_FILE_MB) -> DataFolder:
    """Read and check a data folder, each file once; DataFolderError listing every problem of every
    record when it cannot be served. Files are read only as regular files inside the folder, each at
    most `max_file_mb` MB."""
    folder = Path(path)
    max_bytes = max_file_mb * MB
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DataFolderError(
            folder, [Problem(str(folder), "is not a folder" if folder.exists() else "does not exist")]
        )
    files: dict[str, FileStamp] = {}
    entries, twice = _load_json(folder, ACCOUNTS_FILE, problems, max_bytes, files)
    for index, keys in twice.items():
        message = f"has key(s) given twice in one object: {', '.join(map(repr, keys))}"
        problems.append(Problem(ACCOUNTS_FILE, message, index))
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
            data, duplicates = _load_json(folder, name, problems, max_bytes, files)
            by_file[name] = (
                account.provider,
                () if data is None else _records(account.provider, name, data, duplicates, problems),
            )
        records[account.id] = by_file[name][1]
    if problems:
        raise DataFolderError(folder, problems)
    return DataFolder(tuple(accounts), records, folder, files)


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
