"""Self-check: every default interview, in every format and query combination that matters, conforms."""

from __future__ import annotations

import itertools

import pytest
from flask.testing import FlaskClient

from contracts.params import RESPONSE_FORMATS
from contracts.providers import fields_for, provider_module
from mockserver import create_app
from mockserver.dataset import load_dataset
from tests.mock_helpers import ACCOUNTS, FIRST_ID, LIST_PATH, get, violations

OPTIONS = ["", "&truto_ignore_remote_data=true", "&truto_skip_api_call=true"]


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


def test_every_interview_every_format(client: FlaskClient, provider: str) -> None:
    account = ACCOUNTS[provider]
    listed = get(client, f"{LIST_PATH}?integrated_account_id={account}&truto_ignore_limit=true").json["result"]
    ids = [item["id"] for item in listed]
    stored = [provider_module(provider).record_id(raw) for raw in load_dataset().records[account]]
    assert ids == stored and len(ids) >= 25  # every record the data set holds, each once
    for interview_id, fmt, option in itertools.product(ids, RESPONSE_FORMATS, OPTIONS):
        url = f"{LIST_PATH}/{interview_id}?integrated_account_id={account}&truto_response_format={fmt}{option}"
        response = get(client, url)
        assert response.status_code == 200
        assert violations(response, url, provider) == [], url  # also proves the checker sees drift


def test_each_field_excluded_once_on_both_endpoints(client: FlaskClient, provider: str) -> None:
    account = ACCOUNTS[provider]
    for field in fields_for(provider):
        for fmt in ("unified", "normalized", "debug"):
            for url in (
                f"{LIST_PATH}?integrated_account_id={account}&truto_exclude_fields[]={field.name}&truto_response_format={fmt}&limit=7",
                f"{LIST_PATH}/{FIRST_ID[provider]}?integrated_account_id={account}"
                f"&truto_exclude_fields={field.name}&truto_response_format={fmt}",
            ):
                response = get(client, url)
                assert violations(response, url, provider) == [], url
