"""Truto's error body: `{statusCode, error, message}` plus the optional keys Truto documents."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

ERROR_KEYS: tuple[str, ...] = ("statusCode", "error", "message")


def reason_phrase(status: int) -> str:
    """The canonical reason phrase Truto puts in `error` (e.g. 404 -> "Not Found")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Error"


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """An error body as Truto sends it; `extra` adds documented optional keys such as
    `truto_error_insight`, `truto_is_remote_error` or `raw_response`."""
    return {"statusCode": status, "error": reason_phrase(status), "message": message, **extra}


def missing_query_insight(names: list[str]) -> dict[str, Any]:
    """`truto_error_insight` for required query parameters that were not sent."""
    return {
        "missing_required_query_parameters": {
            "description": "These query parameters are required but were not sent.",
            "value": names,
        }
    }
