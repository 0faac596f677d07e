"""RFC 3339 date-times: the one format the unified model promises for every date-time field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_RFC3339 = re.compile(
    r"\d{4}-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))\Z",
    re.ASCII,
)


def is_rfc3339(value: str) -> bool:
    """True for a full RFC 3339 date-time: a date, a time and an offset (`Z` or `±hh:mm`)."""
    match = _RFC3339.match(value)
    if match is None:
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:  # a well-formed string naming an impossible day or hour
        return False
    return True


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time as sent in query filters; naive values are taken as UTC.

    Raises ValueError with a readable message.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def to_rfc3339(moment: datetime) -> str:
    """Format an aware or naive (taken as UTC) datetime as RFC 3339, `Z` for UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
