"""Strategies for unified interviews and raw provider records, built from the field table.

Each field's strategy follows its kind (string, date-time, enum, reference, list of references), so a
field added to `contracts.fields` is generated without touching this module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contracts.fields import Field, Kind
from contracts.providers import PROVIDERS, Ids, Moment, Provider, TextKind, Value, fields_for, provider_module
from contracts.samples import MEETING_LOCATIONS
from strategies._args import check_bool, check_fields, check_provider
from strategies._faker import faker_indices, faker_pool
from strategies._named import as_call

Draw = Callable[[st.SearchStrategy[Any]], Any]
_ZONES = tuple(timezone(timedelta(minutes=m)) if m else UTC for m in (0, 60, 120, -300, -480, 330, 540, 345, -210))
_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 21 * 365 * 86_400  # 2015 to 2035
_TIMESPECS = ("seconds", "milliseconds", "microseconds")
_FRACTIONS = (None, st.integers(0, 999), st.integers(0, 999_999))
_UNITS = (0, 1000, 1)
# Every (zone, precision, "Z" instead of +00:00) that writes differently: one draw picks the style,
# and no draw is spent on a choice that changes nothing (that would repeat examples).
_STYLES = tuple(
    (zone, precision, zulu)
    for precision in range(len(_TIMESPECS))
    for zone in range(len(_ZONES))
    for zulu in ((False, True) if zone == 0 else (False,))
)
_STAMPS = st.integers(0, (_SPAN_SECONDS + 1) * len(_STYLES) - 1)
"""A second from 2015 to 2035 and a style, in one draw (every draw costs; few draws, fast examples)."""
_ID_NUMBERS = st.integers(1, 10**9)
_LIST_SIZES = st.integers(0, 5)
_FAKER_INDEX = faker_indices()
_IN_PERSON = st.booleans()
_MEETING_INDEX = st.integers(0, len(MEETING_LOCATIONS) - 1)
_DAYS = st.integers(0, 7_000)


def _format_datetime(seconds: int, micros: int, zone: int, precision: int, zulu: bool) -> str:
    moment = (_EPOCH + timedelta(seconds=seconds, microseconds=micros)).astimezone(_ZONES[zone])
    text = moment.isoformat(timespec=_TIMESPECS[precision])
    return text[:-6] + "Z" if zulu and text.endswith("+00:00") else text


def _draw_datetime(draw: Draw) -> str:
    seconds, style = divmod(draw(_STAMPS), len(_STYLES))
    zone, precision, zulu = _STYLES[style]
    fraction = _FRACTIONS[precision]
    micros = draw(fraction) * _UNITS[precision] if fraction is not None else 0
    return _format_datetime(seconds, micros, zone, precision, zulu)


@st.composite
def _datetimes(draw: Draw) -> str:
    return _draw_datetime(draw)


def datetimes_rfc3339() -> st.SearchStrategy[str]:
    """RFC 3339 date-times from 2015 to 2035, varying in offset (Z, +hh:mm, -hh:mm) and precision
    (seconds, milliseconds, microseconds). Shrinks toward 2015-01-01T00:00:00+00:00."""
    return _datetimes()


RAW_ID_MIN = 10**6
"""`raw_interviews` ids start here: above every id of the built-in data (412-416, 500-, 9001-9004, 9100-)."""


def _raw_ids() -> st.SearchStrategy[str]:
    return st.integers(RAW_ID_MIN, 10**9).map(str)


def _draw_id(draw: Draw) -> str:
    return str(draw(_ID_NUMBERS))


def _draw_ref(draw: Draw) -> dict[str, str]:
    return {"id": _draw_id(draw)}


def _draw_location(draw: Draw) -> str:
    if draw(_IN_PERSON):
        return faker_pool("location")[draw(_FAKER_INDEX)]
    return MEETING_LOCATIONS[draw(_MEETING_INDEX)]


Drawer = Callable[[Draw], Any]


def _drawer(f: Field) -> Drawer:
    """How one field's value is drawn, by its kind (fewer nested strategies: faster examples)."""
    if f.kind is Kind.DATETIME:
        return _draw_datetime
    if f.kind is Kind.ENUM:
        index = st.integers(0, len(f.enum) - 1)
        return lambda draw: f.enum[draw(index)]
    if f.kind is Kind.REF:
        return _draw_ref
    if f.kind is Kind.REF_LIST:
        return lambda draw: [_draw_ref(draw) for _ in range(draw(_LIST_SIZES))]
    if f.name == "location":
        return _draw_location
    return _draw_id


Extras = Callable[[Draw, dict[str, Any]], dict[str, Any]]


def _extra_drawer(spec: Value) -> Callable[[Draw, dict[str, Any]], Any]:
    """How one raw-only key the provider declares (`Provider.generated.extras`) is drawn."""
    if isinstance(spec, Ids):
        numbers = st.integers(spec.low, spec.high)
        return lambda draw, unified: str(draw(numbers))
    if isinstance(spec, Moment):
        if spec.date_format is not None:
            fmt = spec.date_format
            return lambda draw, unified: (_EPOCH + timedelta(days=draw(_DAYS))).strftime(fmt)
        return lambda draw, unified: _draw_datetime(draw)
    pool = {TextKind.NAME: "name", TextKind.TITLE: "title"}.get(spec.kind)
    if pool is None:
        return lambda draw, unified: _draw_location(draw)
    texts = pool
    if spec.per is None:
        return lambda draw, unified: faker_pool(texts)[draw(_FAKER_INDEX)]
    per = spec.per

    def each(draw: Draw, unified: dict[str, Any]) -> list[str]:
        count = len(unified.get(per, []))
        values = faker_pool(texts)
        first = draw(_FAKER_INDEX) if count else 0
        return [values[(first + k) % len(values)] for k in range(count)]

    return each


