"""The generated-data cache: same records as generating, rebuilt when absent or incomplete, optional."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.providers import PROVIDERS
from mockserver.datacache import cache_dir, cached
from mockserver.dataset import cache_key, generate, load_dataset


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "truto-interviews-kit"


def test_cached_records_equal_generated_ones(own_cache: Path) -> None:
    fresh = list(generate("pinpoint", seed=4, count=6))
    first = list(cached("pinpoint-4-6", 6, lambda: generate("pinpoint", seed=4, count=6)))
    assert first == fresh and [p.name for p in own_cache.glob("*")] == ["pinpoint-4-6.jsonl"]

    def must_not_run() -> object:
        raise AssertionError("the cache was not used")

    assert list(cached("pinpoint-4-6", 6, must_not_run)) == fresh  # type: ignore[arg-type]


def test_incomplete_file_is_rebuilt(own_cache: Path) -> None:
    list(cached("ceipal-1-3", 3, lambda: generate("ceipal", seed=1, count=3)))
    [path] = own_cache.glob("ceipal-1-3.jsonl")
    path.write_text(path.read_text().splitlines()[0] + "\n")
    assert list(cached("ceipal-1-3", 3, lambda: generate("ceipal", seed=1, count=3))) == list(
        generate("ceipal", seed=1, count=3)
    )
    assert len(path.read_text().splitlines()) == 3


def test_a_consumer_that_stops_early_leaves_no_file(own_cache: Path) -> None:
    stream = cached("ceipal-2-5", 5, lambda: generate("ceipal", seed=2, count=5))
    next(stream)
    stream.close()
    assert list(own_cache.glob("*")) == []


def test_cache_can_be_turned_off(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTO_MOCK_NO_CACHE", "1")
    assert load_dataset(records=2).records == load_dataset(records=2).records
    assert not own_cache.exists()


def test_unwritable_cache_still_generates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert cache_dir() == blocked / "truto-interviews-kit"
    assert len(list(cached("ceipal-0-2", 2, lambda: generate("ceipal", seed=0, count=2)))) == 2


def test_the_data_set_keys_its_records_by_provider_seed_count_and_code(own_cache: Path) -> None:
    assert len(load_dataset(seed=7, records=3).records) == 2
    assert sorted(p.name for p in own_cache.glob("*")) == sorted(
        f"{cache_key(provider, 7, 3)}.jsonl" for provider in PROVIDERS
    )
    assert cache_key("ceipal", 7, 3) != cache_key("ceipal", 7, 4) != cache_key("pinpoint", 7, 4)


def test_the_key_changes_with_fakers_version_and_the_kits(monkeypatch: pytest.MonkeyPatch) -> None:
    import mockserver.dataset as dataset

    before = cache_key("ceipal", 7, 3)
    real = dataset.installed_version
    for upgraded in ("faker", "truto-interviews-kit"):
        dataset._versions_hash.cache_clear()
        monkeypatch.setattr(dataset, "installed_version", lambda name, up=upgraded: "99" if name == up else real(name))
        assert cache_key("ceipal", 7, 3) != before, upgraded
        monkeypatch.undo()
    dataset._versions_hash.cache_clear()
    assert cache_key("ceipal", 7, 3) == before
