"""What generated data is drawn from, shared by the mock's data set and the Hypothesis strategies
(which may not import each other): Faker's locales and the places an interview is held.

Plain data, no Faker import, so the contract floor stays light.
"""

from __future__ import annotations

from typing import Any

FAKER_LOCALES: tuple[str, ...] = ("en_US", "de_DE", "fr_FR", "es_ES", "ja_JP")
"""Locales generated texts (names, addresses, titles) come from; the first is what examples shrink to."""

MEETING_LOCATIONS: tuple[str, ...] = ("Zoom", "Microsoft Teams", "Google Meet", "Phone screen")
"""Online meeting places an interview `location` may name (otherwise a street address)."""


def street_location(fake: Any) -> str:
    """An in-person `location`: a street address and city from a Faker instance."""
    return f"{fake.street_address()}, {fake.city()}"
