"""The `--truto-coverage` report: which parts of the contract a test session's requests exercised.

The universe per provider is read from the tables and the mock's scenario list: the endpoints and
response formats, each field the provider fills (excluded), `truto_ignore_remote_data` true and
false, the array encodings, each filter and operator the provider supports, paging past the first
page, the other optional parameters, each status the mock answers and each `Prefer` scenario.
Requests are counted from the mock's journal (so `truto_mock` and `truto_respx` both count), kept
raw while the session runs and classified once at the end. A rejected request counts only for the
status it got (and the scenario it asked for).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from contracts.params import (
    ENDPOINTS,
    FILTER_OPERATORS,
    GET,
    LIST,
    LIST_PATH,
    PARAMS,
    RESPONSE_FORMATS,
    ParamType,
)
from contracts.providers import PROVIDERS, fields_for, filterable_fields
from contracts.query import ARRAY_FORMATS, QueryError, parse_query
from mockserver.journal import Entry
from mockserver.scenarios import REMOTE_CODES, TRUTO_CODES, ScenarioError, parse_prefer
from mockserver.statuses import api_error_statuses

FORMAT = "truto-coverage/1"
PAGING = "past the first page"
# Parameters with a category of their own; the others are listed under "parameters".
_OWN_CATEGORY = {"truto_response_format", "truto_exclude_fields", "truto_ignore_remote_data", "next_cursor"}
_ARRAY_PARAMS = frozenset(p.name for p in PARAMS if p.type is ParamType.ARRAY)

Key = tuple[str, str, str, str, int, str]  # provider ("" unknown), endpoint, method, query, status, scenario


def statuses() -> tuple[str, ...]:
    codes = {200} | set(api_error_statuses())
    below = sorted(code for code in codes if code < 500)
    return (*map(str, below), *(("5xx",) if any(code >= 500 for code in codes) else ()))


def scenarios() -> tuple[str, ...]:
    truto = [f"code={code}" for code in TRUTO_CODES]
    return (*truto, *(f"code={code}, remote=true" for code in REMOTE_CODES), "delay")


@cache
def universe(provider: str) -> dict[str, tuple[str, ...]]:
    """Every part of the contract a session can exercise for `provider`, by category."""
    own_params = sorted(
        {
            p.name
            for p in PARAMS
            if p.location == "query"
            and not p.required
            and p.name not in _OWN_CATEGORY
            and p.type is not ParamType.DATETIME_FILTER
            and (p.providers is None or provider in p.providers)
        }
    )
    return {
        "endpoints": ENDPOINTS,
        "formats": RESPONSE_FORMATS,
        "excluded fields": tuple(f.name for f in fields_for(provider)),
        "truto_ignore_remote_data": ("true", "false"),
        "array encodings": ARRAY_FORMATS,
        "filters": tuple(f"{name}[{op}]" for name in filterable_fields(provider) for op in FILTER_OPERATORS),
        "paging": (PAGING,),
        "parameters": tuple(own_params),
        "statuses": statuses(),
        "scenarios": scenarios(),
    }


def endpoint_of(path: str) -> str:
    if path == LIST_PATH:
        return LIST
    head, _, rest = path.rpartition("/")
    return GET if head == LIST_PATH and rest else "other"


def _encoding(key: str, value: str) -> str | None:
    """The array encoding of one query pair, when it is recognisable as one."""
    base, bracket, rest = key.partition("[")
    if base not in _ARRAY_PARAMS:
        return None
    if bracket and rest == "]":
        return "brackets"
    if bracket and rest.endswith("]") and rest[:-1].isdigit():
        return "indices"
    if not bracket and len([part for part in value.split(",") if part.strip()]) >= 2:
        return "comma"
    return None


@cache
def classify(key: Key) -> tuple[tuple[str, str], ...]:
    """The (category, item) pairs one request exercised."""
    provider, endpoint, method, query, status, scenario = key
    out: list[tuple[str, str]] = []
    status_item = "5xx" if status >= 500 else str(status)
    if status_item in statuses():
        out.append(("statuses", status_item))
    if scenario and not scenario.startswith("fault"):
        try:
            chosen = parse_prefer(scenario)
        except ScenarioError:
            chosen = None
        if chosen is not None and chosen.code is not None:
            out.append(("scenarios", f"code={chosen.code}" + (", remote=true" if chosen.remote else "")))
        if chosen is not None and chosen.delay_ms:
            out.append(("scenarios", "delay"))
    if not 200 <= status < 300 or endpoint not in ENDPOINTS or method not in ("GET", "HEAD") or not provider:
        return tuple(out)
    try:
        parsed = parse_query(query, endpoint=endpoint, strict=False)
    except QueryError:
        return tuple(out)
    parts = universe(provider)
    out.append(("endpoints", endpoint))
    out.append(("formats", parsed.response_format))
    out += [("excluded fields", name) for name in parsed.exclude_fields if name in parts["excluded fields"]]
    out.append(("truto_ignore_remote_data", "true" if parsed.ignore_remote_data else "false"))
    pairs = parse_qsl(query, keep_blank_values=True)
    out += [("array encodings", enc) for enc in {_encoding(k, v) for k, v in pairs} if enc is not None]
    out += [("filters", f"{f.field}[{f.operator}]") for f in parsed.filters]
    if parsed.next_cursor:
        out.append(("paging", PAGING))
    sent = {k.partition("[")[0] for k, _ in pairs}
    out += [("parameters", name) for name in parts["parameters"] if name in sent]
    return tuple(dict.fromkeys(out))


class Collector:
    """Counts the requests the session's mocks answer; thread-safe (the live mock answers from
    server threads)."""

    def __init__(self) -> None:
        self.counts: Counter[Key] = Counter()
        self._lock = threading.Lock()

    def watch(self, journal_listeners: list[Any], accounts: Mapping[str, str]) -> None:
        """Count every entry of a journal; `accounts` (id -> provider) attributes requests the mock
        rejected before it looked the account up."""

        def count(entry: Entry) -> None:
            provider = entry.provider
            if provider is None:
                account = parse_qs(entry.query).get("integrated_account_id", [""])[0]
                provider = accounts.get(account)
            key = (provider or "", endpoint_of(entry.path), entry.method, entry.query, entry.status, entry.scenario)
            with self._lock:
                self.counts[key] += 1

        journal_listeners.append(count)

    def to_json(self) -> list[list[Any]]:
        """The raw counts, for sending from an xdist worker to the controller."""
        with self._lock:
            return [[*key, count] for key, count in self.counts.items()]

    def merge(self, rows: Iterable[list[Any]]) -> None:
        with self._lock:
            for *key, count in rows:
                provider, endpoint, method, query, status, scenario = key
                self.counts[(provider, endpoint, method, query, int(status), scenario)] += int(count)


def report(counts: Mapping[Key, int]) -> dict[str, Any]:
    """The report (the shape `--truto-coverage-json` writes; see docs/pytest.md)."""
    providers: dict[str, Any] = {}
    for provider in PROVIDERS:
        parts: dict[str, dict[str, int]] = {cat: dict.fromkeys(items, 0) for cat, items in universe(provider).items()}
        providers[provider] = {"requests": 0, "parts": parts}
    unattributed: dict[str, Any] = {"requests": 0, "statuses": dict.fromkeys(statuses(), 0)}
    for key, count in counts.items():
        provider = key[0]
        target = providers.get(provider, unattributed)
        target["requests"] += count
        for category, item in classify(key):
            bucket = target["parts"].get(category) if target is not unattributed else target.get(category)
            if isinstance(bucket, dict) and item in bucket:
                bucket[item] += count
    for summary in providers.values():
        items = [n for part in summary["parts"].values() for n in part.values()]
        summary["exercised"], summary["total"] = sum(1 for n in items if n), len(items)
    return {"format": FORMAT, "requests": sum(counts.values()), "providers": providers, "unattributed": unattributed}


def render(data: Mapping[str, Any]) -> list[str]:
    """The report as lines for the terminal."""
    lines = [f"{data['requests']} requests to the mock (truto_mock and truto_respx)"]
    for provider, summary in data["providers"].items():
        if not summary["requests"]:
            lines.append(f"{provider}: no requests (0 of {summary['total']} parts exercised)")
            continue
        share = 100 * summary["exercised"] // max(summary["total"], 1)
        lines.append(
            f"{provider}: {summary['exercised']} of {summary['total']} parts exercised ({share}%) "
            f"by {summary['requests']} requests"
        )
        for category, items in summary["parts"].items():
            missing = [item for item, n in items.items() if not n]
            done = len(items) - len(missing)
            tail = f"  not exercised: {'; '.join(missing)}" if missing else ""
            lines.append(f"  {category:<26}{done:>3}/{len(items)}{tail}".rstrip())
    stray = data["unattributed"]
    if stray["requests"]:
        got = ", ".join(f"{status} x{n}" for status, n in stray["statuses"].items() if n)
        lines.append(f"without a known integrated account: {stray['requests']} requests ({got})")
    return lines
