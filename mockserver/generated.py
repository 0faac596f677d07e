"""A provider's generated records, made with Faker from what its description declares
(`Provider.generated`: value kinds and ranges, see `contracts.providers._generation`).

A record is built as unified values first and turned into a raw record with the provider's
`from_unified` (plus its raw-only `extras`), so it maps back exactly and stays inside the
provider's coverage. Each call depends only on the Faker instance's seed and the record's index.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from contracts.fields import FIELD_BY_NAME, Kind
from contracts.providers import Ids, Moment, Provider, Text, TextKind, Value
from contracts.samples import MEETING_LOCATIONS, street_location

if TYPE_CHECKING:  # Faker is imported when data is generated, not when accounts are listed
    from faker import Faker

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
"""Generated dates spread around this day (each `Moment` without `after` says how far)."""
OFFSETS = (0, 1, 2, -5, -8, 5.5, 9)
"""UTC offsets (hours) a zoned `Moment` is written in."""
TITLE_KINDS = ("Phone screen", "Technical interview", "Panel", "Entretien")
_ABSENT = object()


class _Record:
    """The values made so far for one record: a later `Moment` or `Text` may follow an earlier one."""

    def __init__(self, fake: Faker, index: int) -> None:
        self.fake = fake
        self.index = index
        self.moments: dict[str, datetime] = {}
        self.values: dict[str, Any] = {}

    def make(self, name: str, spec: Value, kind: Kind | None) -> Any:
        if isinstance(spec, Ids):
            return self._ids(spec, kind)
        if isinstance(spec, Moment):
            return self._moment(name, spec)
        return self._text(spec)

    def _ids(self, spec: Ids, kind: Kind | None) -> Any:
        def one() -> str:
            return str(self.fake.random_int(spec.low, spec.high))

        if kind is Kind.REF:
            return {"id": one()}
        if kind is Kind.REF_LIST:
            return [{"id": one()} for _ in range(self.fake.random_int(*spec.count))]
        return one()

    def _moment(self, name: str, spec: Moment) -> str:
        moment = self.moments[spec.after] if spec.after is not None else ANCHOR
        moment += timedelta(days=self.fake.random_int(*spec.days))
        if spec.on_the_hour:
            moment = moment.replace(minute=0, second=0, microsecond=0)
        if spec.minute_choices:
            moment += timedelta(minutes=self.fake.random_element(spec.minute_choices))
        elif spec.minutes != (0, 0):
            moment += timedelta(minutes=self.fake.random_int(*spec.minutes))
        if spec.zoned:
            moment = moment.astimezone(timezone(timedelta(hours=self.fake.random_element(OFFSETS))))
        self.moments[name] = moment
        return moment.strftime(spec.date_format) if spec.date_format else moment.isoformat()

    def _text(self, spec: Text) -> Any:
        if spec.absent_every and self.index % spec.absent_every == spec.absent_every - 1:
            return _ABSENT
        if spec.per is not None:
            return [self._one_text(spec.kind) for _ in self.values.get(spec.per, ())]
        return self._one_text(spec.kind)

    def _one_text(self, kind: TextKind) -> str:
        if kind is TextKind.NAME:
            return str(self.fake.name())
        if kind is TextKind.TITLE:
            return f"{self.fake.random_element(TITLE_KINDS)} — {self.fake.name()}"
        return self.fake.random_element(MEETING_LOCATIONS) if self.index % 2 else street_location(self.fake)


def generated_record(provider: Provider, fake: Faker, index: int) -> dict[str, Any]:
    """The `index`-th generated raw record of `provider` (its id counts from `generated.first_id`).

    Args:
        provider: the provider's description.
        fake: a Faker instance, seeded by the caller.
        index: the record's position: enum fields take each value in turn by it.
    """
    spec = provider.generated
    record = _Record(fake, index)
    unified = record.values
    unified["id"] = str(spec.first_id + index)
    for f in provider.fields:
        if f.kind is Kind.ENUM:
            unified[f.name] = f.enum[index % len(f.enum)]
    for name, value in spec.fields.items():
        made = record.make(name, value, FIELD_BY_NAME[name].kind)
        if made is not _ABSENT:
            unified[name] = made
    extras = {}
    for name, value in spec.extras.items():
        made = record.make(name, value, None)
        if made is not _ABSENT:
            extras[name] = made
    return provider.from_unified(dict(unified), extras)
