"""JSON Schema (Draft 2020-12) generated from the field table: per provider and for the union."""

from __future__ import annotations

from typing import Any

from contracts.errors import ERROR_KEYS
from contracts.fields import Field, Kind
from contracts.providers import fields_for

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _ref_schema(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"id": {"type": "string", "description": description}},
        "required": ["id"],
        "additionalProperties": False,
    }


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    schema: dict[str, Any]
    if f.kind is Kind.STRING:
        schema = {"type": "string"}
    elif f.kind is Kind.DATETIME:
        schema = {"type": "string", "format": "date-time"}
    elif f.kind is Kind.ENUM:
        schema = {"type": "string", "enum": list(f.enum)}
    elif f.kind is Kind.REF:
        schema = _ref_schema(f.ref_description)
    elif f.kind is Kind.REF_LIST:
        schema = {"type": "array", "items": _ref_schema(f.ref_description)}
    else:  # remote_data: the provider's record, any keys (`additionalProperties: true` keeps it open
        # for type generators: openapi-typescript gives Record<string, unknown>, not Record<string, never>)
        schema = {"type": "object", "additionalProperties": True}
    return {**schema, "description": f.description}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` that also takes null (the `normalized` format, the mock's `--null-absent`)."""
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    out = {**schema, "type": [*types, "null"]}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def interview_schema(
    provider: str | None = None, *, standalone: bool = True, null_absent: bool = False
) -> dict[str, Any]:
    """JSON Schema of a unified interview as `provider` returns it, for validators in other languages.

    Fields outside the provider's coverage are not allowed (`additionalProperties: false`).

    Args:
        provider: a registered provider; None: every documented field.
        standalone: False leaves out `$schema`, for embedding in OpenAPI.
        null_absent: let every optional field be null (what `normalized` and the mock's
            `--null-absent` send for absent ones).
    """
    fields = fields_for(provider)
    title = f"{provider.capitalize()} interview" if provider else "Interview"
    properties = {f.name: field_schema(f) for f in fields}
    if null_absent:
        properties = {f.name: properties[f.name] if f.required else nullable(properties[f.name]) for f in fields}
    schema: dict[str, Any] = {
        "title": title,
        "type": "object",
        "properties": properties,
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }
    if provider:
        schema["description"] = f"A unified interview with the fields {provider} fills."
    return {"$schema": DIALECT, **schema} if standalone else schema


def error_schema() -> dict[str, Any]:
    """Truto's error body: three guaranteed keys, optional documented extras."""
    return {
        "title": "Error",
        "type": "object",
        "properties": {
            "statusCode": {"type": "integer", "description": "The HTTP status code."},
            "error": {"type": "string", "description": "The canonical reason phrase."},
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "truto_is_remote_error": {"type": "boolean"},
            "raw_response": {"description": "The provider's body for remote errors."},
            "truto_error_insight": {"type": "object", "additionalProperties": True},
            "details": {"description": "More about the error, e.g. `failures` of a validation."},
        },
        "required": list(ERROR_KEYS),
    }
