"""RFC 3339 date-times: the one format the unified model promises for every date-time field."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, datetime

# The shape is a plain pattern (fast); the ranges are fixed-position string comparisons after it.
_SHAPE = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)\Z", re.ASCII)


def is_rfc3339(value: str) -> bool:
    """True for a full RFC 3339 date-time: a date, a time and an offset (`Z` or `±hh:mm`)."""
    if _SHAPE.match(value) is None:
        return False
    month, day = value[5:7], value[8:10]
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return False
    if not (value[11:13] <= "23" and value[14:16] <= "59" and value[17:19] <= "60"):
        return False
    if value[-1] not in "Zz" and not (value[-5:-3] <= "23" and value[-2:] <= "59"):
        return False
    return day <= "28" or int(day) <= monthrange(int(value[:4]), int(month))[1]


_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z", re.ASCII)


def parse_rfc3339(value: str) -> datetime:
    """Parse what `is_rfc3339` accepts (lowercase `t`/`z` too). A leap second (`23:59:60`) is read as
    the last microsecond of its minute, so it still sorts after :59 and before the next minute."""
    if not is_rfc3339(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    text = value.upper()
    leap = text[17:19] == "60"
    if leap:
        text = text[:17] + "59" + text[19:]
    parsed = datetime.fromisoformat(text)
    return parsed.replace(microsecond=999_999) if leap else parsed


def parse_filter_value(value: str) -> datetime:
    """A date filter's value, as the OpenAPI document describes it: an RFC 3339 date-time, or a full
    date (`2026-01-01`, midnight UTC; Truto documents ISO 8601 dates in queries). Nothing else: no
    space for `T`, no date-time without an offset (its time zone would be a guess)."""
    if _DATE.match(value):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date") from None
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an RFC 3339 date-time (2026-01-01T00:00:00Z) or a date (2026-01-01)"
        ) from None


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
