"""What one mock instance owns: settings, store, journal and faults, built once from a `MockConfig`.

The Flask app, the admin endpoints and the request core (`mockserver.core`) all work on this object;
none of them needs another to reach it. A served data folder can be read again (`reload`): what
changed on disk replaces what is served, and a folder that became broken leaves the last good data
in place with `data_problems` saying why.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from contracts.datafolder import DataFolder, DataFolderError, default_folder, read_folder
from contracts.providers import MappingError
from mockserver.clock import MockClock
from mockserver.config import MockConfig
from mockserver.dataset import dataset_from_folder
from mockserver.faults import Faults
from mockserver.journal import Journal
from mockserver.requestlog import RequestLog
from mockserver.scripts import Scripts
from mockserver.store import Store

if TYPE_CHECKING:
    from mockserver.watch import FolderWatcher


@dataclass(frozen=True)
class Reload:
    """What reading the data folder again did: the accounts replaced (ids), or why nothing was."""

    changed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class MockState:
    """One mock's state; a Flask app keeps it as `app.extensions["truto_mock"]`."""

    config: MockConfig
    store: Store
    journal: Journal
    faults: Faults
    clock: MockClock = field(default_factory=MockClock)
    """Rate-limit windows read it; a test moves it forward instead of waiting."""
    scripts: Scripts = field(default_factory=Scripts)
    """Answers a test scripted (`truto_mock.script(...)`), played by the core."""
    log: RequestLog | None = None
    """Every request since the reset, for a test to assert on; the pytest plugin turns it on."""

    folder: DataFolder | None = None
    """The data folder served, as last read whole (accounts and file stamps; records are in the store)."""
    data_problems: list[str] = field(default_factory=list)
    """Why the data folder on disk is not what is served (empty when it is): every problem, capped
    as at start. Shown on the page and printed by the watcher."""
    _reloading: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _folder_watcher: FolderWatcher | None = field(default=None, repr=False)

    @classmethod
    def build(cls, config: MockConfig) -> MockState:
        """Fresh state from `config`: data set loaded, each file read once (DataFolderError for a broken
        data folder, listing every problem of every record)."""
        folder = _read(config)
        dataset = dataset_from_folder(folder, seed=config.seed, records=config.generated_records)
        store = Store(dataset)
        light = replace(folder, records={}) if config.data_dir is not None else None  # records live in the store
        clock = MockClock()
        return cls(config, store, Journal(config.journal_size), Faults(config, clock.now), clock, folder=light)

    def reset(self) -> int:
        """Data, journal, faults, scripts, clock and request log back to their start; returns how
        many journal entries went."""
        self.store.reset()
        self.scripts.clear()
        self.clock.reset()
        self.faults.reset()
        if self.log is not None:
            self.log.clear()
        return self.journal.clear()

    def reset_from_disk(self) -> int:
        """`reset()`, after reading the whole data folder again (`POST /__mock__/reset`): a folder that
        is broken now leaves the last good data, and `data_problems` says why."""
        self.reload(everything=True)
        return self.reset()

    def reload(self, *, everything: bool = False) -> Reload:
        """Read the data folder again and serve what changed: each account whose entry or records file
        changed gets the records on disk (records added at run time to it go), the others keep theirs;
        `everything` replaces every account. Nothing changes when the folder is broken."""
        if self.config.data_dir is None:
            return Reload()
        with self._reloading:
            try:
                folder = _read(self.config)
                changed = folder.changed_accounts(None if everything else self.folder)
                dataset = dataset_from_folder(folder, seed=self.config.seed, records=self.config.generated_records)
                self.store.load(dataset, changed)
            except DataFolderError as exc:
                self.data_problems = exc.lines()
                return Reload(problems=tuple(self.data_problems))
            except (MappingError, ValueError) as exc:  # the store's own check (a date-time it cannot compare)
                self.data_problems = [str(exc)]
                return Reload(problems=tuple(self.data_problems))
            self.folder = replace(folder, records={})
            self.data_problems = []
            return Reload(changed=tuple(sorted(changed)))

    def start(self, *, watch: bool = True) -> None:
        """Called by the server once, before it serves: starts the background work of a served mock,
        i.e. watching its data folder (if it serves one and `watch`), so a saved change is served
        within a second. Test apps (the plugin) never call it: their data stays put."""
        if not watch or self.config.data_dir is None or self._folder_watcher is not None:
            return
        from mockserver.watch import FolderWatcher

        self._folder_watcher = FolderWatcher(self)
        self._folder_watcher.start()

    @property
    def watching(self) -> bool:
        """True while the data folder is watched (between `start` and `close`)."""
        return self._folder_watcher is not None

    def close(self) -> None:
        """Called by the server once, after it stopped serving: ends what `start` began, within about
        a second whatever it was doing (the watcher is a daemon thread, so it never holds up an exit)."""
        watcher, self._folder_watcher = self._folder_watcher, None
        if watcher is not None:
            watcher.close()


def _read(config: MockConfig) -> DataFolder:
    if config.data_dir is None:
        return default_folder()
    return read_folder(config.data_dir, max_file_mb=config.max_data_mb)
