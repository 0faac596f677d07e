"""OpenAPI 3.1 document for the interviews endpoints, generated from the field and parameter tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.errors import STATUS_MEANINGS
from contracts.fields import FIELD_NAMES
from contracts.params import (
    FILTER_OPERATORS,
    GET,
    GET_PATH,
    LIST,
    LIST_PATH,
    MAX_LIST_ITEMS,
    MAX_REMOTE_QUERY_KEYS,
    REMOTE_QUERY_KEY_PATTERN,
    Param,
    ParamType,
    params_for,
)
from contracts.providers import PROVIDERS
from contracts.responses import DEBUG_KEYS, DEBUG_LIST_KEYS
from contracts.schema import error_schema, interview_schema
from contracts.truto import TRUTO_BASE_URL

RESPONSE_FORMATS_KEY = "x-truto-response-formats"
"""Where the 200 response lists each `truto_response_format`'s body (by schema), so its own
`application/json` schema stays the default format's alone and type generators type it exactly."""
KEY_BY_KEY = "x-truto-key-by"
"""Where the list's 200 response gives the body with `truto_key_by` (by schema)."""
RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "ratelimit-limit": {
        "description": "Requests allowed per window, e.g. `50;w=10` (present when a limit applies).",
        "schema": {"type": "string", "examples": ["50;w=10"]},
    },
    "ratelimit-remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "ratelimit-reset": {
        "description": "Seconds until the window frees a request.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
"""Truto's normalised rate-limit headers [T-ratelimits]: on any answer while a limit applies."""
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before retrying.",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
"""Sent with every 429 [T-err-model]."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_FILTER_VALUE = {
    "type": "string",
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
    "description": "An RFC 3339 date-time (2026-01-01T00:00:00Z) or a date (2026-01-01, midnight UTC).",
}
"""What `contracts.datetimes.parse_filter_value` accepts. Each branch names its type, so generators
type the value `string` (an untyped branch would add `unknown` and let any value compile)."""


_JSON_TYPES = {str: "string", dict: "object", bool: "boolean", int: "integer", type(None): "null"}


def _open_object(**extra: Any) -> dict[str, Any]:
    """An object with any keys: `additionalProperties: true` makes type generators give
    `Record<string, unknown>` rather than `Record<string, never>`."""
    return {"type": "object", **extra, "additionalProperties": True}


def _debug_schema() -> dict[str, Any]:
    """`debug` of the debug envelope, from the checker's table of its keys (list keys optional)."""
    properties: dict[str, Any] = {}
    for key, types in {**DEBUG_KEYS, **DEBUG_LIST_KEYS}.items():
        names = [_JSON_TYPES[t] for t in (types if isinstance(types, tuple) else (types,)) if t in _JSON_TYPES]
        schema: dict[str, Any] = {} if not names else {"type": names[0] if len(names) == 1 else names}
        properties[key] = _open_object() if names == ["object"] else schema
    return _open_object(type=["object", "null"], properties=properties, required=list(DEBUG_KEYS))


def _param_schema(p: Param) -> dict[str, Any]:
    if p.type is ParamType.UUID:
        return {"type": "string", "format": "uuid"}
    if p.type is ParamType.ENUM:
        return {"type": "string", "enum": list(p.enum), "default": p.default}
    if p.type is ParamType.KEY_FIELD:
        return {"type": "string", "enum": list(p.enum)}
    if p.type is ParamType.BOOLEAN:
        return {"type": "boolean"}
    if p.type is ParamType.INTEGER:
        return {"type": "integer", "minimum": 1}
    if p.type is ParamType.ARRAY:
        return {"type": "array", "items": {"type": "string", "enum": list(FIELD_NAMES)}, "maxItems": MAX_LIST_ITEMS}
    if p.type is ParamType.OBJECT:
        return {
            "type": "object",
            "propertyNames": {"pattern": REMOTE_QUERY_KEY_PATTERN},
            "additionalProperties": {"type": "string"},
            "maxProperties": MAX_REMOTE_QUERY_KEYS,
        }
    if p.type is ParamType.DATETIME_FILTER:
        return {
            "type": "object",
            "properties": {op: _FILTER_VALUE for op in FILTER_OPERATORS},
            "additionalProperties": False,
            "minProperties": 1,
        }
    return {"type": "string"}


def _parameter(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": p.name,
        "in": p.location,
        "required": p.required,
        "description": p.description,
        "schema": _param_schema(p),
    }
    if p.type is ParamType.ARRAY:  # documented encoding: name[]=a&name[]=b
        out.update(name=f"{p.name}[]", style="form", explode=True)
    elif p.type in (ParamType.OBJECT, ParamType.DATETIME_FILTER):
        out.update(style="deepObject", explode=True)
    if p.providers is not None:
        out["description"] += f" Supported by: {', '.join(sorted(p.providers))}."
    if p.example and p.type not in (ParamType.ARRAY, ParamType.OBJECT, ParamType.DATETIME_FILTER):
        out["example"] = _typed_example(p)
    return out


def _typed_example(p: Param) -> Any:
    """The table's example (text, as sent in a URL) as a value of the parameter's schema type."""
    if p.type is ParamType.INTEGER:
        return int(p.example)
    if p.type is ParamType.BOOLEAN:
        return p.example == "true"
    return p.example


