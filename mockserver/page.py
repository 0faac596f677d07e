"""The page at `/` for the person at the keyboard: faults, accounts, scenarios, the live journal and a
page of interviews per account, with links onward.

Its size does not grow with the data: at most `ACCOUNTS_PER_PAGE` accounts and `INTERVIEWS_PER_PAGE`
interviews of each are shown, with links to the next ones. With `--token` the page at `/` is a shell
that holds no data: its script asks for the token once, keeps it in the tab's session storage and
loads the same panel from `/__mock__/page` with it (a request that carries the token gets the data at
`/` directly).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, render_template, request
from markupsafe import Markup

from contracts.accounts import Account
from contracts.params import LIST_PATH, RESPONSE_FORMATS
from mockserver.adapter import current_state as state
from mockserver.config import DEV_TOKEN
from mockserver.core import ApiError
from mockserver.guard import guard_problem
from mockserver.scenarios import REMOTE_CODES, TRUTO_CODES

page = Blueprint("truto_mock_page", __name__, template_folder="templates")
INTERVIEWS_PER_PAGE = 20
"""Interviews shown per account; the rest are a link away."""
ACCOUNTS_PER_PAGE = 20
"""Integrated accounts shown at once; the rest are a link away."""
JOURNAL_ROWS = 50
"""Journal entries shown (the JSON at /__mock__/requests has all the journal keeps)."""


def _try_link(path: str, query: dict[str, str], prefer: str = "") -> str:
    """A link to /__mock__/try, which sends the request with a token (a plain link cannot)."""
    params = {"path": f"{path}?{urlencode(query)}", **({"prefer": prefer} if prefer else {})}
    return f"/__mock__/try?{urlencode(params)}"


def _offset(name: str) -> int:
    text = request.args.get(name, "0")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ApiError(400, f"`{name}` must be a whole number of rows to skip, got {text!r}.")
    return int(text)


def _page_link(**params: str | int) -> str:
    return "/?" + urlencode({k: v for k, v in params.items() if v})


def _account_view(account: Account, base: str, token_shown: str, offset: int, accounts_from: int) -> dict[str, Any]:
    records = state().store.records(account.id)
    shown = records[offset : offset + INTERVIEWS_PER_PAGE]
    scope = {"integrated_account_id": account.id}
    here: dict[str, str | int] = {"accounts": accounts_from, "account": account.id}
    return {
        "account": account,
        "count": len(records),
        "offset": offset,
        "shown": len(shown),
        "next": _page_link(**here, offset=offset + INTERVIEWS_PER_PAGE)
        if offset + INTERVIEWS_PER_PAGE < len(records)
        else None,
        "previous": _page_link(**here, offset=max(offset - INTERVIEWS_PER_PAGE, 0)) if offset else None,
        "list_links": {
            fmt: _try_link(LIST_PATH, {**scope, "truto_response_format": fmt, "limit": "5"}) for fmt in RESPONSE_FORMATS
        },
        "interviews": [
            {
                "id": record.id,
                "links": {
                    fmt: _try_link(f"{LIST_PATH}/{quote(record.id, safe='')}", {**scope, "truto_response_format": fmt})
                    for fmt in RESPONSE_FORMATS
                },
            }
            for record in shown
        ],
        "curl": f'curl -H "Authorization: Bearer {token_shown}" "{base}{LIST_PATH}?{urlencode(scope)}&limit=2"',
    }


def _scenario_links(account: Account | None) -> list[dict[str, str]]:
    if account is None:
        return []
    scope: dict[str, str] = {"integrated_account_id": account.id}
    prefers = [f"code={code}" for code in TRUTO_CODES] + [f"code={code}, remote=true" for code in REMOTE_CODES]
    prefers.append("delay=1500")
    return [{"label": prefer, "href": _try_link(LIST_PATH, scope, prefer)} for prefer in prefers]


def _panel() -> dict[str, Any]:
    """What the page shows, for the current query (`accounts`, `account`, `offset`)."""
    mock = state()
    base = request.host_url.rstrip("/")
    token_shown = "$TRUTO_MOCK_TOKEN" if mock.config.token else DEV_TOKEN
    accounts_from, offset = _offset("accounts"), _offset("offset")
    paged = request.args.get("account", "").lower()
    everyone = mock.store.accounts()
    accounts = everyone[accounts_from : accounts_from + ACCOUNTS_PER_PAGE]
    faults = mock.faults.settings
    return {
        "accounts": [
            _account_view(a, base, token_shown, offset if a.id.lower() == paged else 0, accounts_from) for a in accounts
        ],
        "accounts_total": len(everyone),
        "accounts_from": accounts_from,
        "accounts_next": _page_link(accounts=accounts_from + ACCOUNTS_PER_PAGE)
        if accounts_from + ACCOUNTS_PER_PAGE < len(everyone)
        else None,
        "accounts_previous": _page_link(accounts=max(accounts_from - ACCOUNTS_PER_PAGE, 0)) if accounts_from else None,
        "scenarios": _scenario_links(accounts[0] if accounts else None),
        "journal": [e.to_json() for e in mock.journal.entries()[:JOURNAL_ROWS]],
        "faults": faults.to_json(),
        "faults_on": faults.describe(),
        "base": base,
        "data_problems": mock.data_problems,
    }


@page.get("/")
def index() -> str:
    """The page: with the data, or (with --token, for a request without it) a shell that asks for it."""
    mock = state()
    authorization = request.headers.get("Authorization", "")
    shell = mock.config.token is not None and (
        not authorization or guard_problem(mock.config, "GET", "/__mock__/page", authorization) is not None
    )
    panel = None if shell else Markup(render_template("panel.html", **_panel()))  # rendered with escaping
    return render_template(
        "index.html",
        guarded=mock.config.token is not None,
        panel=panel,
        base=request.host_url.rstrip("/"),
        null_absent=mock.config.null_absent,
    )


@page.get("/__mock__/page")
def panel() -> str:
    """The page's data as an HTML fragment (guarded like every /__mock__/ route): what the page's
    script loads with the token."""
    return render_template("panel.html", **_panel())
