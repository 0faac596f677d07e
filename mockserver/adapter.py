"""Flask's side of the mock: turning core answers into Flask responses, and reaching the state.

Shared by the app factory and the admin blueprint, so neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app

from mockserver.core import MockResponse, error_answer, json_answer
from mockserver.state import MockState

STATE_KEY = "truto_mock"


def current_state() -> MockState:
    """The state of the app answering the current request."""
    mock: MockState = current_app.extensions[STATE_KEY]
    return mock


def to_flask(answer: MockResponse) -> Response:
    """A Flask response carrying a core answer (a stream's chunks go out chunked)."""
    response = Response(answer.body, status=answer.status)
    response.headers.update(answer.headers)
    return response


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] = {}) -> Response:
    return to_flask(json_answer(body, status, headers=headers))


def error_response(status: int, message: str, headers: Mapping[str, str] = {}, **extra: Any) -> Response:
    return to_flask(error_answer(status, message, headers, **extra))
