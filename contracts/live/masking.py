"""Secrets out of every line the live commands print or write: the API token wherever it appears,
and the credentials part (`user:password@`) of any URL, which is often a token too."""

from __future__ import annotations

import re
from typing import Any, AnyStr

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s@'\"]*@")
MASK = "[REDACTED]"
MIN_SECRET = 4
"""A token shorter than this is not masked (it would blank ordinary text), nor a shorter prefix of it."""


def mask_userinfo(text: str) -> str:
    """`http://user:secret@host` -> `http://[REDACTED]@host`, anywhere in `text`."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)


class SecretMasker:
    """Replaces the token, and any URL's credentials, wherever they would appear in output."""

    def __init__(self, secret: str) -> None:
        self.secret = secret if len(secret) >= MIN_SECRET else ""

    def __call__(self, text: str) -> str:
        text = mask_userinfo(text)
        return text.replace(self.secret, MASK) if self.secret else text


def _masked(data: AnyStr, token: AnyStr, mask: AnyStr) -> AnyStr:
    data = data.replace(token, mask) if token in data else data
    for size in range(min(len(token), len(data)) - 1, MIN_SECRET - 1, -1):
        if data.endswith(token[:size]):
            return data[:-size] + mask
    return data


def mask_bytes(data: bytes, secret: str) -> bytes:
    """`data` (an answer's body) with `secret` replaced, and a tail that is the secret's start (a body
    the server cut short mid-token) masked too. The client masks every answer so as it arrives: what
    is later cut from it for a report, a snippet or a message holds no part of the token (mask first,
    then cut)."""
    return _masked(data, secret.encode(), MASK.encode()) if len(secret) >= MIN_SECRET else data


def mask_text(text: str, secret: str) -> str:
    """`mask_bytes` for text (a header's value)."""
    return _masked(text, secret, MASK) if len(secret) >= MIN_SECRET else text


def scrub(value: Any, secret: str) -> Any:
    """`value` (parsed JSON) with `secret` replaced wherever it occurs: in any string, as any key, at
    any depth. What the recorder writes passes through here whatever `--no-redact` says: an API that
    echoes the token inside its records must not put it on disk."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, MASK) if secret in value else value
    if isinstance(value, dict):
        return {scrub(k, secret): scrub(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secret) for v in value]
    return value
