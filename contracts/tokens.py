"""What makes a bearer token sendable: one rule for the mock's `--token`, the plugin's `--truto-token`,
the gate and the recorder."""

from __future__ import annotations


def token_problem(value: str) -> str | None:
    """Why `value` cannot be sent as a bearer token, or None. HTTP clients (httpx) encode headers as
    ASCII and a bearer token (RFC 6750) is visible ASCII: a space, a control character (a trailing
    newline) or a non-ASCII letter is a pasting mistake, said without echoing the token."""
    if not value.strip():
        return "is only whitespace"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "contains a control character (a trailing newline?)"
    if value != value.strip():
        return "has leading or trailing whitespace"
    if " " in value:
        return "contains a space"
    bad = next((n for n, ch in enumerate(value, start=1) if ord(ch) > 126), None)
    if bad is not None:
        return f"contains characters an HTTP header cannot carry (non-ASCII, character {bad} of {len(value)})"
    return None
