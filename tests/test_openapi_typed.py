"""The served OpenAPI document types what a frontend reads: each 200 is exactly the default format's
body, the other formats are named beside it, parameters and examples have their own types, and every
status the mock sends is declared with Truto's error body and the rate-limit headers."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from contracts.errors import STATUS_MEANINGS
from contracts.openapi import KEY_BY_KEY, RESPONSE_FORMATS_KEY, openapi_document
from contracts.params import RESPONSE_FORMATS
from mockserver import create_app
from mockserver.statuses import api_error_statuses, served_statuses
from tests.mock_helpers import AUTH, CEIPAL_ACCOUNT, LIST_PATH, PINPOINT_ACCOUNT

GET_PATH = LIST_PATH + "/{id}"


def _served(**config: Any) -> dict[str, Any]:
    document: dict[str, Any] = create_app({"records": 2, **config}).test_client().get("/openapi.json").get_json()
    return document


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator of `schema` that resolves the document's `#/components/...` references."""
    registry: Registry[Any] = Registry().with_resource("urn:doc", DRAFT202012.create_resource(document))
    return jsonschema.Draft202012Validator(
        {"$ref": "urn:doc" + schema["$ref"]} if "$ref" in schema else schema,
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    return _served()


def test_both_documents_are_valid_openapi(served: dict[str, Any]) -> None:
    validate_openapi(openapi_document())
    validate_openapi(served)
    validate_openapi(_served(null_absent=True))


def test_each_200_is_exactly_the_default_body_and_names_the_other_formats(served: dict[str, Any]) -> None:
    schemas = served["components"]["schemas"]
    for path, body in ((GET_PATH, "Interview"), (LIST_PATH, "InterviewList")):
        ok = served["paths"][path]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{body}"}
        formats = ok[RESPONSE_FORMATS_KEY]
        assert set(formats) == set(RESPONSE_FORMATS)
        assert formats["unified"]["schema"] == ok["content"]["application/json"]["schema"]
        for name, entry in formats.items():
            assert entry["schema"]["$ref"].removeprefix("#/components/schemas/") in schemas, name
    keyed = served["paths"][LIST_PATH]["get"]["responses"]["200"][KEY_BY_KEY]["schema"]
    assert keyed == {"$ref": "#/components/schemas/KeyedInterviewList"}
    assert KEY_BY_KEY not in served["paths"][GET_PATH]["get"]["responses"]["200"]
    assert schemas["KeyedInterviewList"]["properties"]["result"]["additionalProperties"] == {
        "$ref": "#/components/schemas/Interview"
    }


def test_date_filters_are_typed_strings_with_their_formats(served: dict[str, Any]) -> None:
    params = {p["name"]: p for p in served["paths"][LIST_PATH]["get"]["parameters"]}
    for name in ("created_at", "start_at", "end_at"):
        for operator, value in params[name]["schema"]["properties"].items():
            assert value["type"] == "string", (name, operator)
            assert [b["type"] for b in value["anyOf"]] == ["string", "string"]
            assert [b["format"] for b in value["anyOf"]] == ["date-time", "date"]


def _examples(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example value) of every parameter and response example in the document."""
    out = []
    for path, item in document["paths"].items():
        operation = item["get"]
        for p in operation["parameters"]:
            if "example" in p:
                out.append((f"{path} {p['name']}", p["schema"], p["example"]))
            for name, example in p.get("examples", {}).items():
                out.append((f"{path} {p['name']} {name}", p["schema"], example["value"]))
        for status, response in operation["responses"].items():
            content = response.get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                out.append((f"{path} {status} {name}", content["schema"], example["value"]))
    return out


@pytest.mark.parametrize("null_absent", [False, True])
def test_every_example_is_of_its_schema_type(null_absent: bool) -> None:
    document = _served(null_absent=null_absent)
    examples = _examples(document)
    assert len([e for e in examples if " 200 " in e[0]]) == 4  # a page and an interview per provider
    for where, schema, value in examples:
        errors = [e.message for e in _validator(document, schema).iter_errors(value)]
        assert not errors, (where, errors[:3])
    limit = next(p for p in document["paths"][LIST_PATH]["get"]["parameters"] if p["name"] == "limit")
    assert limit["example"] == 25
    assert next(e for e in examples if e[0].endswith("truto_key_by"))[2] == "id"


def test_a_wrong_example_would_be_caught(served: dict[str, Any]) -> None:
    """The example walk above is not vacuous: a string limit and an interview with a number id fail."""
    limit = next(p for p in served["paths"][LIST_PATH]["get"]["parameters"] if p["name"] == "limit")
    assert list(_validator(served, limit["schema"]).iter_errors("25"))
    interview = {"$ref": "#/components/schemas/Interview"}
    assert list(_validator(served, interview).iter_errors({"id": 5}))


def test_null_absent_types_optional_fields_nullable() -> None:
    plain, nulls = _served()["components"]["schemas"], _served(null_absent=True)["components"]["schemas"]
    for name in ("Interview", "CeipalInterview", "PinpointInterview"):
        assert plain[name]["properties"]["id"] == nulls[name]["properties"]["id"]  # required: never null
        for field, schema in nulls[name]["properties"].items():
            if field != "id":
                assert "null" in schema["type"] and "null" not in plain[name]["properties"][field]["type"]
    assert nulls["PinpointInterview"]["properties"]["status"]["enum"][-1] is None


def test_every_status_the_mock_sends_is_declared_with_the_error_body(served: dict[str, Any]) -> None:
    declared = {
        path: {int(s): r for s, r in item["get"]["responses"].items() if s != "200"}
        for path, item in served["paths"].items()
    }
    expected = set(served_statuses())
    assert {400, 401, 403, 404, 405, 408, 409, 413, 414, 422, 429, 431, 500, 502, 503} <= expected
    for path, responses in declared.items():
        assert set(responses) == expected, path
        for status, response in responses.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            headers = set(response["headers"])
            assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= headers
            assert ("Retry-After" in headers) == (status == 429)
    # the contract's own document declares what Truto's error model documents
    contract = openapi_document()["paths"][LIST_PATH]["get"]["responses"]
    assert {int(s) for s in contract if s != "200"} == set(STATUS_MEANINGS)
    headers = served["components"]["headers"]
    assert headers["Retry-After"]["required"] is True and headers["Retry-After"]["schema"]["type"] == "integer"
    assert headers["ratelimit-remaining"]["schema"]["type"] == "integer"


def test_the_mock_sends_only_declared_statuses() -> None:
    """Drive the mock to each status it has a way to send; every one is declared, with the declared headers."""
    client = create_app({"records": 2}).test_client()
    document = client.get("/openapi.json").get_json()
    declared = document["paths"][LIST_PATH]["get"]["responses"]
    seen: dict[int, Any] = {}
    url = f"{LIST_PATH}?integrated_account_id={CEIPAL_ACCOUNT}"
    for code in sorted({s for s in api_error_statuses() if s != 500} | {500}):
        for remote in ("", ", remote=true"):
            response = client.get(url, headers={**AUTH, "Prefer": f"code={code}{remote}"})
            seen.setdefault(response.status_code, response)
    seen.setdefault(400, client.get(url + "&sort_by=x", headers=AUTH))
    seen.setdefault(401, client.get(url))
    seen.setdefault(405, client.put(url, headers=AUTH))
    limited = create_app({"records": 2, "rate_limit_account": 1}).test_client()
    pinpoint = f"{LIST_PATH}?integrated_account_id={PINPOINT_ACCOUNT}"
    assert limited.get(pinpoint, headers=AUTH).status_code == 200
    throttled = limited.get(pinpoint, headers=AUTH)
    assert set(seen) == set(api_error_statuses())
    for status in {*seen, throttled.status_code}:
        assert str(status) in declared, status
    for response in (throttled, seen[429]):
        assert response.status_code == 429
        assert response.headers["Retry-After"].isdigit() and response.headers["ratelimit-remaining"] == "0"


def test_the_schemathesis_hook_lets_each_200_be_any_named_body(served: dict[str, Any]) -> None:
    import copy

    from mockserver.schemathesis_hooks import every_format

    document = copy.deepcopy(served)
    every_format(document)
    for path in (GET_PATH, LIST_PATH):
        ok = document["paths"][path]["get"]["responses"]["200"]
        names = {s["$ref"].rsplit("/", 1)[1] for s in ok["content"]["application/json"]["schema"]["anyOf"]}
        assert {"RawBody"} < names and ("KeyedInterviewList" in names) == (path == LIST_PATH)
    debug = {"result": {"id": "1"}, "debug": None}
    ok_get = {"$ref": "#/paths/~1unified~1ats~1interviews~1{id}/get/responses/200/content/application~1json/schema"}
    assert not list(_validator(document, ok_get).iter_errors(debug))
    assert list(_validator(served, ok_get).iter_errors(debug))  # without the hook: not an Interview
