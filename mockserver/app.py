"""The Flask app factory: a thin adapter around `mockserver.core`, plus the guard (token, CORS,
cross-site writes: decided in `mockserver.guard`) and the admin blueprint.

`create_app(config)` builds everything fresh (data set, store, journal); importing this module does
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from mockserver.adapter import STATE_KEY, current_state, error_response, raw_path, to_flask, wait_out
from mockserver.admin import admin
from mockserver.config import MockConfig
from mockserver.core import API_PREFIX, ApiError, answer
from mockserver.favicon import ICON
from mockserver.guard import cors_headers, cross_site_problem, guard_problem
from mockserver.page import page
from mockserver.state import MockState

log = logging.getLogger("mockserver")


def _register_guard(app: Flask) -> None:
    @app.before_request
    def preflight() -> Response | None:
        """A CORS preflight is answered on any path, without auth (`cors` adds the headers, if any)."""
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = Response(status=200)
            del response.headers["Content-Type"]
            return response
        return None

    @app.before_request
    def guard() -> Response | None:
        """`--token` on the routes outside /unified/ (the core guards those), and no writes from
        pages on other sites."""
        config = current_state().config
        problem = guard_problem(config, request.method, request.path, request.headers.get("Authorization", ""))
        if problem is not None:
            return error_response(401, problem)
        problem = cross_site_problem(
            config,
            request.method,
            request.path,
            request.host,
            request.headers.get("Origin"),
            request.headers.get("Sec-Fetch-Site"),
        )
        return None if problem is None else error_response(403, problem)

    @app.after_request
    def cors(response: Response) -> Response:
        headers = cors_headers(
            current_state().config,
            request.path,
            request.headers.get("Origin"),
            request.method,
            request.headers.get("Access-Control-Request-Headers", ""),
        )
        if headers.pop("Vary", None):
            response.vary.add("Origin")
        response.headers.update(headers)
        return response


def _register_api(app: Flask) -> None:

    @app.before_request
    def api() -> Response | None:
        """Every request under /unified/ goes to the core, whatever its route or method."""
        if not request.path.startswith(API_PREFIX):
            return None
        query = request.query_string.decode("utf-8", "replace")
        headers = cast(Mapping[str, str], request.headers)  # case-insensitive, as the core wants
        state = current_state()
        response = answer(state, request.method, raw_path(), query, headers)
        return to_flask(wait_out(state, response))


def _register_icon(app: Flask) -> None:
    @app.get("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask every page's origin for it; an icon instead of a 404 in the console."""
        return Response(ICON, mimetype="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, exc.headers, **exc.extra)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if isinstance(exc, MethodNotAllowed):
            allowed = sorted(exc.valid_methods or [])
            message = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}."
            return error_response(status, message, {"Allow": ", ".join(allowed)})
        if status == 404:
            return error_response(404, f"No route for {request.path}; see /openapi.json.")
        return error_response(status, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return error_response(500, f"The mock failed on this request ({type(exc).__name__}); see its log.")


def create_app(config: Mapping[str, Any] | MockConfig | None = None) -> Flask:
    """A fresh mock app: its own data set, store and journal, nothing shared with another app, so each
    test (or server) can have its own.

    Args:
        config: the settings: a mapping of `MockConfig`'s fields, a `MockConfig`, or None (the defaults).

    Raises:
        ValueError: an unknown setting or a bad value, named (see `MockConfig.from_mapping`).
    """
    cfg = MockConfig.from_mapping(config)
    app = Flask("mockserver")
    app.extensions[STATE_KEY] = MockState.build(cfg)
    _register_guard(app)
    _register_api(app)
    _register_icon(app)
    app.register_blueprint(admin)
    app.register_blueprint(page)
    _register_errors(app)
    return app
