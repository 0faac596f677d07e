"""Who may call what: the `--token` guard, the CORS policy and the cross-site refusal, as pure functions.

Every decision here is a function of the settings and a few request values, with no web framework
in it, so the Flask app and any other front (an ASGI one answering `/unified/*` itself) make the same
decision from one place:

- `--token` guards every route except the open ones (`OPEN_PATHS`: the page shell, `/openapi.json`,
  `/favicon.ico`, the health route; and CORS preflights, which a browser sends without credentials).
  `/unified/*` is checked by the core (it answers 401 in Truto's words and journals it); the rest by
  the app with `guard_problem`.
- CORS: `/unified/*` follows `--cors-origin` (`*` by default); every other route answers CORS only to
  origins named explicitly with `--cors-origin`, never `*`, never an echo of an unlisted origin.
- Writes to `/__mock__/*` from a browser page on another site are refused (`cross_site_problem`),
  whether or not the browser sent a preflight first.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from mockserver.config import MockConfig

API_PREFIX = "/unified/"
ADMIN_PREFIX = "/__mock__/"
HEALTH_PATH = "/__mock__/health"
OPEN_PATHS = frozenset({"/", "/openapi.json", "/favicon.ico", HEALTH_PATH})
"""Routes `--token` leaves open: the page's shell (it asks for the token and shows no data without
it), the OpenAPI document, the icon and the readiness check (which says nothing about the data)."""
STATIC_PREFIX = "/static/"
EXPOSED_HEADERS = "Allow, Retry-After, ratelimit-limit, ratelimit-remaining, ratelimit-reset"
"""Response headers a script on another origin may read (CORS hides the others)."""
ALLOWED_METHODS = "GET, HEAD, OPTIONS, POST, PUT, DELETE"
"""Methods a preflight may ask for: the API answers other methods with its own JSON 405, which a
browser can only show if the preflight lets the request through."""
PREFLIGHT_MAX_AGE = 600
"""Seconds a browser may cache a preflight's answer."""
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_HEADER_LIST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_, ")


def is_api(path: str) -> bool:
    """A `/unified/...` path: answered by the core, CORS after `--cors-origin` as given."""
    return path.startswith(API_PREFIX)


def is_open(path: str) -> bool:
    """A route that needs no token even with `--token`."""
    return path in OPEN_PATHS or path.startswith(STATIC_PREFIX)


def token_matches(expected: str | None, token: str) -> bool:
    """Whether `token` is the one `--token` asks for (any token when none was given); compared in
    constant time."""
    return expected is None or hmac.compare_digest(token.encode(), expected.encode())


def bearer(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when the header is missing or
    has another scheme."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def guard_problem(config: MockConfig, method: str, path: str, authorization: str) -> str | None:
    """Why a request to a non-API route is refused for want of the token (a 401), or None.

    `/unified/*` is not decided here: the core checks its token itself (`mockserver.core`)."""
    if config.token is None or is_api(path) or is_open(path) or method.upper() == "OPTIONS":
        return None
    token = bearer(authorization)
    if token is None:
        return (
            "This mock is started with --token: send `Authorization: Bearer <token>` (the page at / asks for it once)."
        )
    if not token_matches(config.token, token):
        return "Invalid API token."
    return None


def _listed(config: MockConfig) -> list[str]:
    return [] if config.cors_origin == "*" else [o.lower() for o in config.cors_origin.split(",")]


def allowed_origin(config: MockConfig, path: str, origin: str | None) -> str | None:
    """The `Access-Control-Allow-Origin` value for a request from `origin`, or None for none.

    `/unified/*`: `*` under the default, else the origin when listed. Everything else: the origin
    only when `--cors-origin` names it; `*` never applies there (the page is same-origin)."""
    if is_api(path) and config.cors_origin == "*":
        return "*"
    if origin is None or origin.lower() not in _listed(config):
        return None
    return origin


def cors_headers(
    config: MockConfig, path: str, origin: str | None, method: str, request_headers: str = ""
) -> dict[str, str]:
    """The CORS headers of an answer to `method path` from `origin` (empty when that origin may not
    read it). For `OPTIONS` (a preflight) also the methods and request headers allowed, and how long
    the browser may cache that: any request header it asks for (tracing, framework headers), since a
    dev mock has no reason to refuse one."""
    allow = allowed_origin(config, path, origin)
    if allow is None:
        return {}
    headers = {"Access-Control-Allow-Origin": allow, "Access-Control-Expose-Headers": EXPOSED_HEADERS}
    if allow != "*":
        headers["Vary"] = "Origin"
    if method.upper() == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        if request_headers and set(request_headers) <= _HEADER_LIST_CHARS:
            headers["Access-Control-Allow-Headers"] = request_headers
        headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return headers


def cross_site_problem(
    config: MockConfig, method: str, path: str, host: str, origin: str | None, fetch_site: str | None
) -> str | None:
    """Why a write to a `/__mock__/` route is refused as coming from a page on another site (a 403),
    or None.

    Browsers send `Origin` with every cross-origin write and `Sec-Fetch-Site` with every request;
    a page may write only from the mock's own origin or one named with `--cors-origin`. A client
    that sends neither (curl, scripts, the pytest plugin) is not a browser page and passes."""
    if method.upper() not in MUTATING_METHODS or not path.startswith(ADMIN_PREFIX):
        return None
    if origin is not None and origin.lower() in _listed(config):
        return None
    if fetch_site in ("cross-site", "same-site"):
        return _refusal(origin or f"a {fetch_site} page")
    if origin is not None and not _same_origin(origin, host):
        return _refusal(origin)
    return None


def _same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc.lower() == host.lower()


def _refusal(origin: str) -> str:
    return (
        f"Refused a write to the mock's admin routes from another site ({origin}); a page may change "
        "the mock only from its own origin or one named with --cors-origin."
    )


def guard_summary(config: MockConfig) -> str:
    """One line for the banner: what the token guards and who may call the admin routes cross-origin."""
    if config.token is None:
        guarded = "no token needed: /unified/* takes any bearer token and /__mock__/* none (--token to guard both)"
    else:
        open_paths = ", ".join(sorted(OPEN_PATHS))
        guarded = f"token required on /unified/* and /__mock__/* (the page asks for it once); open: {open_paths}"
    admin = "none (the page is same-origin)" if config.cors_origin == "*" else config.cors_origin
    return f"{guarded}; admin CORS: {admin}"
