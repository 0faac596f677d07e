"""The first requests of a run, before anything is counted: is there a Truto API at the URL, does it
take the token, does it know the account, is the account of the provider it was given as, and does
it have the interview ids given with `--id`. A "no" is a configuration mistake (exit 2, one line),
never a contract violation; an unavailable server is neither (the checks will error, exit 3).

**Wrong provider.** An account given as Ceipal that is really a Pinpoint account breaks nearly every
check. It is told apart from a Ceipal account that breaks the contract by a unanimity rule over the
first page: the account *looks like* the other provider when the page holds at least one interview
and *every* interview on it shows evidence of the other provider and none of the declared one.
Evidence of a provider is a field only that provider fills (the seed's field table: `candidate`,
`organizer`, `interviewers`, `location` for Ceipal; `start_at`, `end_at`, `status` for Pinpoint)
or a `remote_data` that only that provider's mapping reads. One odd field (a Ceipal record with a
`status`), or odd records among normal ones, leaves the declared evidence in place, so it is
reported as the violation it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.accounts import Account
from contracts.fields import FIELDS
from contracts.live.body import other_page
from contracts.live.fetched import Fetched
from contracts.live.masking import mask_userinfo
from contracts.params import LIST_PATH
from contracts.providers import PROVIDERS, provider_module, providers_filling


def _only() -> dict[str, frozenset[str]]:
    """Per provider: the fields only it fills (read at each use: the registry may grow)."""
    return {p: frozenset(f.name for f in FIELDS if providers_filling(f.name) == (p,)) for p in PROVIDERS}


def truto_message(body: Any) -> str | None:
    return body["message"] if isinstance(body, dict) and isinstance(body.get("message"), str) else None


def _content_type(fetched: Fetched) -> str:
    assert fetched.response is not None
    value: str = fetched.response.headers.get("content-type", "")
    return value.split(";")[0].strip()


LOCATION_CHARS = 200
"""Characters of a redirect's `Location` shown (a longer one is cut, with `...`). The client has
masked the token in it already (`ApiClient._send`); a URL's credentials are masked here, before the cut."""


def redirect_to(headers: Mapping[str, str]) -> str:
    """`a redirect to URL` (the answer's `Location`) or `a redirect with no Location header`: what a
    3xx is said as everywhere (probe, checks, recorder). Never followed: the token stays on this host."""
    where = mask_userinfo(str(headers.get("location") or "").strip())  # masked before it is cut
    if not where:
        return "a redirect with no Location header"
    return f"a redirect to {where[:LOCATION_CHARS]}{'...' if len(where) > LOCATION_CHARS else ''}"


def probe_problem(fetched: Fetched, account: Account, base_url: str) -> str | None:
    """Why nothing can be checked on this account (exit 2), or None to go on."""
    if fetched.response is None:
        return f"cannot reach {base_url}: {fetched.error}" if fetched.connect_failed else None
    status = fetched.response.status_code
    if status >= 500 or status == 429:
        return None  # availability: an error of the checks, not of the configuration
    body, unreadable = fetched.json()
    said = f": {message}" if (message := truto_message(body)) else ""
    if status == 401:
        return f"the token was refused (HTTP 401{said})"
    if status == 403:
        return f"the token may not read account {account.label} ({account.id}) (HTTP 403{said})"
    if 300 <= status < 400:
        where = redirect_to(fetched.response.headers)
        return (
            f"GET {LIST_PATH} at {base_url} answered {status}, {where}; redirects are not "
            "followed (the token never goes to another host): give the API's own root as --base-url"
        )
    if status == 200 and unreadable is not None and not other_page(fetched.response):
        return None  # a garbled answer (not JSON, cut short): availability, not configuration
    if unreadable is not None or not isinstance(body, dict):
        shown = _content_type(fetched) or "no content type"
        return f"{base_url} does not look like a Truto API: GET {LIST_PATH} answered {status} ({shown}), not JSON"
    if status == 404:
        return f"account {account.label} ({account.id}) is unknown to {base_url} (HTTP 404{said})"
    if status == 400:  # the first page of a list asks nothing a server may refuse: the account is wrong
        return f"{base_url} refused account {account.label} ({account.id}) on its first request (HTTP 400{said})"
    if status == 200:
        other = looks_like(body.get("result"), account.provider)
        if other is not None:
            return (
                f"account {account.label} ({account.id}) was given as {account.provider} but looks like a "
                f"{other} account (every interview on its first page is shaped as {other}'s); "
                f"give it as --account {other}={account.id}"
            )
    return None


def _maps(provider: str, raw: Mapping[str, Any]) -> bool:
    try:
        provider_module(provider).to_unified(raw)
    except Exception:
        return False
    return True


def evidence(record: Any) -> set[str]:
    """The providers an interview shows signs of (see the module docstring)."""
    if not isinstance(record, Mapping):
        return set()
    found = {p for p, names in _only().items() if any(record.get(n) is not None for n in names)}
    raw = record.get("remote_data")
    if isinstance(raw, Mapping) and raw:
        found |= {p for p in PROVIDERS if _maps(p, raw)}
    return found


def looks_like(records: Any, declared: str) -> str | None:
    """The other provider every record on the page points to (the unanimity rule), or None."""
    if not isinstance(records, list) or not records:
        return None
    signs = [evidence(r) for r in records]
    if any(declared in s for s in signs):
        return None
    others = {p for p in PROVIDERS if p != declared and all(p in s for s in signs)}
    return sorted(others)[0] if len(others) == 1 else None


def id_problem(fetched: Fetched, account: Account, interview_id: str) -> str | None:
    """An `--id` the account does not have (the API answers 404 for it): exit 2 naming it."""
    if fetched.response is None or fetched.response.status_code != 404:
        return None
    body, _ = fetched.json()
    said = f": {message}" if (message := truto_message(body)) else ""
    return f"--id {interview_id!r}: account {account.label} ({account.id}) has no such interview (HTTP 404{said})"


def usable(fetched: Fetched) -> bool:
    """An answer a run can go on from: not a transport failure, a 5xx, a 429 or a garbled 200."""
    status = fetched.status
    garbled = fetched.garbled and fetched.json()[1] is not None
    return status is not None and status < 500 and status != 429 and not (status == 200 and garbled)
