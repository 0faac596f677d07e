"""The integrated accounts a client of the API works on: from `--account PROVIDER=UUID` and from an
accounts file (a JSON list of `{"id", "provider", "label"?}`, other keys ignored: the shape of the
mock's `/__mock__/accounts` and of a data folder's `accounts.json`)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.jsontext import load_json_file
from contracts.providers import PROVIDERS


class AccountError(ValueError):
    """An account given wrongly; the message names the option or file and the bad value."""


@dataclass(frozen=True)
class Account:
    """One integrated account, reported under `label` (unique within a run)."""

    provider: str
    id: str
    label: str


def _check(provider: Any, account_id: Any, where: str) -> tuple[str, str]:
    if provider not in PROVIDERS:
        raise AccountError(f"{where}: unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")
    if not isinstance(account_id, str):
        raise AccountError(f"{where}: the account id must be a string, got {account_id!r}")
    try:
        uuid.UUID(account_id)
    except ValueError:
        raise AccountError(f"{where}: {account_id!r} is not a UUID (an integrated account id)") from None
    return provider, account_id


def parse_account_args(values: Iterable[str], option: str = "--account") -> list[tuple[str, str, str | None]]:
    """`PROVIDER=UUID` strings -> (provider, id, label None), in order; AccountError for a bad one."""
    out: list[tuple[str, str, str | None]] = []
    for value in values:
        provider, sep, account_id = value.partition("=")
        if not sep or not account_id or provider.strip() not in PROVIDERS:
            raise AccountError(f"{option} takes PROVIDER=UUID, PROVIDER one of {', '.join(PROVIDERS)}; got {value!r}")
        out.append((*_check(provider.strip(), account_id.strip(), f"{option} {value}"), None))
    return out


def read_accounts_file(path: str | Path) -> list[tuple[str, str, str | None]]:
    """(provider, id, label) from a JSON list of objects; AccountError saying what is wrong."""
    data, problem = load_json_file(path, str(path))
    if problem is not None:
        raise AccountError(problem)
    if not isinstance(data, list):
        raise AccountError(f'{path} must hold a JSON list of {{"id", "provider", "label"?}} objects')
    out: list[tuple[str, str, str | None]] = []
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


def label_accounts(entries: Sequence[tuple[str, str, str | None]]) -> list[Account]:
    """Give each account its label: the one given, else the provider, `-2`, `-3`... for repeats.

    The same account id twice, or two accounts under one label, is an AccountError (never merged).
    """
    seen_ids = [account_id.lower() for _, account_id, _ in entries]  # UUIDs compare ignoring case
    twice = sorted(k for k, n in Counter(seen_ids).items() if n > 1)
    if twice:
        raise AccountError(f"account {twice[0]} is given more than once")
    counts: Counter[str] = Counter()
    accounts: list[Account] = []
    for provider, account_id, label in entries:
        if label is None:
            counts[provider] += 1
            label = provider if counts[provider] == 1 else f"{provider}-{counts[provider]}"
        accounts.append(Account(provider, account_id, label))
    labels = Counter(a.label for a in accounts)
    clash = sorted(k for k, n in labels.items() if n > 1)
    if clash:
        raise AccountError(f'two accounts are labelled {clash[0]!r}; give each a distinct "label"')
    return accounts
