"""Truto's error body: `{statusCode, error, message}` plus the optional keys Truto documents."""

from __future__ import annotations

from http import HTTPStatus
from types import MappingProxyType
from typing import Any

ERROR_KEYS: tuple[str, ...] = ("statusCode", "error", "message")


def reason_phrase(status: int) -> str:
    """The canonical reason phrase Truto puts in `error` (e.g. 404 -> "Not Found")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Error"


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """An error body as Truto sends it, so a mock or a test double answers in Truto's shape.

    Args:
        status: the HTTP status; `error` becomes its reason phrase.
        message: what went wrong, for a person.
        **extra: documented optional keys such as `truto_error_insight`, `truto_is_remote_error` or
            `raw_response`.
    """
    return {"statusCode": status, "error": reason_phrase(status), "message": message, **extra}


def missing_query_insight(names: list[str]) -> dict[str, Any]:
    """`truto_error_insight` for required query parameters that were not sent."""
    return {
        "missing_required_query_parameters": {
            "description": "These query parameters are required but were not sent.",
            "value": names,
        }
    }


STATUS_MEANINGS: MappingProxyType[int, str] = MappingProxyType(
    {
        400: "The request was rejected before it left Truto (a missing or malformed parameter).",
        401: "Missing or invalid API token; with `truto_is_remote_error`, the provider rejected the account's "
        "credentials (the account needs re-authentication).",
        403: "Not allowed: the token may not read this account, or the provider's scopes are missing "
        "(`truto_error_insight.forbidden_error`).",
        404: "The interview, or the integrated account, does not exist for this token.",
        405: "The method is not allowed (`Allow` lists those that are).",
        409: "The provider reported a conflict (`truto_is_remote_error`).",
        422: "The provider rejected the request as invalid (`truto_is_remote_error`).",
        429: "Rate limited: retry after `Retry-After` seconds (Truto's or the provider's limit).",
        500: "Truto failed; retryable.",
        502: "The provider gave no clean answer; retryable.",
        503: "The integrated account is blocked, or the provider is unavailable.",
        504: "The provider did not answer in time; retryable.",
    }
)
"""The error statuses Truto's error model documents, and what each means [T-err-model, T-errors]."""
