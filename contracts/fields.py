"""The unified interview field table: the one machine-readable copy of the seed's response body.

Everything else (JSON Schema, OpenAPI, the checker, the mock's mappings, the strategies) reads this
table; a field's type or its providers are written here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

PROVIDERS: tuple[str, ...] = ("ceipal", "pinpoint")
"""Integrations the seed lists as supporting `GET /unified/ats/interviews/{id}`."""

CEIPAL, PINPOINT = PROVIDERS


class Kind(StrEnum):
    """The JSON shape of a field's value."""

    STRING = "string"
    DATETIME = "date-time"
    ENUM = "enum"
    REF = "ref"  # an object {"id": string}
    REF_LIST = "ref-list"  # an array of {"id": string}
    OBJECT = "object"  # a free-form JSON object (remote_data)


@dataclass(frozen=True)
class Field:
    """One top-level field of a unified interview, as the seed documents it."""

    name: str
    kind: Kind
    description: str
    providers: frozenset[str]
    required: bool = False
    enum: tuple[str, ...] = ()
    ref_description: str = ""
    filterable: frozenset[str] = frozenset()
    """Providers whose list endpoint accepts `<name>[gt|gte|lt|lte]` filters on this field."""
    basis: str = "D-seed-fields"
    """What the field's name, type and format stand on (an id of `contracts.basis`)."""

    def supported_by(self, provider: str | None) -> bool:
        return provider is None or provider in self.providers


_BOTH = frozenset(PROVIDERS)
_CEIPAL = frozenset({CEIPAL})
_PINPOINT = frozenset({PINPOINT})

STATUS_VALUES: tuple[str, ...] = ("draft", "scheduled", "cancelled", "awaiting_feedback", "completed")

FIELDS: tuple[Field, ...] = (
    Field("id", Kind.STRING, "The interview's unique identifier", _BOTH, required=True),
    Field(
        "application",
        Kind.REF,
        "The interview's application",
        _BOTH,
        ref_description="Unique identifier of the application",
    ),
    Field(
        "candidate",
        Kind.REF,
        "The interview's candidate",
        _CEIPAL,
        ref_description="Unique identifier of the candidate",
    ),
    Field(
        "job_interview_stage",
        Kind.REF,
        "The interview's job interview stage",
        _BOTH,
        ref_description="Unique identifier of the job_interview_stage",
    ),
    Field(
        "organizer",
        Kind.REF,
        "The interview's organizer",
        _CEIPAL,
        ref_description="Unique identifier of the user",
    ),
    Field(
        "interviewers",
        Kind.REF_LIST,
        "The interview's interviewers",
        _CEIPAL,
        ref_description="Unique identifier of the user",
    ),
    Field("location", Kind.STRING, "The interview's location", _CEIPAL),
    Field("start_at", Kind.DATETIME, "The interview's start date", _PINPOINT, filterable=_PINPOINT),
    Field("end_at", Kind.DATETIME, "The interview's end date", _PINPOINT, filterable=_PINPOINT),
    Field("status", Kind.ENUM, "The interview's status", _PINPOINT, enum=STATUS_VALUES),
    Field(
        "created_at",
        Kind.DATETIME,
        "The date and time of the interview's creation",
        _BOTH,
        filterable=_BOTH,
    ),
    Field(
        "updated_at",
        Kind.DATETIME,
        "The date and time of the interview's last update",
        _BOTH,
    ),
    Field("remote_data", Kind.OBJECT, "Raw data returned from the remote API call.", _BOTH),
)

FIELD_BY_NAME: MappingProxyType[str, Field] = MappingProxyType({f.name: f for f in FIELDS})
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)


def fields_for(provider: str | None) -> tuple[Field, ...]:
    """The fields `provider` fills (every field when `provider` is None), in table order."""
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}")
    return tuple(f for f in FIELDS if f.supported_by(provider))


def filterable_fields(provider: str | None) -> tuple[str, ...]:
    """Fields the list endpoint can filter on for `provider` (the union when None)."""
    return tuple(f.name for f in FIELDS if f.filterable and (provider is None or provider in f.filterable))