def _extras_for(provider: Provider) -> Extras:
    """The raw-only keys `provider` declares, drawn (names for a list field follow its length)."""
    drawers = [(name, _extra_drawer(spec)) for name, spec in provider.generated.extras.items()]
    return lambda draw, unified: {name: drawer(draw, unified) for name, drawer in drawers}


def _raw_for(
    provider: str, *, ids: st.SearchStrategy[str] | None = None, raw: bool = True
) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(unified values without remote_data, the raw record built from them plus raw-only keys, or
    None when `raw` is False).

    One draw says which optional fields are present (shrinking toward none); only present fields
    and used raw-only keys are drawn, so distinct draws give distinct examples.
    """
    module = provider_module(provider)
    extras = _extras_for(module)
    fields = [f for f in fields_for(provider) if f.kind is not Kind.OBJECT]
    required = [(f.name, _drawer(f)) for f in fields if f.required]
    if ids is not None:
        given = ids
        required = [(name, (lambda draw: draw(given)) if name == "id" else drawer) for name, drawer in required]
    optional = [(f.name, _drawer(f)) for f in fields if not f.required]
    presence = st.integers(0, 2 ** len(optional) - 1)

    @st.composite
    def build(draw: Draw) -> tuple[dict[str, Any], dict[str, Any] | None]:
        unified = {name: drawer(draw) for name, drawer in required}
        present = draw(presence)
        for bit, (name, drawer) in enumerate(optional):
            if present >> bit & 1:
                unified[name] = drawer(draw)
        return unified, module.from_unified(unified, extras(draw, unified)) if raw else None

    return build()


def raw_interviews(*, provider: str, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Raw interview records as `provider` returns them (Ceipal snake_case, Pinpoint JSON:API resources).

    Every record maps, through `contracts.provider_module(provider).to_unified`, to an interview that
    passes `validate_interview`. Records shrink toward few optional values and small ids.

    Args:
        provider: a registered provider (required: the raw shapes differ).
        ids: a strategy of id strings; None: drawn from 1,000,000 up, outside the built-in data's ids,
            so `add_records` never meets one of those.

    Raises:
        InvalidArgument: when an argument is bad (Hypothesis' error, naming it), at once.
    """
    check_provider(provider, required=True)
    if ids is not None and not isinstance(ids, st.SearchStrategy):
        raise InvalidArgument(f"ids must be a strategy of id strings (e.g. st.sampled_from(['1', '2'])), got {ids!r}")
    strategy = _raw_for(provider, ids=ids if ids is not None else _raw_ids()).map(_second)
    return as_call(raw_interviews, strategy, provider=provider, ids=ids)


def _second(pair: tuple[dict[str, Any], dict[str, Any] | None]) -> dict[str, Any]:
    assert pair[1] is not None
    return pair[1]


def _interviews_for(provider: str, excluded: frozenset[str], ignore_remote_data: bool) -> st.SearchStrategy[Any]:
    def assemble(pair: tuple[dict[str, Any], dict[str, Any] | None]) -> dict[str, Any]:
        unified, raw = pair
        out = dict(unified)
        if raw is not None:
            out["remote_data"] = raw
        for name in excluded:
            out.pop(name, None)
        return out

    return _raw_for(provider, raw=not ignore_remote_data).map(assemble)


def interviews(
    *,
    provider: str | None = None,
    exclude_fields: Iterable[str] = (),
    ignore_remote_data: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Unified interviews that pass `contracts.validate_interview` with the same arguments.

    Only the provider's fields appear (a drawn provider when `provider` is None); optional fields are
    sometimes absent; `remote_data` is a raw record that maps back to the same interview. Date-times
    vary in offset and precision, texts come from Faker (several locales). Examples shrink toward
    fewer optional fields, small ids and the first enum value.

    Args:
        provider: a registered provider; None: drawn for each example.
        exclude_fields: field names to leave out (as `truto_exclude_fields` does).
        ignore_remote_data: leave out `remote_data` (as `truto_ignore_remote_data` does).

    Raises:
        InvalidArgument: when an argument is bad (Hypothesis' error, naming it), at once.
    """
    check_provider(provider)
    excluded = check_fields(exclude_fields)
    check_bool("ignore_remote_data", ignore_remote_data)
    if provider is not None:
        strategy = _interviews_for(provider, excluded, ignore_remote_data)
    else:
        strategy = st.sampled_from(PROVIDERS).flatmap(lambda name: _interviews_for(name, excluded, ignore_remote_data))
    shown_excluded = exclude_fields if isinstance(exclude_fields, Collection) else tuple(sorted(excluded))
    return as_call(
        interviews, strategy, provider=provider, exclude_fields=shown_excluded, ignore_remote_data=ignore_remote_data
    )
