"""Every status the mock answers on the API routes, read from its own tables: the served OpenAPI
document declares them and the coverage report counts them, so a new scenario code reaches both."""

from __future__ import annotations

from types import MappingProxyType

from contracts.errors import STATUS_MEANINGS, reason_phrase
from mockserver.faults import RANDOM_ERROR_CODES
from mockserver.scenarios import REMOTE_CODES, TRUTO_CODES

OWN_STATUSES: MappingProxyType[int, str] = MappingProxyType(
    {
        200: "the answer",
        400: "a query outside the contract, or a `Prefer` header the mock does not know",
        401: "no bearer token, or not the one `--token` asks for",
        404: "no such route, integrated account or interview",
        405: "a method other than GET, HEAD or OPTIONS",
        500: "the mock itself failed (a bug: see its log)",
    }
)
"""The mock's own answers (query, auth, route, account, interview, method, its own failure); the
others come from its scenario and fault tables."""


SERVER_STATUSES: MappingProxyType[int, str] = MappingProxyType(
    {
        408: "the request body did not arrive within `--read-timeout`, or the request head within `--head-timeout`",
        413: "the request body is over the mock's size cap",
        414: "the URL is over the mock's length cap",
        431: "the request headers are over the mock's size cap",
        503: "the mock is stopping and cut the request, or has `--max-connections` open",
    }
)
"""What the served mock's HTTP front (`mockserver.asgi`) answers before a request reaches the core:
declared in the served document, not counted by the coverage report (the plugin's servers never send them)."""


def served_statuses() -> dict[int, str]:
    """Each error status `python -m mockserver` can answer on an API route: the core's and the front's."""
    out = api_error_statuses()
    for code, why in SERVER_STATUSES.items():
        meaning = STATUS_MEANINGS.get(code, reason_phrase(code))
        out[code] = f"{out[code]} Also: {why}." if code in out else f"{meaning} This mock: {why}."
    return dict(sorted(out.items()))


def api_error_statuses() -> dict[int, str]:
    """Each error status the mock can answer on an API route, with what it means (Truto's meaning
    where its error model documents the status, then when the mock sends it)."""
    codes = {s for s in OWN_STATUSES if s >= 400} | set(TRUTO_CODES) | set(REMOTE_CODES) | set(RANDOM_ERROR_CODES)
    out = {}
    for code in sorted(codes):
        how = [OWN_STATUSES[code]] if code in OWN_STATUSES else []
        how += [f"`Prefer: code={code}`"] * (code in TRUTO_CODES)
        how += [f"`Prefer: code={code}, remote=true`"] * (code in REMOTE_CODES)
        how += ["`--error-rate`"] * (code in RANDOM_ERROR_CODES)
        how += ["`--rate-limit-token`, `--rate-limit-account`"] * (code == 429)
        out[code] = f"{STATUS_MEANINGS.get(code, reason_phrase(code))} This mock: {'; '.join(how)}."
    return out
