"""The mock's settings: one frozen object built from `create_app(config)` or the command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEV_TOKEN = "dev-token"
"""The token shown in examples and used by the page's links when no --token is set (any is accepted)."""


@dataclass(frozen=True)
class MockConfig:
    """Everything that changes how the mock behaves. Unknown keys are an error, never ignored."""

    seed: int = 0
    """Seeds Faker for the generated part of the data set: same seed, same data."""
    records: int = 25
    """Generated interviews per account, on top of the hand-written fixtures."""
    data_dir: Path | None = None
    """A folder with accounts.json and <provider>_interviews.json replacing the built-in fixtures."""
    token: str | None = None
    """When set, the exact bearer token every /unified request must carry; otherwise any token."""
    cors_origin: str = "*"
    """The origin browsers are allowed to call from (Access-Control-Allow-Origin); `*` allows any."""
    strict_query: bool = True
    """Reject query parameters outside the contract (400); False accepts and ignores them."""
    latency_ms: tuple[int, int] | None = None
    """Extra latency drawn per request from this range (milliseconds)."""
    error_rate: float = 0.0
    """Share of API requests answered with a random 500, 502 or 503."""
    rate_limit_token: int = 0
    """Requests allowed per API token per 10 s (Truto: 500); 0 turns the limit off."""
    rate_limit_account: int = 0
    """Requests allowed per integrated account per 10 s (Truto: 50); 0 turns the limit off."""
    journal_size: int = 200
    """How many recent requests the journal keeps."""

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any] | MockConfig | None) -> MockConfig:
        if config is None:
            return cls()
        if isinstance(config, MockConfig):
            return config
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown mock setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values = dict(config)
        if values.get("data_dir") is not None:
            values["data_dir"] = Path(values["data_dir"])
        for name in ("seed", "records", "rate_limit_token", "rate_limit_account", "journal_size"):
            if name in values and (not isinstance(values[name], int) or values[name] < 0):
                raise ValueError(f"{name} must be a non-negative integer, got {values[name]!r}")
        if values.get("latency_ms") is not None:
            low, high = values["latency_ms"]
            if not 0 <= low <= high:
                raise ValueError(f"latency_ms must be (low, high) with 0 <= low <= high, got {values['latency_ms']!r}")
            values["latency_ms"] = (int(low), int(high))
        rate = values.get("error_rate", 0.0)
        if not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError(f"error_rate must be between 0 and 1, got {rate!r}")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe copy, for handing the settings to a server worker process."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["data_dir"] = str(self.data_dir) if self.data_dir else None
        out["latency_ms"] = list(self.latency_ms) if self.latency_ms else None
        return out
