"""`--null-absent` (MockConfig `null_absent`, the marker keyword): absent optional fields are sent as
null for hardening a UI; the journal and the page say the mock then contradicts A-absent-not-null."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.providers import fields_for
from mockserver import create_app
from mockserver.cli import build_parser
from mockserver.config import MockConfig
from tests.mock_helpers import ACCOUNTS, AUTH, LIST_PATH


def _page(null_absent: bool, provider: str, extra: str = "") -> tuple[Any, Any]:
    client = create_app({"records": 10, "null_absent": null_absent}).test_client()
    url = f"{LIST_PATH}?integrated_account_id={ACCOUNTS[provider]}&limit=30{extra}"
    return client.get(url, headers=AUTH).get_json(), client


def test_absent_fields_are_null_and_present_ones_unchanged(provider: str) -> None:
    plain, _ = _page(False, provider)
    nulls, _ = _page(True, provider)
    names = [f.name for f in fields_for(provider)]
    assert any(set(item) != set(names) for item in plain["result"]), "the data has no absent field to test with"
    for before, after in zip(plain["result"], nulls["result"], strict=True):
        assert list(after) == names  # every field the provider fills, in table order, nothing else
        assert after == {name: before.get(name) for name in names}
    assert all(None not in item.values() for item in plain["result"])  # off by default


def test_excluded_and_ignored_fields_stay_out_and_raw_is_untouched() -> None:
    nulls, client = _page(True, "ceipal", "&truto_exclude_fields[]=location&truto_ignore_remote_data=true")
    assert all("location" not in item and "remote_data" not in item for item in nulls["result"])
    raw_url = f"{LIST_PATH}?integrated_account_id={ACCOUNTS['ceipal']}&truto_response_format=raw"
    raw = client.get(raw_url, headers=AUTH).get_json()
    plain_raw = create_app({"records": 10}).test_client().get(raw_url, headers=AUTH).get_json()
    assert raw == plain_raw


@pytest.mark.parametrize("fmt", ["unified", "stream", "debug"])
def test_get_and_debug_send_nulls_too(fmt: str) -> None:
    client = create_app({"records": 10, "null_absent": True}).test_client()
    url = f"{LIST_PATH}/412?integrated_account_id={ACCOUNTS['pinpoint']}&truto_response_format={fmt}"
    body = client.get(url, headers=AUTH).get_json()
    item = body["result"] if fmt == "debug" else body
    assert list(item) == [f.name for f in fields_for("pinpoint")]


def test_the_journal_says_the_mock_contradicts_the_assumption() -> None:
    _, client = _page(True, "ceipal")
    entry = client.get("/__mock__/requests").get_json()["requests"][0]
    assert entry["verdict"] == "unconfirmed"
    assert entry["violations"] and all("A-absent-not-null" in v for v in entry["violations"])


def test_the_page_says_so_only_when_on() -> None:
    page = create_app({"null_absent": True}).test_client().get("/").get_data(as_text=True)
    assert "--null-absent is on" in page and "A-absent-not-null" in page
    assert "--null-absent is on" not in create_app().test_client().get("/").get_data(as_text=True)


def test_flag_setting_and_marker_keyword() -> None:
    assert build_parser().parse_args(["--null-absent"]).null_absent is True
    assert build_parser().parse_args([]).null_absent is False
    assert MockConfig.from_mapping({"null_absent": True}).null_absent is True
    with pytest.raises(ValueError, match="null_absent must be true or false, got 'yes'"):
        MockConfig(null_absent="yes")  # type: ignore[arg-type]
