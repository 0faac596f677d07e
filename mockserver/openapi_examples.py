"""The OpenAPI document as this mock serves it: the contract's document plus the running data.

Examples (account ids, interview ids, a response per provider) let fuzzers and mock tools reach real
answers instead of 404s; the cursor pattern says exactly which cursors this server accepts for the
accounts the list operation's examples name (a cursor carries a check value of its account).

OpenAPI cannot say "this filter only for that provider's accounts", so the list operation's account
examples name only accounts whose provider takes every filter; the others are in the get operation's
examples and in the description (with them, an unsupported filter is a 400 naming the supported ones).

With `--null-absent` the interview schemas let every optional field be null, as the mock then sends.
"""

from __future__ import annotations

import copy
from typing import Any

from contracts.openapi import interview_schemas
from contracts.params import GET, LIST
from contracts.providers import filterable_fields, provider_module
from contracts.query import parse_query
from mockserver.paging import CURSOR_PATTERN, cursor_pattern, select_page
from mockserver.render import render_get, render_list
from mockserver.state import MockState

EXAMPLE_PAGE = 2


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    parameter: dict[str, Any] = next(p for p in operation["parameters"] if p["name"] == name)
    return parameter


def served_document(document: dict[str, Any], mock: MockState, base_url: str) -> dict[str, Any]:
    """`document` (the contract's OpenAPI) with this server first and examples from `mock`'s data."""
    out = copy.deepcopy(document)
    out["servers"] = [{"url": base_url, "description": "this mock"}, *out["servers"]]
    get_op = next(op["get"] for path, op in out["paths"].items() if path.endswith("{id}"))
    list_op = next(op["get"] for path, op in out["paths"].items() if not path.endswith("{id}"))
    _parameter(list_op, "next_cursor")["schema"]["pattern"] = CURSOR_PATTERN
    null_absent = mock.config.null_absent
    if null_absent:
        out["components"]["schemas"].update(interview_schemas(null_absent=True))
    every_filter = set(filterable_fields(None))
    takes_every_filter: dict[str, bool] = {
        a.id: set(filterable_fields(a.provider)) >= every_filter for a in mock.store.accounts()
    }
    # accounts whose provider takes every filter first: the list operation's examples are those
    accounts = sorted(mock.store.accounts(), key=lambda a: (not takes_every_filter[a.id], a.provider, a.id))
    if not accounts:
        return out
    account_examples = {f"{a.provider}-{a.id[:8]}": {"summary": a.label or a.provider, "value": a.id} for a in accounts}
    get_examples: dict[str, Any] = {}
    list_examples: dict[str, Any] = {}
    id_examples: dict[str, Any] = {}
    for account in accounts:
        records = mock.store.records(account.id)
        key = f"{account.provider}-{account.id[:8]}"
        query = parse_query(f"integrated_account_id={account.id}&limit={EXAMPLE_PAGE}", endpoint=LIST)
        page = select_page(records, query, provider_module(account.provider).default_page_size)
        list_examples[key] = {
            "summary": f"a {account.provider} page",
            "value": render_list(page, query, account, null_absent=null_absent),
        }
        if records:
            first = records[0]
            id_examples[key] = {"summary": f"a {account.provider} interview of {account.id}", "value": first.id}
            one = parse_query(f"integrated_account_id={account.id}", endpoint=GET)
            get_examples[key] = {
                "summary": f"a {account.provider} interview",
                "value": render_get(first, one, account, null_absent=null_absent),
            }
    list_accounts = {f"{a.provider}-{a.id[:8]}": account_examples[f"{a.provider}-{a.id[:8]}"] for a in accounts}
    list_accounts = {key: value for key, value in list_accounts.items() if takes_every_filter[value["value"]]}
    listed = list_accounts or account_examples
    _parameter(list_op, "next_cursor")["schema"]["pattern"] = cursor_pattern([e["value"] for e in listed.values()])
    for operation, examples in ((get_op, account_examples), (list_op, listed)):
        parameter = _parameter(operation, "integrated_account_id")
        parameter.pop("example", None)
        parameter["examples"] = examples
        others = ", ".join(f"{a.id} ({a.provider})" for a in accounts)
        parameter["description"] += f" This mock's accounts: {others}."
    if id_examples:
        parameter = _parameter(get_op, "id")
        parameter.pop("example", None)
        parameter["examples"] = id_examples
    for operation, examples in ((get_op, get_examples), (list_op, list_examples)):
        if examples:
            operation["responses"]["200"]["content"]["application/json"]["examples"] = examples
    return out
