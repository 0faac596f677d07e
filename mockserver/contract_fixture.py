"""The `truto_contract` helper and the `truto_target` description used by the pytest plugin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.checker import ADDITIVE_RULE, Violation
from contracts.live.accounts import AccountError, parse_account_args
from contracts.responses import Exchange, check_response


@dataclass(frozen=True)
class Target:
    """An API to test against. The token is kept out of `repr` so it never lands in a report."""

    base_url: str
    token: str = field(repr=False)
    accounts: Mapping[str, str]  # provider -> integrated account id
    is_mock: bool

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}


def parse_accounts(values: Iterable[str]) -> dict[str, str]:
    """`PROVIDER=UUID` strings -> {provider: uuid}; a pytest.UsageError for a malformed one or for
    a provider given twice (the fixture maps each provider to one account)."""
    import pytest

    try:
        entries = parse_account_args(list(values), option="--truto-account")
    except AccountError as exc:
        raise pytest.UsageError(str(exc)) from None
    out: dict[str, str] = {}
    for provider, account_id, _ in entries:
        if provider in out:
            raise pytest.UsageError(f"--truto-account gives {provider} twice; the fixture takes one per provider")
        out[provider] = account_id
    return out


class ContractViolation(AssertionError):
    """A response broke the contract; the message lists every violation."""


class ContractChecker:
    """Checks responses (httpx or requests) against the contract, given the request that produced them."""

    def __init__(self, account_providers: Mapping[str, str], *, strict_fields: bool = False) -> None:
        self._providers = dict(account_providers)  # integrated account id -> provider
        self.strict_fields = strict_fields

    def violations(
        self, response: Any, *, provider: str | None = None, strict_fields: bool | None = None
    ) -> list[Violation]:
        """The contract violations of `response` (an httpx.Response or requests.Response).

        A field the contract does not name is an additive change, not a violation (Truto adds
        fields, and customers extend the unified model), unless `strict_fields` (per call, else the
        checker's own setting)."""
        url = str(response.request.url)
        exchange = Exchange.from_url(url, provider=provider, accounts=self._providers)
        found = check_response(response.status_code, dict(response.headers), response.content, exchange)
        strict = self.strict_fields if strict_fields is None else strict_fields
        return found if strict else [v for v in found if v.rule != ADDITIVE_RULE]

    def check(self, response: Any, *, provider: str | None = None, strict_fields: bool | None = None) -> None:
        """Raise ContractViolation (an AssertionError) listing each violation, if there is any;
        `strict_fields=True` makes fields the contract does not name violations too."""
        found = self.violations(response, provider=provider, strict_fields=strict_fields)
        if found:
            request = response.request
            lines = "\n".join(f"  - {v}" for v in found)
            raise ContractViolation(
                f"{request.method} {request.url} -> {response.status_code} breaks the contract:\n{lines}"
            )
