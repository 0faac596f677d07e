"""Where Truto's API lives, as one fact: the OpenAPI document's server, the host `truto_respx`
answers, and the host whose published limits the gate applies before any header is seen."""

from __future__ import annotations

TRUTO_API_HOST = "api.truto.one"
"""Truto's API host (base URL `https://api.truto.one`, HTTPS only) [T-intro]."""

TRUTO_BASE_URL = f"https://{TRUTO_API_HOST}"
"""Truto's API root: requests go to `{TRUTO_BASE_URL}/unified/ats/interviews`."""
