"""The mock's settings: one frozen object, checked on construction, shared by `create_app` and the CLI.

Each setting has one check (`check_setting`): `MockConfig(...)` runs it for every field, and the
command line runs the same one for each flag, so a bad value fails early with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from contracts.datafolder import MAX_FILE_MB
from contracts.tokens import token_problem

DEV_TOKEN = "dev-token"
"""The token shown in examples and used by the page's links when no --token is set (any is accepted)."""
TOKEN_ENV = "TRUTO_MOCK_TOKEN"
"""The environment variable `truto-mock` reads the token from when `--token` is not given (the flag
wins); the banner's curl line uses it, so the token is never printed."""
TokenSource = Literal["flag", "env"]
"""Where the token came from: `--token` or TRUTO_MOCK_TOKEN (the banner words its advice by it)."""
DEFAULT_RECORDS = 25
"""Generated interviews per account with the built-in data; a data folder gets none unless asked."""
MAX_RECORDS = 100_000
"""At most this many generated interviews per account (100000 take about 45 s and 300 MB to build)."""


def _whole(value: Any, low: int = 0, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}-{high}" if high is not None else f"{low} or more"
        raise ValueError(f"must be {bounds}, got {value}")
    return value


def check_port(value: Any) -> int:
    """A TCP port to listen on: 1-65535."""
    return _whole(value, 1, 65535)


def from_text(text: str) -> Any:
    """A command-line value as the setting checks take it: whole numbers as int, decimals as float,
    `MIN-MAX` as a pair; anything else stays text (and the check says what it expected)."""
    stripped = text.strip()
    if stripped.isascii() and stripped.lstrip("-").isdigit() and stripped.count("-") <= 1:
        return int(stripped)
    low, sep, high = stripped.partition("-")
    if sep and low.isascii() and low.isdigit() and high.isascii() and high.isdigit():
        return (int(low), int(high))
    try:
        return float(stripped)
    except ValueError:
        return text


def _latency(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, str):  # "MS" or "MIN-MAX", as on the command line
        value = from_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"takes MS or MIN-MAX in milliseconds, got {value!r}")
    try:
        pair = (_whole(value[0]), _whole(value[1]))
    except ValueError:
        raise ValueError(f"takes MS or MIN-MAX in milliseconds (whole numbers), got {value!r}") from None
    if pair[0] > pair[1]:
        raise ValueError(f"needs MIN <= MAX, got {pair[0]}-{pair[1]}")
    return pair


def _rate(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"must be a number between 0 and 1, got {value!r}")
    return float(value)


def _optional_text(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"must be a non-empty string, got {value!r}")
    return value


_ORIGIN = re.compile(r"(?i)[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?")


def _cors_origin(value: Any) -> str:
    """`*`, or origins a browser can send (`scheme://host[:port]`, comma-separated); a single trailing
    slash is dropped, since `Origin` never has one. Anything else could never match: an error."""
    if value is None or value == "*":
        return "*"
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be * or an origin like http://localhost:5173, got {value!r}")
    origins = []
    for part in value.split(","):
        origin = part.strip()
        origin = origin[:-1] if origin.endswith("/") and not origin.endswith("//") else origin
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"{part.strip()!r} is not an origin (scheme://host[:port], no path), e.g. http://localhost:5173"
            )
        origins.append(origin)
    return ",".join(origins)


def _token(value: Any) -> str | None:
    """A token a client can send in `Authorization: Bearer ...`: visible ASCII, no spaces."""
    token = _optional_text(value)
    problem = None if token is None else token_problem(token)
    if problem is not None:
        raise ValueError(f"{problem} (a client could not send it in a header)")
    return token


def _data_dir(value: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | Path) or not str(value):
        raise ValueError(f"must be a folder path, got {value!r}")
    return Path(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "seed": _whole,
    "records": lambda value: None if value is None else _whole(value, 0, MAX_RECORDS),
    "data_dir": _data_dir,
    "token": _token,
    "cors_origin": _cors_origin,
    "strict_query": _bool,
    "null_absent": _bool,
    "latency_ms": _latency,
    "error_rate": _rate,
    "rate_limit_token": _whole,
    "rate_limit_account": _whole,
    "journal_size": lambda value: _whole(value, 1),
    "max_data_mb": lambda value: _whole(value, 1),
}


def check_setting(name: str, value: Any) -> Any:
    """The checked (and normalised) value of one setting; ValueError saying what is wrong."""
    return _CHECKS[name](value)


@dataclass(frozen=True)
class MockConfig:
    """Everything that changes how the mock behaves. Checked on construction: a bad value is a
    ValueError naming the setting; unknown keys (in `from_mapping`) are an error, never ignored."""

    seed: int = 0
    """Seeds Faker for the generated part of the data set: same seed, same data."""
    records: int | None = None
    """Generated interviews per account; None: 25 with the built-in data, 0 with `data_dir`."""
    data_dir: Path | None = None
    """A data folder (accounts.json and records files) served instead of the built-in data."""
    token: str | None = None
    """When set, the exact bearer token every /unified request must carry; otherwise any token."""
    cors_origin: str = "*"
    """The origins browsers may call from (Access-Control-Allow-Origin): `*` allows any, otherwise
    comma-separated `scheme://host[:port]` origins."""
    strict_query: bool = True
    """Reject query parameters outside the contract (400); False accepts and ignores them."""
    null_absent: bool = False
    """Send every field the provider fills, absent ones as null, to harden a UI against null (the mock
    then contradicts the kit's assumption A-absent-not-null)."""
    latency_ms: tuple[int, int] | None = None
    """Extra latency drawn per request from this range (milliseconds): MS, (MIN, MAX) or "MIN-MAX"."""
    error_rate: float = 0.0
    """Share of API requests answered with a random 500, 502 or 503."""
    rate_limit_token: int = 0
    """Requests allowed per API token per 10 s (Truto: 500); 0 turns the limit off."""
    rate_limit_account: int = 0
    """Requests allowed per integrated account per 10 s (Truto: 50); 0 turns the limit off."""
    journal_size: int = 200
    """How many recent requests the journal keeps (at least 1)."""
    max_data_mb: int = MAX_FILE_MB
    """The largest file a data folder may hold, in MB; a larger one is refused with a line saying so."""

    def __post_init__(self) -> None:
        for f in fields(self):
            try:
                checked = check_setting(f.name, getattr(self, f.name))
            except ValueError as exc:
                raise ValueError(f"{f.name} {exc}") from None
            object.__setattr__(self, f.name, checked)

    @property
    def generated_records(self) -> int:
        """How many interviews are generated per account."""
        if self.records is not None:
            return self.records
        return 0 if self.data_dir is not None else DEFAULT_RECORDS

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any] | MockConfig | None) -> MockConfig:
        """The settings from what a user passes (`create_app`, the marker), checked.

        Args:
            config: setting name -> value, a `MockConfig` (returned as it is), or None (the defaults).

        Raises:
            ValueError: naming an unknown setting and the known ones, or a bad value and what it takes.
        """
        if config is None:
            return cls()
        if isinstance(config, MockConfig):
            return config
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown mock setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**config)

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe copy, for handing the settings to a server worker process."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["data_dir"] = str(self.data_dir) if self.data_dir else None
        out["latency_ms"] = list(self.latency_ms) if self.latency_ms else None
        return out
