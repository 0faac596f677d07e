"""Settings are checked once, on construction, with the words the command line also uses."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import MockConfig, create_app


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"latency_ms": (5, 1)}, "latency_ms needs MIN <= MAX, got 5-1"),
        ({"latency_ms": "fast"}, "latency_ms takes MS or MIN-MAX"),
        ({"seed": -1}, "seed must be 0 or more"),
        ({"records": True}, "records must be a whole number"),
        ({"error_rate": 1.5}, "error_rate must be a number between 0 and 1"),
        ({"journal_size": 0}, "journal_size must be 1 or more"),
        ({"token": ""}, "token must be a non-empty string"),
        ({"strict_query": "yes"}, "strict_query must be true or false"),
        ({"data_dir": 3}, "data_dir must be a folder path"),
    ],
)
def test_bad_settings_fail_on_construction(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockConfig(**settings)
    with pytest.raises(ValueError, match=message):
        create_app(settings)  # never a started app answering its first request with a 500


def test_values_are_normalised() -> None:
    config = MockConfig.from_mapping({"latency_ms": [1, 5], "data_dir": "x", "records": None})
    assert config.latency_ms == (1, 5) and str(config.data_dir) == "x"
    assert config.generated_records == 0 and MockConfig().generated_records == 25
    assert MockConfig(records=3, data_dir="x").generated_records == 3  # type: ignore[arg-type]
