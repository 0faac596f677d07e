"""What one mock instance owns: settings, store, journal and faults, built once from a `MockConfig`.

The Flask app, the admin endpoints and the request core (`mockserver.core`) all work on this object;
none of them needs another to reach it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockserver.clock import MockClock
from mockserver.config import MockConfig
from mockserver.dataset import load_dataset
from mockserver.faults import Faults
from mockserver.journal import Journal
from mockserver.requestlog import RequestLog
from mockserver.scripts import Scripts
from mockserver.store import Store


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

    @classmethod
    def build(cls, config: MockConfig) -> MockState:
        """Fresh state from `config`: data set loaded (DataFolderError for a broken data folder)."""
        dataset = load_dataset(seed=config.seed, records=config.generated_records, data_dir=config.data_dir)
        clock = MockClock()
        return cls(config, Store(dataset), Journal(config.journal_size), Faults(config, clock.now), clock)

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

    def start(self) -> None:
        """Called by the server (`mockserver.serve`) once, before it serves: background work of this
        instance (such as watching a data folder) starts here. Test apps never call it."""

    def close(self) -> None:
        """Called by the server once, after it stopped serving: ends what `start` began."""
