"""The mock's settings: one frozen object built from `create_app(config)` or the command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


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
    strict_query: bool = True
    """Reject query parameters outside the contract (400); False keeps them (shown in debug output)."""

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
        for name in ("seed", "records"):
            if name in values and (not isinstance(values[name], int) or values[name] < 0):
                raise ValueError(f"{name} must be a non-negative integer, got {values[name]!r}")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe copy, for handing the settings to a server worker process."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["data_dir"] = str(self.data_dir) if self.data_dir else None
        return out
