"""Reading JSON text someone else wrote (a response body, a file), with a reason a person understands
when it cannot be read: empty, not UTF-8, nested too deeply, or not JSON (and where).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson


def load_json(data: bytes | str, what: str) -> tuple[Any, str | None]:
    """(parsed value, None), or (None, why `what` cannot be read). Never raises for bad input.

    orjson parses (fast); only on a failure does the standard library parse again, for its exact
    reason and position.
    """
    if not data.strip():
        return None, f"{what} is empty"
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(data), None
    except RecursionError:
        return None, f"{what} is nested too deeply to read"
    except UnicodeDecodeError:
        return None, f"{what} is not UTF-8 text"
    except ValueError as exc:
        snippet = (data[:60].decode("utf-8", "replace") if isinstance(data, bytes) else data[:60]).strip()
        return None, f"{what} is not JSON ({exc}): {snippet!r}"


def load_json_file(path: str | Path, what: str) -> tuple[Any, str | None]:
    """(parsed value, None), or (None, why the file `what` cannot be read or parsed). Never raises."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, f"cannot read {what}: {exc.strerror or exc}"
    return load_json(data, what)
