"""Choosing checks: --check / --exclude-check, shards that cover every check exactly once, and the
summary saying what was not checked and why; the drift baseline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.live.matrix import check_names, sample_ids
from mockserver import create_app
from mockserver.live import LiveServer
from tests.gate_helpers import ACCOUNT_ARGS, Rewriter, gate


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    live = LiveServer()
    live.app = create_app({"records": 2})
    yield live.url
    live.stop()


def results(path: Path) -> list[tuple[str, str]]:
    return sorted((r["account"], r["name"]) for r in json.loads(path.read_text())["results"])


def test_shards_cover_every_check_exactly_once(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    full = tmp_path / "full.json"
    assert gate(["--base-url", url, *ACCOUNT_ARGS, "--json-report", str(full)], capsys)[0] == 0
    parts: list[tuple[str, str]] = []
    for k in (1, 2, 3):
        js = tmp_path / f"{k}.json"
        code, out, _ = gate(["--base-url", url, *ACCOUNT_ARGS, "--shard", f"{k}/3", "--json-report", str(js)], capsys)
        assert code == 0 and f"in another shard than {k}/3" in out
        parts += results(js)
    assert sorted(parts) == results(full) and len(set(parts)) == len(parts)


def test_check_and_exclude_check(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    js = tmp_path / "gate.json"
    argv = ["--base-url", url, *ACCOUNT_ARGS, "--check", "get format=*", "--exclude-check", "get format=stream",
            "--json-report", str(js)]  # fmt: skip
    code, out, _ = gate(argv, capsys)
    assert code == 0
    checks = {c for _, c in results(js)}
    formats = ("unified", "raw", "normalized", "debug")
    assert checks == {f"{get} format={fmt}" for get in ("get", "get#2", "get#3") for fmt in formats}
    assert "ceipal: 1 check(s) excluded by --exclude-check" in out and "not selected by --check" in out


def test_ids_sample_evenly_and_deterministically() -> None:
    ids = [str(i) for i in range(10)]
    assert sample_ids(ids, 3) == ["0", "4", "9"] == sample_ids(ids, 3)
    assert sample_ids(["a", "a", "b"], 3) == ["a", "b"] and sample_ids(ids, 1) == ["0"]


def test_check_names_are_stable_and_unique() -> None:
    for provider in ("ceipal", "pinpoint"):
        names = check_names(provider)
        assert len(names) == len(set(names)) and names == check_names(provider)


def _drifted(environ: dict[str, Any], body: Any) -> Any:
    items = body.get("result") if isinstance(body, dict) and isinstance(body.get("result"), list) else [body]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("remote_data"), dict) and "id" in item:
            item["remote_data"]["brand_new_key"] = {"nested": 1}
            item.pop("location", None)
    return body


def test_baseline_saves_stably_and_reports_drift_apart(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    live = LiveServer()
    try:
        live.app = create_app({"records": 2})
        first, second = tmp_path / "a.json", tmp_path / "b.json"
        for path in (first, second):
            assert gate(["--base-url", live.url, *ACCOUNT_ARGS, "--save-baseline", str(path)], capsys)[0] == 0
        assert first.read_text() == second.read_text()
        document = json.loads(first.read_text())
        ceipal = document["providers"]["ceipal"]
        assert ceipal["fields"]["location"]["types"] == ["string"] and 0 < ceipal["fields"]["location"]["presence"] <= 1
        assert document["providers"]["pinpoint"]["enums"]["status"]
        assert all("=" not in k for k in ceipal["remote_data_keys"])
        code, out, _ = gate(["--base-url", live.url, *ACCOUNT_ARGS, "--baseline", str(first)], capsys)
        assert code == 0 and "Drift" not in out

        live.app = Rewriter(create_app({"records": 2}), _drifted)  # type: ignore[assignment]
        argv = ["--base-url", live.url, *ACCOUNT_ARGS, "--baseline", str(first), "--check", "list walk"]
        code, out, _ = gate(argv, capsys)
        assert "ceipal: field `location` vanished (no sampled record has it any more)" in out
        assert "ceipal: remote_data key `brand_new_key` appeared" in out
        assert "pinpoint: remote_data key `brand_new_key.nested` appeared" in out
        assert code == 0 and "Drift from the baseline (" in out  # drift is not a violation...
        code, _, _ = gate([*argv, "--fail-on-drift"], capsys)
        assert code == 1  # ...unless asked
    finally:
        live.stop()
