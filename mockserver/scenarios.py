"""Per-request scenarios chosen by the client with a `Prefer` header, in the spirit of Prism's:

    Prefer: code=429                 Truto's own rate limit (Retry-After, ratelimit-* headers)
    Prefer: code=503, remote=true    a provider error passed through Truto (truto_is_remote_error)
    Prefer: delay=1500               answer normally, 1.5 s late
    Prefer: code=500, delay=200      both
    Prefer: partial=true             a list marked `is_partial_response: true`

Bodies follow Truto's documented error model (see docs/assumptions.md for the parts assumed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.errors import error_body
from contracts.limits import TRUTO_LIMITS
from contracts.providers import provider_module

TRUTO_CODES: dict[int, str] = {
    401: "Invalid API token.",
    403: "This API token is not allowed to read this integrated account.",
    404: "The requested resource was not found.",
    429: (
        f"Rate limit exceeded: {TRUTO_LIMITS.per_account.requests} requests per"
        f" {TRUTO_LIMITS.per_account.seconds:g} seconds per integrated account."
    ),
    500: "Something went wrong on Truto's side; retry the request.",
    502: "The provider did not give a clean answer; retry the request.",
    503: "The integrated account is blocked.",
}
REMOTE_CODES: dict[int, str] = {
    401: "The provider rejected the integrated account's credentials; the account needs re-authentication.",
    403: "The provider refused the request: missing permission to read interviews.",
    404: "The provider has no such interview.",
    409: "The provider reported a conflict.",
    422: "The provider rejected the request as invalid.",
    429: "The provider rate-limited the request.",
    500: "The provider failed.",
    502: "The provider's gateway failed.",
    503: "The provider is unavailable.",
}
MAX_DELAY_MS = 60_000
TRUTO_RETRY_AFTER = int(TRUTO_LIMITS.per_account.seconds)
REMOTE_RETRY_AFTER = 30


@dataclass(frozen=True)
class Scenario:
    code: int | None = None
    remote: bool = False
    delay_ms: int = 0
    partial: bool = False


class ScenarioError(ValueError):
    """A Prefer header the mock does not understand; the message lists what it does."""


def valid_scenarios() -> str:
    truto = ", ".join(f"code={c}" for c in TRUTO_CODES)
    remote = ", ".join(str(c) for c in REMOTE_CODES)
    return f"{truto}; code=<{remote}>, remote=true; delay=<0-{MAX_DELAY_MS}>; partial=true"


def parse_prefer(header: str | None) -> Scenario:
    """Read a Prefer header; ScenarioError for anything unknown (never silently ignored)."""
    if not header or not header.strip():
        return Scenario()
    if not header.isascii() or not header.isprintable():  # e.g. a raw byte \xff, read as latin-1
        shown = header.encode("unicode_escape").decode()
        raise ScenarioError(f"Prefer must be printable ASCII, got `{shown}`; valid: {valid_scenarios()}")
    values: dict[str, str] = {}
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or key not in ("code", "remote", "delay", "partial") or key in values:
            raise ScenarioError(f"unknown scenario {part.strip()!r} in Prefer; valid: {valid_scenarios()}")
        values[key] = value.strip()
    code = _int(values, "code")
    delay = _int(values, "delay") or 0
    remote = values.get("remote", "false").lower()
    if remote not in ("true", "false"):
        raise ScenarioError(f"remote must be true or false, got {values['remote']!r}; valid: {valid_scenarios()}")
    if remote == "true" and code not in REMOTE_CODES:
        raise ScenarioError(f"remote=true needs code=<{', '.join(map(str, REMOTE_CODES))}>; valid: {valid_scenarios()}")
    if remote == "false" and code is not None and code not in TRUTO_CODES:
        raise ScenarioError(f"unknown scenario code={code}; valid: {valid_scenarios()}")
    if not 0 <= delay <= MAX_DELAY_MS:
        raise ScenarioError(f"delay must be 0-{MAX_DELAY_MS} ms, got {delay}; valid: {valid_scenarios()}")
    partial = values.get("partial", "false").lower()
    if partial not in ("true", "false"):
        raise ScenarioError(f"partial must be true or false, got {values['partial']!r}; valid: {valid_scenarios()}")
    return Scenario(code, remote == "true", delay, partial == "true")


def _int(values: dict[str, str], key: str) -> int | None:
    if key not in values:
        return None
    text = values[key]
    if not text.isascii() or not text.isdigit():
        raise ScenarioError(f"{key} must be a whole number, got {text!r}; valid: {valid_scenarios()}")
    return int(text)


def rate_limit_headers(limit: int, remaining: int, reset: int, *, retry: bool = True) -> dict[str, str]:
    """Truto's normalised rate-limit headers (`Retry-After` too when `retry`: on a 429)."""
    headers = {
        "ratelimit-limit": f"{limit};w={TRUTO_LIMITS.per_account.seconds:g}",
        "ratelimit-remaining": str(max(remaining, 0)),
        "ratelimit-reset": str(reset),
    }
    return {"Retry-After": str(reset), **headers} if retry else headers


def scenario_error(scenario: Scenario, provider: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, body, headers) of the error a scenario asks for."""
    assert scenario.code is not None
    code = scenario.code
    if not scenario.remote:
        headers = rate_limit_headers(TRUTO_LIMITS.per_account.requests, 0, TRUTO_RETRY_AFTER) if code == 429 else {}
        return code, error_body(code, TRUTO_CODES[code]), headers
    message = REMOTE_CODES[code]
    raw = provider_module(provider).remote_error_body(code, message) if provider else {"message": message}
    # Every remote error carries `remote_error` (Truto's published insight for a provider's error),
    # beside a more specific insight where Truto documents one.
    insight: dict[str, Any] = {"remote_error": {"description": message, "value": {"status": code}}}
    headers = {}
    if code == 429:
        insight["rate_limit_error"] = {"description": message, "value": {"retry_after": REMOTE_RETRY_AFTER}}
        headers = rate_limit_headers(100, 0, REMOTE_RETRY_AFTER)
    elif code == 403:
        insight["forbidden_error"] = {"description": message, "value": {"missing_scopes": ["interviews:read"]}}
    body = error_body(code, message, truto_is_remote_error=True, raw_response=raw, truto_error_insight=insight)
    return code, body, headers
