"""What one mock instance owns: settings, store, journal and faults, built once from a `MockConfig`.

The Flask app, the admin endpoints and the request core (`mockserver.core`) all work on this object;
none of them needs another to reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.config import MockConfig
from mockserver.dataset import load_dataset
from mockserver.faults import Faults
from mockserver.journal import Journal
from mockserver.store import Store


@dataclass
class MockState:
    """One mock's state; a Flask app keeps it as `app.extensions["truto_mock"]`."""

    config: MockConfig
    store: Store
    journal: Journal
    faults: Faults

    @classmethod
    def build(cls, config: MockConfig) -> MockState:
        """Fresh state from `config`: data set loaded (DataFolderError for a broken data folder)."""
        dataset = load_dataset(seed=config.seed, records=config.generated_records, data_dir=config.data_dir)
        return cls(config, Store(dataset), Journal(config.journal_size), Faults(config))

    def reset(self) -> int:
        """Data, journal and faults back to their start; returns how many journal entries went."""
        self.store.reset()
        self.faults.reset()
        return self.journal.clear()

    def start(self) -> None:
        """Called by the server (`mockserver.serve`) once, before it serves: background work of this
        instance (such as watching a data folder) starts here. Test apps never call it."""

    def close(self) -> None:
        """Called by the server once, after it stopped serving: ends what `start` began."""
