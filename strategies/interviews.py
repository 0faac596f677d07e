"""Strategies for unified interviews and raw provider records, built from the field table.

Each field's strategy follows its kind (string, date-time, enum, reference, list of references), so a
field added to `contracts.fields` is generated without touching this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from contracts.fields import PROVIDERS, Field, Kind, fields_for
from contracts.providers import provider_module
from contracts.samples import MEETING_LOCATIONS, street_location
from strategies._args import check_bool, check_fields, check_provider
from strategies._faker import FakerSeed, faker_seeds, faker_values, with_faker
from strategies._named import as_call

_ZONES = tuple(timezone(timedelta(minutes=m)) if m else UTC for m in (0, 60, 120, -300, -480, 330, 540, 345, -210))
_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 21 * 365 * 86_400  # 2015 to 2035
_TIMESPECS = ("seconds", "milliseconds", "microseconds")


def _format_datetime(seconds: int, micros: int, zone: int, precision: int, zulu: bool) -> str:
    moment = (_EPOCH + timedelta(seconds=seconds, microseconds=micros)).astimezone(_ZONES[zone])
    text = moment.isoformat(timespec=_TIMESPECS[precision])
    return text[:-6] + "Z" if zulu and text.endswith("+00:00") else text


def datetimes_rfc3339() -> st.SearchStrategy[str]:
    """RFC 3339 date-times from 2015 to 2035, varying in offset (Z, +hh:mm, -hh:mm) and precision
    (seconds, milliseconds, microseconds). Shrinks toward 2015-01-01T00:00:00+00:00."""
    return st.builds(
        _format_datetime,
        st.integers(0, _SPAN_SECONDS),
        st.integers(0, 999_999),
        st.integers(0, len(_ZONES) - 1),
        st.integers(0, len(_TIMESPECS) - 1),
        st.booleans(),
    )


def _ids() -> st.SearchStrategy[str]:
    return st.integers(1, 10**9).map(str)


def _locations() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(MEETING_LOCATIONS),
        faker_values(street_location),
    )


def _field_strategy(f: Field) -> st.SearchStrategy[Any]:
    reference = _ids().map(lambda value: {"id": value})
    if f.kind is Kind.DATETIME:
        return datetimes_rfc3339()
    if f.kind is Kind.ENUM:
        return st.sampled_from(f.enum)
    if f.kind is Kind.REF:
        return reference
    if f.kind is Kind.REF_LIST:
        return st.lists(reference, max_size=5)
    if f.name == "location":
        return _locations()
    return _ids()


def _unified_values(provider: str) -> st.SearchStrategy[dict[str, Any]]:
    """Unified fields the provider fills, without remote_data; optional fields sometimes absent."""
    fields = [f for f in fields_for(provider) if f.kind is not Kind.OBJECT]
    return st.fixed_dictionaries(
        {f.name: _field_strategy(f) for f in fields if f.required},
        optional={f.name: _field_strategy(f) for f in fields if not f.required},
    )


def _pinpoint_extras(unified: dict[str, Any], seed: FakerSeed, job: str, day: int) -> dict[str, Any]:
    return {"title": with_faker(seed, lambda fake: fake.catch_phrase())}


def _ceipal_extras(unified: dict[str, Any], seed: FakerSeed, job: str, day: int) -> dict[str, Any]:
    count = len(unified.get("interviewers", []))
    return {
        "job_id": job,
        "interview_date": (_EPOCH + timedelta(days=day)).strftime("%m/%d/%Y"),
        "interviewer_names": with_faker(seed, lambda fake: [fake.name() for _ in range(count)]),
    }


_EXTRAS = {"ceipal": _ceipal_extras, "pinpoint": _pinpoint_extras}


def _raw_for(provider: str) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    """(unified values, the raw record built from them with Faker-filled raw-only keys)."""
    module = provider_module(provider)
    extras = _EXTRAS[provider]

    def build(unified: dict[str, Any], seed: FakerSeed, job: str, day: int) -> tuple[dict[str, Any], dict[str, Any]]:
        return unified, module.from_unified(unified, extras(unified, seed, job, day))

    return st.builds(build, _unified_values(provider), faker_seeds(), _ids(), st.integers(0, 7_000))


def raw_interviews(*, provider: str) -> st.SearchStrategy[dict[str, Any]]:
    """Raw interview records as `provider` returns them (Ceipal snake_case, Pinpoint JSON:API resources).

    Every record maps, through `contracts.provider_module(provider).to_unified`, to an interview that
    passes `validate_interview`. Records shrink toward few optional values and small ids.
    """
    check_provider(provider, required=True)
    return as_call(raw_interviews, _raw_for(provider).map(lambda pair: pair[1]), provider=provider)


def _interviews_for(provider: str, excluded: frozenset[str], ignore_remote_data: bool) -> st.SearchStrategy[Any]:
    def assemble(pair: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        unified, raw = pair
        out = dict(unified)
        if not ignore_remote_data:
            out["remote_data"] = raw
        for name in excluded:
            out.pop(name, None)
        return out

    return _raw_for(provider).map(assemble)


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
