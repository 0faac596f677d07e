"""What generated data holds for a provider, as data: kinds of values and their ranges.

A provider module declares, per unified field it fills, how the mock's generated records make that
field's value, and which raw-only keys its records carry (`extras`, passed to `from_unified`). The
floor stays free of Faker and Hypothesis: `mockserver.generate` interprets these specs with Faker,
`strategies` interprets the `extras` with Hypothesis (it draws unified fields by their kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True)
class Ids:
    """Decimal id strings from `low` to `high`: a string field's value, a reference's `{"id"}`, or
    `count` (a range) of references in a list field.

    Args:
        low: the smallest id.
        high: the largest id.
        count: for a list field, how many (from, to); ignored elsewhere.
    """

    low: int
    high: int
    count: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class Moment:
    """A date-time: `days` then `minutes` (each a range) after `after` (another generated field or
    key; None: around the anchor day of generated data).

    Args:
        after: the field or raw key this moment follows, or None.
        days: whole days added, from, to (negative: before).
        minutes: minutes added, from, to.
        minute_choices: instead of `minutes`, one of these.
        on_the_hour: minutes and seconds set to zero before `minute_choices`/`minutes` apply.
        zoned: written in one of several UTC offsets (otherwise UTC).
        date_format: a `strftime` pattern: only the date, written so (a raw-only key such as
            Ceipal's `interview_date`); None: an RFC 3339 date-time.
    """

    after: str | None = None
    days: tuple[int, int] = (0, 0)
    minutes: tuple[int, int] = (0, 0)
    minute_choices: tuple[int, ...] = ()
    on_the_hour: bool = False
    zoned: bool = False
    date_format: str | None = None


class TextKind(StrEnum):
    """Kinds of human text; each interpreter picks values of the kind in several locales."""

    NAME = "name"
    """A person's name."""
    TITLE = "title"
    """A short title of a meeting."""
    LOCATION = "location"
    """Where an interview happens: a street address or a meeting link."""


@dataclass(frozen=True)
class Text:
    """Human text of one kind.

    Args:
        kind: what the text is.
        per: one value for each item of this list field (e.g. a name per interviewer); None: one.
        absent_every: every n-th generated record leaves the field out (0: never).
    """

    kind: TextKind
    per: str | None = None
    absent_every: int = 0


Value = Ids | Moment | Text
"""How one generated value is made."""


@dataclass(frozen=True)
class Generated:
    """What the mock's generated records of a provider hold.

    Args:
        first_id: generated interview ids count up from here (above the hand-written ones).
        fields: unified field -> its value spec. `id` counts from `first_id`, an enum field takes
            each value in turn and `remote_data` is the raw record itself: those need no spec.
        extras: raw-only key -> its value spec: keys the provider's records carry that Truto does
            not map (passed to `from_unified` as `extras`); the strategies add them too.
    """

    first_id: int
    fields: Mapping[str, Value] = field(default_factory=dict)
    extras: Mapping[str, Value] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))
        known: set[str] = set()
        for name, spec in (*self.fields.items(), *self.extras.items()):
            after = spec.after if isinstance(spec, Moment) else spec.per if isinstance(spec, Text) else None
            if after is not None and after not in known:
                raise ValueError(f"generated {name!r} follows {after!r}, which is not generated before it")
            known.add(name)
