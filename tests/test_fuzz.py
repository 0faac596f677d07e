"""Schemathesis against the mock's OpenAPI document: positive and negative modes, bounded examples.

Positive cases aim at a real account and interview half of the time, so 200 answers are checked
against the schema, not only the 404s a random UUID earns.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.openapi import openapi_document
from mockserver import create_app
from tests.mock_helpers import PINPOINT_ACCOUNT

AUTH = {"Authorization": "Bearer fuzz"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def app() -> Any:
    """Built when the tests run, not when the module is imported."""
    return create_app({"records": 5})


def _schema(mode: GenerationMode, examples: int) -> Any:
    """The document the mock serves (generated from the tables, so no app is needed to collect)."""
    schema = schemathesis.openapi.from_dict(openapi_document())
    schema.config.generation.update(modes=[mode], max_examples=examples)
    return schema


positive = _schema(GenerationMode.POSITIVE, 30)
negative = _schema(GenerationMode.NEGATIVE, 30)


def stable_half(value: Any) -> bool:
    """True for half of all values, the same half in every run (unlike `hash`, which PYTHONHASHSEED salts)."""
    return zlib.crc32(json.dumps(value, sort_keys=True, default=str).encode()) % 2 == 0


@pytest.mark.slow
@positive.parametrize()
def test_positive_cases_conform(case: Any, app: Any) -> None:
    query = case.query or {}
    if stable_half(query):  # half the time, a real account and interview
        case.query = {**query, "integrated_account_id": PINPOINT_ACCOUNT}
        if case.path_parameters:
            case.path_parameters = {"id": "412"}
    case.call_and_validate(headers=AUTH, checks=CHECKS, app=app)


@pytest.mark.slow
@negative.parametrize()
def test_negative_cases_are_rejected_with_4xx(case: Any, app: Any) -> None:
    response = case.call_and_validate(headers=AUTH, checks=[*CHECKS, negative_data_rejection], app=app)
    if case.method.upper() == "OPTIONS":  # CORS: answered for browsers, with the allowed methods
        assert response.status_code == 200 and "GET" in response.headers["allow"][0]
    else:
        assert 400 <= response.status_code < 500
