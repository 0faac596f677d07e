"""The integrated accounts a client of the API works on: from `--account PROVIDER=UUID` and from an
accounts file (a JSON list of `{"id", "provider", "label"?}`, other keys ignored: the shape of the
mock's `/__mock__/accounts` and of a data folder's `accounts.json`). Ids go through the one parser,
`contracts.accounts.AccountId` (any UUID spelling, kept in the canonical form)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from contracts.accounts import Account, AccountId, AccountIdError
from contracts.jsontext import load_json_file
from contracts.providers import PROVIDERS

__all__ = ["Account", "AccountError", "label_accounts", "parse_account_args", "read_accounts_file"]

Entry = tuple[str, AccountId, str | None]
"""(provider, id, label or None) before labels are given."""


class AccountError(ValueError):
    """An account given wrongly; the message names the option or file and the bad value."""


def _check(provider: Any, account_id: Any, where: str) -> tuple[str, AccountId]:
    if provider not in PROVIDERS:
        raise AccountError(f"{where}: unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")
    try:
        return provider, AccountId(account_id)
    except AccountIdError as exc:
        raise AccountError(f"{where}: {exc}") from None


def parse_account_args(values: Iterable[str], option: str = "--account") -> list[Entry]:
    """`PROVIDER=UUID` strings -> (provider, id, label None), in order; AccountError for a bad one."""
    out: list[Entry] = []
    for value in values:
        provider, sep, account_id = value.partition("=")
        if not sep or not account_id or provider.strip() not in PROVIDERS:
            raise AccountError(f"{option} takes PROVIDER=UUID, PROVIDER one of {', '.join(PROVIDERS)}; got {value!r}")
        out.append((*_check(provider.strip(), account_id.strip(), f"{option} {value}"), None))
    return out


def read_accounts_file(path: str | Path) -> list[Entry]:
    """(provider, id, label) from a JSON list of objects; AccountError saying what is wrong."""
    data, problem = load_json_file(path, str(path))
    if problem is not None:
        raise AccountError(problem)
    if not isinstance(data, list):
        raise AccountError(f'{path} must hold a JSON list of {{"id", "provider", "label"?}} objects')
    out: list[Entry] = []
    for index, item in enumerate(data):
        where = f"{path} item {index}"
        if not isinstance(item, dict):
            raise AccountError(f'{where} must be an object with "id" and "provider"')
        provider, account_id = _check(item.get("provider"), item.get("id"), where)
        label = item.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise AccountError(f'{where}: "label" must be a non-empty string, got {label!r}')
        out.append((provider, account_id, label.strip() if isinstance(label, str) else None))
    return out


def label_accounts(entries: Sequence[Entry]) -> list[Account]:
    """Give each account its label: the one given, else the provider, `-2`, `-3`... for repeats.

    The same account id twice (however spelled), or two accounts under one label, is an
    AccountError (never merged).
    """
    twice = sorted(k for k, n in Counter(account_id for _, account_id, _ in entries).items() if n > 1)
    if twice:
        raise AccountError(f"account {twice[0]} is given more than once")
    counts: Counter[str] = Counter()
    accounts: list[Account] = []
    for provider, account_id, label in entries:
        if label is None:
            counts[provider] += 1
            label = provider if counts[provider] == 1 else f"{provider}-{counts[provider]}"
        accounts.append(Account(account_id, provider, label))
    labels = Counter(a.label for a in accounts)
    clash = sorted(k for k, n in labels.items() if n > 1)
    if clash:
        raise AccountError(f'two accounts are labelled {clash[0]!r}; give each a distinct "label"')
    return accounts
