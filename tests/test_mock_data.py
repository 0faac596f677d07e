"""The default data set: raw records, deterministic, and covering what a frontend must handle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.fields import STATUS_VALUES
from mockserver import create_app
from mockserver.dataset import load_dataset
from mockserver.generated import ANCHOR
from mockserver.store import Store
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT


def unified(provider_account: str) -> list[dict[str, object]]:
    store = Store(load_dataset())
    return [dict(r.unified) for r in store.records(provider_account)]


def test_at_least_25_interviews_per_account() -> None:
    dataset = load_dataset()
    assert {a.provider for a in dataset.accounts} == {"ceipal", "pinpoint"}
    assert all(len(records) >= 25 for records in dataset.records.values())


def test_every_pinpoint_status_and_dates_past_and_future() -> None:
    items = unified(PINPOINT_ACCOUNT)
    assert {i["status"] for i in items} == set(STATUS_VALUES)
    starts = [str(i["start_at"]) for i in items if "start_at" in i]
    assert min(starts) < ANCHOR.isoformat() < max(starts)
    assert len({s[-6:] for s in starts}) > 2  # several UTC offsets


def test_ceipal_locations_and_interviewers() -> None:
    items = unified(CEIPAL_ACCOUNT)
    assert any("location" not in i for i in items) and any("location" in i for i in items)
    sizes = {len(i.get("interviewers", [])) for i in items}  # type: ignore[arg-type]
    assert 0 in sizes and max(sizes) >= 3


def test_non_ascii_text_is_present() -> None:
    dataset = load_dataset()
    text = json.dumps(dataset.records, ensure_ascii=False)
    assert any(ord(ch) > 127 for ch in text)
    assert any(ord(ch) > 0x3000 for ch in text)  # CJK as well as accented Latin


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert load_dataset(seed=7).records == load_dataset(seed=7).records
    assert load_dataset(seed=7).records != load_dataset(seed=8).records
    assert len(load_dataset(records=3).records[CEIPAL_ACCOUNT]) == 4 + 3


def test_data_dir_replaces_fixtures(tmp_path: Path) -> None:
    account = "11111111-2222-4333-8444-555555555555"
    (tmp_path / "accounts.json").write_text(json.dumps([{"id": account, "provider": "pinpoint"}]))
    raw = {"id": "1", "type": "interviews", "attributes": {"status": "draft"}, "relationships": {}}
    (tmp_path / "pinpoint_interviews.json").write_text(json.dumps([raw]))
    client = create_app({"data_dir": tmp_path, "records": 0}).test_client()
    body = client.get(
        f"/unified/ats/interviews/1?integrated_account_id={account}", headers={"Authorization": "Bearer x"}
    ).get_json()
    assert body == {"id": "1", "status": "draft", "remote_data": raw}


def test_bad_fixture_record_is_refused_with_its_violation(tmp_path: Path) -> None:
    (tmp_path / "accounts.json").write_text(json.dumps([{"id": PINPOINT_ACCOUNT, "provider": "pinpoint"}]))
    bad = {"id": "1", "type": "interviews", "attributes": {"status": "rescheduled"}}
    (tmp_path / "pinpoint_interviews.json").write_text(json.dumps([bad]))
    with pytest.raises(ValueError, match="'rescheduled' is not one of"):
        create_app({"data_dir": tmp_path})


def test_unknown_settings_are_an_error() -> None:
    with pytest.raises(ValueError, match="unknown mock setting"):
        create_app({"recrods": 3})
    with pytest.raises(ValueError, match="records must be 0-100000, got -1"):
        create_app({"records": -1})


def test_a_stored_record_costs_about_its_json_size() -> None:
    """Records are kept as compact JSON of their own size (with their id and filter times, under 4x
    the JSON): orjson's output buffer holds ~4 KiB whatever the record, which made a 50 MB data folder
    take 450 MiB more once stored."""
    import tracemalloc

    from mockserver.dataset import generate
    from mockserver.store import make_record

    raws = list(generate("pinpoint", seed=1, count=500))
    size = sum(len(json.dumps(raw, separators=(",", ":"))) for raw in raws)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        records = [make_record("pinpoint", raw, checked=True) for raw in raws]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(records) == 500 and held < 4 * size, f"{held} bytes held for {size} bytes of JSON"
