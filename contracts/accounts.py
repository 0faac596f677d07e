"""The integrated account: one id type and one account type for every layer.

`AccountId` is the one parser for an account id a person gives (the gate's and the recorder's
`--account` and `--accounts-file`, a data folder's `accounts.json`): any spelling `uuid.UUID`
accepts (upper case, no hyphens, braces, a `urn:uuid:` prefix) becomes the canonical lowercase
hyphenated form, which is what is sent, stored and reported. Anything else is refused with one
line. The mock's own query rule (`A-account-uuid-400`) is `is_query_form`: the hyphenated form in
any case, nothing looser; the personal-data replacer keeps such values with `UUID_TEXT`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["UUID_TEXT", "Account", "AccountId", "AccountIdError", "is_query_form"]

UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
"""The hyphenated UUID form in any case (the form an `integrated_account_id` takes in a query)."""


class AccountIdError(ValueError):
    """Not an account id; the message names the value and the form expected."""


class AccountId(str):
    """An integrated account id in its canonical form (lowercase, hyphenated UUID).

    `AccountId(text)` parses: AccountIdError for anything `uuid.UUID` does not accept. A distinct
    type so that an id and a provider name (both text) cannot be swapped silently.

    Args:
        text: the id in any spelling `uuid.UUID` accepts (an `AccountId` is returned as it is).
    """

    __slots__ = ()

    def __new__(cls, text: Any) -> AccountId:
        if isinstance(text, AccountId):
            return text
        if not isinstance(text, str):
            raise AccountIdError(f"an account id must be a string, got {text!r}")
        try:
            canonical = str(uuid.UUID(text.strip()))
        except ValueError:
            raise AccountIdError(
                f"{text!r} is not a UUID (an integrated account id, e.g. 00000000-0000-4000-8000-000000000001)"
            ) from None
        return super().__new__(cls, canonical)


def is_query_form(text: str) -> bool:
    """True when `text` is what the mock takes as `integrated_account_id` (assumption
    `A-account-uuid-400`: the hyphenated UUID form, any case).

    Args:
        text: the `integrated_account_id` as sent.
    """
    return UUID_TEXT.match(text) is not None


@dataclass(frozen=True)
class Account:
    """One integrated account: its id, its provider, a label for people (unique within a run), and
    in a data folder the file holding its records (empty: `<provider>_interviews.json`)."""

    id: AccountId
    """The integrated account id; text is parsed (AccountIdError), so any spelling becomes canonical."""
    provider: str
    """The registered provider behind it (`ceipal`, `pinpoint`)."""
    label: str = ""
    """A name for people in reports and the mock's page; empty: none."""
    records: str = ""
    """In a data folder, the file of its records, relative to the folder; empty: the default name."""

    def __post_init__(self) -> None:
        if not isinstance(self.id, AccountId):
            object.__setattr__(self, "id", AccountId(self.id))

    @property
    def records_file(self) -> str:
        """The data folder's file of its records: `records`, or `<provider>_interviews.json`."""
        return self.records or f"{self.provider}_interviews.json"

    def to_json(self) -> dict[str, str]:
        """The entry as `accounts.json` and the mock's `/__mock__/accounts` show it."""
        return {"id": self.id, "provider": self.provider, "label": self.label}
