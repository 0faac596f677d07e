"""Schemathesis hooks for the mock's (and the contract's) OpenAPI document:
`SCHEMATHESIS_HOOKS=mockserver.schemathesis_hooks st run http://127.0.0.1:8000/openapi.json ...`.

Each 200 in the document is typed as the default format's body, so type generators give exact types;
the other `truto_response_format` bodies (and `truto_key_by`'s) are named beside it, in
`x-truto-response-formats` and `x-truto-key-by`. Schemathesis does not read those extensions: this
hook makes each 200 accept any of the named bodies, so every format is checked against its own schema
instead of being reported as not matching the default one.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from contracts.openapi import KEY_BY_KEY, RESPONSE_FORMATS_KEY


def every_format(document: dict[str, Any]) -> None:
    """Make each 200 that names its formats accept the body of any of them (in place)."""
    for item in document.get("paths", {}).values():
        ok = item.get("get", {}).get("responses", {}).get("200", {})
        if RESPONSE_FORMATS_KEY not in ok:
            continue
        bodies = [entry["schema"] for entry in ok[RESPONSE_FORMATS_KEY].values()]
        bodies += [ok[KEY_BY_KEY]["schema"]] if KEY_BY_KEY in ok else []
        ok["content"]["application/json"]["schema"] = {"anyOf": list({str(b): b for b in bodies}.values())}


@schemathesis.hook
def before_load_schema(ctx: Any, raw_schema: dict[str, Any]) -> None:
    every_format(raw_schema)
