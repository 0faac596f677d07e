"""Reading JSON text someone else wrote (a response body, a file, an admin request), with a reason a
person understands when it cannot be read: empty, not UTF-8, nested too deeply, NaN or Infinity, a key
twice in one object, or not JSON (and where).

This is the kit's one reading ladder: whatever reads JSON from outside reads it here, so a check and
the store that later reads the same text back can never disagree (the store reads with orjson, so
nothing orjson refuses is ever accepted here).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

MAX_DEPTH = 1024
"""orjson's nesting limit: deeper documents are refused with this reason."""
_SPACED_KEY_END = re.compile(rb'"[ \t\r\n]+:')
_ESCAPED_SEPARATOR = re.compile(rb"\\u00(?:22|3[aA]|20|09|0[aAdD])")
"""An escaped quote, colon or whitespace: the fast duplicate count cannot see through these."""


@dataclass(frozen=True)
class Parsed:
    """What `parse_json` found: the value (None with a `problem`), and the keys that appear twice in
    one object, by item of a top-level list (key None: the document is not a list)."""

    value: Any
    problem: str | None = None
    duplicates: dict[int | None, list[str]] = field(default_factory=dict)

    def duplicate_message(self, what: str) -> str | None:
        """One line naming every duplicated key (and its item), or None when there is none."""
        if not self.duplicates:
            return None
        parts = [
            f"{', '.join(repr(k) for k in keys)}" + (f" (item {item})" if item is not None else "")
            for item, keys in self.duplicates.items()
        ]
        shown = "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more item(s)" if len(parts) > 5 else "")
        return f"{what} has key(s) given twice in one object: {shown}"


def parse_json(data: bytes | str, what: str) -> Parsed:
    """Parse `data`; never raises for bad input. Keys given twice in one object are found (JSON says
    names SHOULD be unique and parsers keep the last silently) and returned in `duplicates`: the caller
    decides whether that is a problem of the document or of one record."""
    if not data or data.isspace():
        return Parsed(None, f"{what} is empty")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Parsed(None, _why_not(data, what, exc))
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _same_key_count(raw, value):
        return Parsed(value)
    return Parsed(value, duplicates=_duplicates(raw))


def load_json(data: bytes | str, what: str) -> tuple[Any, str | None]:
    """(parsed value, None), or (None, why `what` cannot be read), duplicate keys included. Never
    raises for bad input."""
    parsed = parse_json(data, what)
    problem = parsed.problem or parsed.duplicate_message(what)
    return (None, problem) if problem else (parsed.value, None)


def load_json_file(path: str | Path, what: str) -> tuple[Any, str | None]:
    """(parsed value, None), or (None, why the file `what` cannot be read or parsed). Never raises."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, f"cannot read {what}: {exc.strerror or exc}"
    return load_json(data, what)


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


class _Constant(ValueError):
    pass


def _why_not(data: bytes | str, what: str, exc: orjson.JSONDecodeError) -> str:
    """Why orjson refused `data`, in words: the standard library parses again for its exact reason
    and position (it never decides: what orjson refuses stays refused)."""
    if "depth" in str(exc) or "recursion" in str(exc):
        return f"{what} is nested too deeply to read (more than {MAX_DEPTH} levels)"
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"{what} is not UTF-8 text"
    try:
        json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        return f"{what} is nested too deeply to read (more than {MAX_DEPTH} levels)"
    except UnicodeDecodeError:
        return f"{what} is not UTF-8 text"
    except _Constant as constant:
        return f"{what} contains {constant}, which JSON does not allow (write null or a string)"
    except ValueError as reason:
        snippet = (data[:60].decode("utf-8", "replace") if isinstance(data, bytes) else data[:60]).strip()
        return f"{what} is not JSON ({reason}): {snippet!r}"
    return f"{what} cannot be read as JSON: {exc}"


def _key_ends(data: bytes) -> int:
    """How many `"...":` key ends the text has (plus any `\\":` inside strings, counted alike on both sides)."""
    spaced = len(_SPACED_KEY_END.findall(data)) if b'" ' in data or b'"\n' in data or b'"\t' in data else 0
    return data.count(b'":') + spaced


def _same_key_count(raw: bytes, value: Any) -> bool:
    """True when the parsed value kept every key of the text, i.e. no object has a key twice.

    The text's key ends are counted and compared with those of the value written back compactly
    (a dropped duplicate makes one fewer); escapes that hide a quote or colon make the count
    unreliable, and then the caller looks closely."""
    if _ESCAPED_SEPARATOR.search(raw):
        return False
    items = value if isinstance(value, list) else [value]
    written = sum(_key_ends(orjson.dumps(item)) for item in items)
    return written == _key_ends(raw)


def _duplicates(raw: bytes) -> dict[int | None, list[str]]:
    """The keys given twice, by item of a top-level list: the slow, exact look (json with a hook)."""
    twice: dict[int, list[str]] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) != len(pairs):
            counts = Counter(key for key, _ in pairs)
            twice[id(made)] = sorted(key for key, count in counts.items() if count > 1)
        return made

    try:
        value = json.loads(raw, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):  # orjson read it, so this does not happen; never raise for it
        return {}
    if not twice:
        return {}
    if not isinstance(value, list):
        return {None: sorted({k for keys in twice.values() for k in keys})}
    found: dict[int | None, list[str]] = {}
    for index, item in enumerate(value):
        keys = sorted({k for obj in _objects(item) for k in twice.get(id(obj), ())})
        if keys:
            found[index] = keys
    return found


def _objects(value: Any) -> list[dict[str, Any]]:
    """Every object inside `value` (itself included), without recursion (depth is bounded anyway)."""
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out
