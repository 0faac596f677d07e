"""The generated JSON Schema and OpenAPI document are valid documents and agree with the checker."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

from contracts import interview_schema, openapi_document, validate_interview
from contracts.__main__ import main
from contracts.fields import FIELD_NAMES
from contracts.providers import fields_for, filterable_fields
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


def test_remote_data_is_open_for_type_generators() -> None:
    from contracts.openapi import openapi_document

    schemas = openapi_document()["components"]["schemas"]
    for name in ("Interview", "CeipalInterview", "PinpointInterview"):
        assert schemas[name]["properties"]["remote_data"]["additionalProperties"] is True


def _free_form_objects(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema in the document that is an object and names none of its keys."""
    if isinstance(node, dict):
        types = node.get("type")
        is_object = types == "object" or (isinstance(types, list) and "object" in types)
        if is_object and not node.get("properties"):
            yield path, node
        for key, value in node.items():
            yield from _free_form_objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _free_form_objects(value, f"{path}/{index}")


def test_every_free_form_object_stays_open_for_type_generators() -> None:
    """`{"type": "object"}` alone becomes `Record<string, never>` in openapi-typescript: every object
    without named keys (remote_data, the raw body, debug and its parts) must say what its keys hold."""
    from contracts.openapi import openapi_document
    from mockserver import create_app

    served = create_app({"records": 1}).test_client().get("/openapi.json").get_json()
    for document in (openapi_document(), served):
        found = dict(_free_form_objects(document))
        assert found, "the walk finds nothing: it is broken"
        closed = [path for path, node in found.items() if node.get("additionalProperties") in (None, False)]
        assert not closed, closed
        debug = document["components"]["schemas"]["DebugInfo"]
        assert debug["additionalProperties"] is True and "requestUrl" in debug["properties"]


def test_served_document_carries_examples_from_the_running_data() -> None:
    from mockserver import create_app
    from mockserver.paging import encode_cursor

    app = create_app({"records": 1})
    document = app.test_client().get("/openapi.json").get_json()
    get_op = document["paths"]["/unified/ats/interviews/{id}"]["get"]
    list_op = document["paths"]["/unified/ats/interviews"]["get"]
    params = {p["name"]: p for p in get_op["parameters"]}
    accounts = {e["value"] for e in params["integrated_account_id"]["examples"].values()}
    assert accounts == {"c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01", "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"}
    assert {e["value"] for e in params["id"]["examples"].values()} == {"9001", "412"}
    examples = get_op["responses"]["200"]["content"]["application/json"]["examples"]
    assert {value["value"]["id"] for value in examples.values()} == {"9001", "412"}  # one per provider
    page = list_op["responses"]["200"]["content"]["application/json"]["examples"]
    assert all(set(e["value"]) >= {"result", "next_cursor", "prev_cursor", "result_count"} for e in page.values())
    cursor = next(p for p in list_op["parameters"] if p["name"] == "next_cursor")
    pattern = re.compile(cursor["schema"]["pattern"])  # exactly the cursors of the accounts the examples name
    assert pattern.fullmatch("") and pattern.fullmatch(encode_cursor(40, "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"))
    assert not pattern.fullmatch(encode_cursor(40, "c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01"))
    assert document["servers"][0]["url"] == "http://localhost"


def test_openapi_describes_each_provider(provider: str) -> None:
    document = openapi_document()
    schema = document["components"]["schemas"][f"{provider.capitalize()}Interview"]
    assert set(schema["properties"]) == {f.name for f in fields_for(provider)}
    validator = jsonschema.Draft202012Validator({**schema, "$defs": document["components"]["schemas"]})
    assert not list(validator.iter_errors(json.loads(json.dumps(good_interview(provider)))))
    list_op = document["paths"]["/unified/ats/interviews"]["get"]
    for name in filterable_fields(provider):
        described = next(p for p in list_op["parameters"] if p["name"].startswith(name))
        assert provider in described["description"], name
