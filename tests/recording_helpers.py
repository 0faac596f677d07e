"""Helpers for recorder tests: source data folders served by the mock, reading an account's list the
way the recorder does, and comparing responses of a source and its replay."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from contracts.accounts import Account
from contracts.datafolder import write_folder
from contracts.live.rawpaths import reads
from mockserver import create_app
from mockserver.dataset import generate

PINPOINT = "pinpoint"

AUTH = {"Authorization": "Bearer test-token"}
LIST_PATH = "/unified/ats/interviews"
FORMATS = ("unified", "raw", "normalized", "debug", "stream")
PINPOINT_A = Account("0b5c1e7a-1111-4c2d-8e3f-0a1b2c3d4e01", PINPOINT, "pinpoint")
PINPOINT_B = Account("0b5c1e7a-2222-4c2d-8e3f-0a1b2c3d4e02", PINPOINT, "pinpoint-2")


def two_pinpoint_accounts(folder: Path, *, seed: int = 7, counts: tuple[int, int] = (23, 17)) -> list[Account]:
    """A source data folder with two Pinpoint accounts of generated records (seed not the default)."""
    records = {
        PINPOINT_A.id: list(generate(PINPOINT, seed=seed, count=counts[0])),
        PINPOINT_B.id: list(generate(PINPOINT, seed=seed + 1, count=counts[1])),
    }
    write_folder(folder, [PINPOINT_A, PINPOINT_B], records)
    return [PINPOINT_A, PINPOINT_B]


def serve(folder: Path | None = None, **config: Any) -> Flask:
    """A mock app serving `folder` only (no generated records unless `records` says so)."""
    settings: dict[str, Any] = {"records": 0, **config}
    if folder is not None:
        settings["data_dir"] = folder
    return create_app(settings)


def read_list(client: FlaskClient, account_id: str, *, limit: int = 7) -> list[dict[str, Any]]:
    """Every unified interview (with remote_data) of an account, page by page."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"integrated_account_id": account_id, "limit": limit}
        if cursor:
            query["next_cursor"] = cursor
        response = client.get(LIST_PATH, query_string=query, headers=AUTH)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        out.extend(body["result"])
        cursor = body["next_cursor"]
        if not cursor:
            return out


def responses(client: FlaskClient, account_id: str, ids: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """(what was asked, parsed body) for every id in every format, and every list page in every format."""
    for response_format in FORMATS:
        for interview_id in ids:
            url = f"{LIST_PATH}/{interview_id}"
            query = {"integrated_account_id": account_id, "truto_response_format": response_format}
            response = client.get(url, query_string=query, headers=AUTH)
            assert response.status_code == 200, (url, response.get_data(as_text=True))
            yield f"get {interview_id} {response_format}", response.get_json()
        cursor: str | None = None
        page = 0
        while True:
            query = {"integrated_account_id": account_id, "truto_response_format": response_format, "limit": 5}
            if cursor:
                query["next_cursor"] = cursor
            response = client.get(LIST_PATH, query_string=query, headers=AUTH)
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            yield f"list page {page} {response_format}", body
            envelope = body.get("result", body) if response_format == "debug" else body
            cursor = envelope.get("next_cursor") if isinstance(envelope, dict) else None
            if response_format == "raw":
                break  # the raw body has the provider's paging, not Truto's cursor
            page += 1
            if not cursor:
                break


def leaf_differences(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key path, left, right) of every place two JSON values differ (structure included)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if set(a) != set(b):
            yield path, sorted(a), sorted(b)
        for key in set(a) & set(b):
            yield from leaf_differences(a[key], b[key], f"{path}.{key}" if path else str(key))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield path, len(a), len(b)
        for x, y in zip(a, b, strict=False):
            yield from leaf_differences(x, y, f"{path}[]")
    elif a != b or type(a) is not type(b):
        yield path, a, b


def allowed_paths(provider: str, redacted: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(raw key paths that were redacted, unified fields computed from one of them)."""
    raw = set(redacted)
    fields = {field for path, field in reads(provider).items() if path in raw and field}
    return raw, fields


def only_redacted_strings_differ(
    source: Any, replay: Any, provider: str, redacted: Mapping[str, Any]
) -> list[tuple[str, Any, Any]]:
    """The differences that are NOT a redacted string (an empty list is what a faithful replay gives)."""
    raw_paths, fields = allowed_paths(provider, redacted)
    bad = []
    for path, a, b in leaf_differences(source, replay):
        if isinstance(a, str) and isinstance(b, str):
            if any(path == p or path.endswith(f".{p}") for p in raw_paths):
                continue  # the raw string itself, wherever a format shows the raw record
            if path.replace("[]", "").split(".")[-1] in fields:
                continue  # a unified field the mapping computes from a redacted raw string
        bad.append((path, a, b))
    return bad
