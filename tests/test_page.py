"""The page at `/` pages: a page of interviews per account with links onward, whatever the data's size."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from contracts.accounts import Account
from contracts.datafolder import write_folder
from mockserver import create_app
from mockserver.page import ACCOUNTS_PER_PAGE, INTERVIEWS_PER_PAGE
from tests.mock_helpers import CEIPAL_ACCOUNT, PINPOINT_ACCOUNT, assert_error


def interview_ids(html: str, provider: str) -> list[str]:
    table = re.search(rf'<table class="interviews" data-provider="{provider}">(.*?)</table>', html, re.S)
    assert table is not None
    return re.findall(r"<tr><td><code>([^<]+)</code>", table.group(1))


@pytest.fixture(scope="module")
def big() -> FlaskClient:
    return create_app({"records": 300}).test_client()


def test_the_page_shows_one_page_of_interviews_per_account_with_links_onward(big: FlaskClient) -> None:
    html = big.get("/").get_data(as_text=True)
    first = interview_ids(html, "pinpoint")
    assert len(first) == INTERVIEWS_PER_PAGE and first[0] == "412"
    assert "interviews 1-20 of 305" in html
    link = re.search(rf'href="(/\?account={PINPOINT_ACCOUNT}&amp;offset=20)#interviews-{PINPOINT_ACCOUNT}"', html)
    assert link is not None
    onward = big.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    second = interview_ids(onward, "pinpoint")
    assert len(second) == INTERVIEWS_PER_PAGE and not set(second) & set(first)
    assert interview_ids(onward, "ceipal") == interview_ids(html, "ceipal")  # the other account stays on its first page
    assert "&larr; previous" in onward
    last = big.get(f"/?account={PINPOINT_ACCOUNT}&offset=300").get_data(as_text=True)
    assert (
        len(interview_ids(last, "pinpoint")) == 5
        and "next &rarr;" not in last.split(f"interviews-{PINPOINT_ACCOUNT}")[-1]
    )


def test_the_page_size_does_not_grow_with_the_data(big: FlaskClient) -> None:
    small = create_app({"records": 30}).test_client().get("/").get_data()
    large = big.get("/").get_data()
    assert abs(len(large) - len(small)) < 400, (len(small), len(large))  # only the counts differ


@pytest.mark.parametrize("query", ["offset=-1", "offset=x", "accounts=1e3", "offset=" + "9" * 40])
def test_a_bad_page_query_is_a_truto_shaped_400(big: FlaskClient, query: str) -> None:
    assert_error(big.get(f"/?{query}"), 400, "whole number")


def test_small_data_has_no_pager() -> None:
    html = create_app({"records": 3}).test_client().get("/").get_data(as_text=True)
    assert 'class="pager"' not in html and CEIPAL_ACCOUNT in html


def test_many_accounts_page_too(tmp_path: Path) -> None:
    accounts = [
        Account(str(uuid.UUID(int=i + 1, version=4)), "pinpoint", f"team {i}") for i in range(ACCOUNTS_PER_PAGE + 5)
    ]
    write_folder(tmp_path, accounts, {})
    c = create_app({"data_dir": tmp_path}).test_client()
    html = c.get("/").get_data(as_text=True)
    assert html.count("<tr data-account-id=") == ACCOUNTS_PER_PAGE and accounts[-1].id not in html
    assert f"accounts 1-{ACCOUNTS_PER_PAGE} of {ACCOUNTS_PER_PAGE + 5}" in html
    rest = c.get(f"/?accounts={ACCOUNTS_PER_PAGE}").get_data(as_text=True)
    assert rest.count("<tr data-account-id=") == 5 and accounts[-1].id in rest and accounts[0].id not in rest
