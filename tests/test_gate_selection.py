"""Choosing checks: --check / --exclude-check, shards that cover every check exactly once, and the
summary saying what was not checked and why; the drift baseline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.live.matrix import Selection, check_names, sample_ids
from contracts.providers import PROVIDERS
from mockserver import create_app
from mockserver.live import LiveServer
from tests.gate_helpers import ACCOUNT_ARGS, Rewriter, gate
from tests.mock_helpers import PINPOINT_ACCOUNT


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
    for provider in PROVIDERS:
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


# --- exact names, --list-checks as this invocation would run -----------------------------------------


def test_an_exact_name_with_brackets_matches_itself(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    js = tmp_path / "gate.json"
    code, out, _ = gate(["--base-url", url, *ACCOUNT_ARGS, "--check", "list filter created_at[gt]", "--json-report",
                         str(js)], capsys)  # fmt: skip
    assert code == 0, out
    assert {c for _, c in results(js)} == {"list filter created_at[gt]"}
    code, out, _ = gate(["--base-url", url, *ACCOUNT_ARGS, "--exclude-check", "list filter created_at[gt]",
                         "--json-report", str(js)], capsys)  # fmt: skip
    assert code == 0 and "list filter created_at[gt]" not in {c for _, c in results(js)}
    assert "ceipal: 1 check(s) excluded by --exclude-check" in out
    assert Selection(("list filter created_at[[]g*",)).split("ceipal")[0] == [  # globs still work
        "list filter created_at[gt]",
        "list filter created_at[gte]",
    ]


def list_checks(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code, out, err = gate(["--list-checks", *argv], capsys, token=None)
    lines = out.splitlines()
    return code, [line for line in lines if not line.startswith("#")], (lines[0] if lines else "") + err


def test_list_checks_lists_what_this_invocation_would_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, everything, header = list_checks([], capsys)
    assert code == 0 and "for ceipal, pinpoint" in header and "after" not in header
    code, chosen, header = list_checks(["--check", "get format=*", "--exclude-check", "get format=raw"], capsys)
    assert code == 0 and "after --check 'get format=*', --exclude-check 'get format=raw'" in header
    assert chosen == [f"get format={f}" for f in ("unified", "normalized", "stream", "debug")]
    shards: list[str] = []
    for k in (1, 2, 3):
        code, part, header = list_checks(["--shard", f"{k}/3", "--account", f"pinpoint={PINPOINT_ACCOUNT}"], capsys)
        assert code == 0 and f"--shard {k}/3, for pinpoint:" in header and "(" not in "".join(part)
        shards += part
    assert sorted(shards) == sorted(check_names("pinpoint")) and len(set(shards)) == len(shards)
    assert len(everything) == len(set(check_names("ceipal")) | set(check_names("pinpoint")))


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--check", "get format=xml"], "no check is named 'get format=xml'"),
     (["--account", "ceipal=nope"], "'nope' is not a UUID")],
)  # fmt: skip
def test_list_checks_validates_what_it_uses(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, chosen, err = list_checks(argv, capsys)
    assert code == 2 and message in err and chosen == []
