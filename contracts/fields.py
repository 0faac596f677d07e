"""The unified interview field table: the one machine-readable copy of the seed's response body.

Everything else (JSON Schema, OpenAPI, the checker, the mock's mappings, the strategies) reads this
table; a field's type is written here and nowhere else. Which providers fill a field is each
provider's own fact (`Provider.fills` in `contracts/providers/`): ask `contracts.providers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    """The JSON shape of a field's value."""

    STRING = "string"
    """A string."""
    DATETIME = "date-time"
    """An RFC 3339 date-time string."""
    ENUM = "enum"
    """One of the field's `enum` values."""
    REF = "ref"
    """An object `{"id": string}`."""
    REF_LIST = "ref-list"
    """An array of `{"id": string}`."""
    OBJECT = "object"
    """A free-form JSON object (`remote_data`)."""


@dataclass(frozen=True)
class Field:
    """One top-level field of a unified interview, as the seed documents it."""

    name: str
    """The field's name in a unified interview, e.g. `start_at`."""
    kind: Kind
    """The JSON shape of its value."""
    description: str
    """The seed's description (the schema's `description`)."""
    required: bool = False
    """Every interview has it (only `id`); other fields are absent when the provider has no value."""
    enum: tuple[str, ...] = ()
    """For an `ENUM` field, the values it takes, in the seed's order."""
    ref_description: str = ""
    """For a `REF`/`REF_LIST` field, the seed's description of the nested `id`."""
    filterable: bool = False
    """The list endpoint documents `<name>[gt|gte|lt|lte]` filters on it (for the providers whose
    `filters` name it)."""
    basis: str = "D-seed-fields"
    """What the field's name, type and format stand on (an id of `contracts.basis`)."""


STATUS_VALUES: tuple[str, ...] = ("draft", "scheduled", "cancelled", "awaiting_feedback", "completed")
"""The values `status` takes, as the seed lists them."""

FIELDS: tuple[Field, ...] = (
    Field("id", Kind.STRING, "The interview's unique identifier", required=True),
    Field(
        "application",
        Kind.REF,
        "The interview's application",
        ref_description="Unique identifier of the application",
    ),
    Field(
        "candidate",
        Kind.REF,
        "The interview's candidate",
        ref_description="Unique identifier of the candidate",
    ),
    Field(
        "job_interview_stage",
        Kind.REF,
        "The interview's job interview stage",
        ref_description="Unique identifier of the job_interview_stage",
    ),
    Field(
        "organizer",
        Kind.REF,
        "The interview's organizer",
        ref_description="Unique identifier of the user",
    ),
    Field(
        "interviewers",
        Kind.REF_LIST,
        "The interview's interviewers",
        ref_description="Unique identifier of the user",
    ),
    Field("location", Kind.STRING, "The interview's location"),
    Field("start_at", Kind.DATETIME, "The interview's start date", filterable=True),
    Field("end_at", Kind.DATETIME, "The interview's end date", filterable=True),
    Field("status", Kind.ENUM, "The interview's status", enum=STATUS_VALUES),
    Field(
        "created_at",
        Kind.DATETIME,
        "The date and time of the interview's creation",
        filterable=True,
    ),
    Field(
        "updated_at",
        Kind.DATETIME,
        "The date and time of the interview's last update",
    ),
    Field("remote_data", Kind.OBJECT, "Raw data returned from the remote API call."),
)
"""The unified interview's fields in the seed's order: the one table the schema, the checker, the mock
and the strategies read."""

FIELD_BY_NAME: MappingProxyType[str, Field] = MappingProxyType({f.name: f for f in FIELDS})
"""`FIELDS` by name (read-only)."""
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