def _rate_limit_headers() -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}


def _error_response(status: int, description: str) -> dict[str, Any]:
    """The response object of an error status: Truto's error body, the rate-limit headers (and
    `Retry-After` on a 429)."""
    headers = _rate_limit_headers()
    if status == 429:
        headers = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}, **headers}
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _format(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "schema": _ref(schema)}


def _success(endpoint: str) -> dict[str, Any]:
    """The 200: typed as the default format's body; the other formats' bodies in RESPONSE_FORMATS_KEY."""
    body = "Interview" if endpoint == GET else "InterviewList"
    normalized = "NormalizedInterview" if endpoint == GET else "NormalizedInterviewList"
    response: dict[str, Any] = {
        "description": f"The {'interview' if endpoint == GET else 'page of interviews'} in the default format "
        f"(`unified`). The other `truto_response_format` bodies are listed in `{RESPONSE_FORMATS_KEY}`"
        + (f", and the body with `truto_key_by` in `{KEY_BY_KEY}`." if endpoint == LIST else "."),
        "headers": _rate_limit_headers(),
        "content": {"application/json": {"schema": _ref(body)}},
        RESPONSE_FORMATS_KEY: {
            "unified": _format("The default.", body),
            "normalized": _format("Every field the provider fills, absent ones as null.", normalized),
            "stream": _format("The unified document, sent in chunks.", body),
            "raw": _format("The provider's own response, untouched.", "RawBody"),
            "debug": _format(
                "The unified body in `result`, and what Truto asked the provider in `debug`.",
                "InterviewDebugEnvelope" if endpoint == GET else "InterviewListDebugEnvelope",
            ),
        },
    }
    if endpoint == LIST:
        response[KEY_BY_KEY] = _format(
            "`result` is an object keyed by the `truto_key_by` field's value (raw is not keyed).", "KeyedInterviewList"
        )
    return response


def _operation(endpoint: str, summary: str, statuses: Mapping[int, str]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _success(endpoint)}
    responses.update({str(status): _error_response(status, text) for status, text in sorted(statuses.items())})
    return {
        "operationId": "getInterview" if endpoint == GET else "listInterviews",
        "summary": summary,
        "tags": ["interviews"],
        "parameters": [_parameter(p) for p in params_for(endpoint)],
        "responses": responses,
    }


def _list_schema(items: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "type": "object",
        **({"description": description} if description else {}),
        "properties": {
            "result": items,
            "next_cursor": {"type": ["string", "null"]},
            "prev_cursor": {"type": ["string", "null"]},
            "result_count": {"type": "integer", "minimum": 0},
            "is_partial_response": {"type": "boolean", "description": "Present when the list is incomplete."},
        },
        "required": ["result", "next_cursor", "prev_cursor", "result_count"],
    }


def interview_schemas(*, null_absent: bool = False) -> dict[str, Any]:
    """The component schemas `Interview` and one per provider (`PinpointInterview`...);
    `null_absent` lets each optional field be null."""
    return {
        "Interview": interview_schema(None, standalone=False, null_absent=null_absent),
        **{
            f"{p.capitalize()}Interview": interview_schema(p, standalone=False, null_absent=null_absent)
            for p in PROVIDERS
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        **interview_schemas(),
        "InterviewList": _list_schema({"type": "array", "items": _ref("Interview")}),
        "KeyedInterviewList": _list_schema(
            {"type": "object", "additionalProperties": _ref("Interview")},
            "truto_key_by=FIELD: `result` keyed by each interview's value of FIELD.",
        ),
        "NormalizedInterview": {
            **interview_schema(None, standalone=False, null_absent=True),
            "title": "Normalized interview",
        },
        "NormalizedInterviewList": _list_schema({"type": "array", "items": _ref("NormalizedInterview")}),
        "RawBody": _open_object(description="truto_response_format=raw: the provider's own response."),
        "DebugInfo": _debug_schema(),
        "InterviewDebugEnvelope": _debug_envelope("Interview"),
        "InterviewListDebugEnvelope": _debug_envelope("InterviewList"),
        "Error": error_schema(),
    }


def _debug_envelope(result: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"result": _ref(result), "debug": _ref("DebugInfo")},
        "required": ["result", "debug"],
    }


def openapi_document(statuses: Mapping[int, str] = STATUS_MEANINGS) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, built fresh from the tables on every call (for `openapi-typescript`,
    Schemathesis or a client generator).

    Args:
        statuses: the error statuses each operation declares, with their meaning (default: those
            Truto's error model documents).
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Truto unified ATS API: interviews",
            "version": "1.0.0",
            "description": "Generated from the truto-interviews-kit field and parameter tables. Each 200 is typed "
            f"as the default format's body; `{RESPONSE_FORMATS_KEY}` and `{KEY_BY_KEY}` on it name the schema of "
            "the other bodies (all in components.schemas).",
        },
        "servers": [{"url": TRUTO_BASE_URL}],
        "security": [{"bearerAuth": []}],
        "paths": {
            GET_PATH: {"get": _operation(GET, "Get an interview", statuses)},
            LIST_PATH: {"get": _operation(LIST, "List interviews", statuses)},
        },
        "components": {
            "schemas": _schemas(),
            "headers": {"Retry-After": RETRY_AFTER, **RATE_LIMIT_HEADERS},
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
