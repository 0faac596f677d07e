"""The generated JSON Schema and OpenAPI document are valid documents and agree with the checker."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

from contracts import interview_schema, openapi_document, validate_interview
from contracts.__main__ import main
from contracts.fields import FIELD_NAMES, fields_for
from tests.conftest import good_interview


@pytest.mark.parametrize("which", [None, "ceipal", "pinpoint"])
def test_interview_schema_is_a_valid_2020_12_schema(which: str | None) -> None:
    schema = interview_schema(which)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == [f.name for f in fields_for(which)]


def test_schema_and_checker_agree(provider: str) -> None:
    validator = jsonschema.Draft202012Validator(
        interview_schema(provider), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    good = good_interview(provider)
    assert list(validator.iter_errors(good)) == [] and validate_interview(good, provider=provider) == []
    other = "status" if provider == "ceipal" else "candidate"
    bad_payloads = [{**good, "id": 1}, {**good, other: "x"}, {k: v for k, v in good.items() if k != "id"}]
    for bad in bad_payloads:
        assert list(validator.iter_errors(bad)) and validate_interview(bad, provider=provider)


def test_openapi_document_is_valid_openapi_3_1() -> None:
    document = openapi_document()
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/unified/ats/interviews/{id}", "/unified/ats/interviews"}
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["components"]["schemas"]["Error"]["required"] == ["statusCode", "error", "message"]


def test_openapi_parameters_come_from_the_table() -> None:
    get_op = openapi_document()["paths"]["/unified/ats/interviews/{id}"]["get"]
    names = {p["name"]: p for p in get_op["parameters"]}
    assert names["integrated_account_id"]["required"] and names["integrated_account_id"]["schema"]["format"] == "uuid"
    assert names["truto_response_format"]["schema"]["enum"] == [
        "unified",
        "raw",
        "normalized",
        "stream",
        "debug",
    ]
    assert names["truto_exclude_fields[]"]["schema"]["items"]["enum"] == list(FIELD_NAMES)
    assert names["remote_query"]["style"] == "deepObject"
    list_op = openapi_document()["paths"]["/unified/ats/interviews"]["get"]
    assert {"limit", "next_cursor", "truto_ignore_limit", "start_at"} <= {p["name"] for p in list_op["parameters"]}


def test_cli_prints_openapi_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == openapi_document()
    assert main(["schema", "--provider", "pinpoint"]) == 0
    assert json.loads(capsys.readouterr().out) == interview_schema("pinpoint")
