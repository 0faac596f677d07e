"""pytest plugin (entry point `pytest11`): fixtures serving the Truto interviews mock.

Kept tiny and lazy: nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "truto_mock(seed=0, records=25, data_dir=None, token=None): configure truto_mock for one test",
    )
