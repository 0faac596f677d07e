"""OpenAPI 3.1 document for the interviews endpoints, generated from the field and parameter tables."""

from __future__ import annotations

from typing import Any

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

ERROR_STATUSES: dict[str, str] = {
    "400": "The request was rejected before it left Truto (a missing or malformed parameter).",
    "401": "Missing or invalid API token, or the provider rejected the account's credentials.",
    "404": "The interview, or the integrated account, does not exist for this token.",
    "429": "Rate limited; see Retry-After.",
    "500": "Truto failed; retryable.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_FILTER_VALUE = {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]}
"""What `contracts.datetimes.parse_filter_value` accepts: an RFC 3339 date-time or a full date."""


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
        out["example"] = p.example
    return out


def _responses(success: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": success}
    for status, description in ERROR_STATUSES.items():
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return responses


def _operation(endpoint: str, summary: str, success_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationId": "getInterview" if endpoint == GET else "listInterviews",
        "summary": summary,
        "tags": ["interviews"],
        "parameters": [_parameter(p) for p in params_for(endpoint)],
        "responses": _responses(
            {
                "description": "unified (default), normalized, stream and raw bodies, or the debug envelope",
                "content": {"application/json": {"schema": success_schema}},
            }
        ),
    }


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, built fresh from the tables on every call."""
    raw = _open_object(description="truto_response_format=raw: the provider's own response.")
    schemas: dict[str, Any] = {
        "Interview": interview_schema(None, standalone=False),
        **{f"{p.capitalize()}Interview": interview_schema(p, standalone=False) for p in PROVIDERS},
        "InterviewList": {
            "type": "object",
            "properties": {
                "result": {"type": "array", "items": _ref("Interview")},
                "next_cursor": {"type": ["string", "null"]},
                "prev_cursor": {"type": ["string", "null"]},
                "result_count": {"type": "integer", "minimum": 0},
                "is_partial_response": {"type": "boolean", "description": "Present when the list is incomplete."},
            },
            "required": ["result", "next_cursor", "prev_cursor", "result_count"],
        },
        "DebugEnvelope": {
            "type": "object",
            "properties": {"result": {}, "debug": _debug_schema()},
            "required": ["result", "debug"],
        },
        "Error": error_schema(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Truto unified ATS API: interviews",
            "version": "1.0.0",
            "description": "Generated from the truto-interviews-kit field and parameter tables.",
        },
        "servers": [{"url": TRUTO_BASE_URL}],
        "security": [{"bearerAuth": []}],
        "paths": {
            GET_PATH: {
                "get": _operation(GET, "Get an interview", {"anyOf": [_ref("Interview"), _ref("DebugEnvelope"), raw]})
            },
            LIST_PATH: {
                "get": _operation(
                    LIST, "List interviews", {"anyOf": [_ref("InterviewList"), _ref("DebugEnvelope"), raw]}
                )
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
