"""Pinpoint: raw JSON:API interview resources and their mapping to the unified model.

Confirmed: Pinpoint speaks JSON:API (`{data: {id, type, attributes, relationships}}`, numeric string ids,
`+00:00` offsets, `page[number]`/`page[size]` paging). ASSUMED (see docs/assumptions.md): the path
`/api/v1/interviews`, the type `interviews`, attribute names `start_at`, `end_at`, `status`,
`created_at`, `updated_at`, `title`, relationship names `application`, `interview_stage`,
`interviewers`, and that Pinpoint's status vocabulary is the unified one.

| raw path                                    | unified field            |
|---------------------------------------------|--------------------------|
| `id`                                        | `id`                     |
| `relationships.application.data.id`         | `application.id`         |
| `relationships.interview_stage.data.id`     | `job_interview_stage.id` |
| `attributes.start_at` / `end_at`            | `start_at` / `end_at`    |
| `attributes.status`                         | `status`                 |
| `attributes.created_at` / `updated_at`      | `created_at` / `updated_at` |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.datetimes import is_rfc3339
from contracts.errors import reason_phrase
from contracts.fields import STATUS_VALUES
from contracts.providers._generation import Generated, Ids, Moment, Text, TextKind
from contracts.providers._mapping import MappingError, Problems, optional_text, ref
from contracts.providers._provider import Provider, page_count, page_number

RESOURCE_TYPE = "interviews"
STATUS_MAP: dict[str, str] = {value: value for value in STATUS_VALUES}
"""Pinpoint status -> unified status. ASSUMED identical vocabularies."""


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise MappingError(f"{key} must be an object, got {type(value).__name__}")
    return value


def _jsonapi_id(resource: Mapping[str, Any], where: str) -> str:
    """JSON:API resource ids are strings (JSON:API 1.1, section 7.2), so an integer id is refused."""
    value = resource.get("id")
    if not isinstance(value, str) or not value:
        raise MappingError(f"{where}id must be a non-empty string (JSON:API ids are strings), got {value!r}")
    return value


def _relationship_id(relationships: Mapping[str, Any], name: str) -> str | None:
    rel = relationships.get(name)
    if rel is None:
        return None
    if not isinstance(rel, Mapping):
        raise MappingError(f"relationships.{name} must be an object")
    data = rel.get("data")
    if data is None:  # JSON:API: {"meta": {"included": false}} or {"data": null}
        return None
    if not isinstance(data, Mapping):
        raise MappingError(f"relationships.{name}.data must be a resource identifier")
    return _jsonapi_id(data, f"relationships.{name}.data.")


def _datetime(attributes: Mapping[str, Any], key: str) -> str | None:
    value = attributes.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not is_rfc3339(value):
        raise MappingError(f"attributes.{key} must be an ISO 8601 date-time with an offset, got {value!r}")
    return value


def _status(attributes: Mapping[str, Any]) -> str | None:
    value = attributes.get("status")
    if value is None:
        return None
    if not isinstance(value, str) or value not in STATUS_MAP:
        raise MappingError(f"attributes.status {value!r} is not one of {', '.join(STATUS_MAP)}")
    return STATUS_MAP[value]


def _to_unified(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Map one raw Pinpoint interview resource to the unified interview (without `remote_data`)."""
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Pinpoint interview must be an object, got {type(raw).__name__}")
    problems = Problems()
    if raw.get("type") != RESOURCE_TYPE:
        problems.note(f"type must be {RESOURCE_TYPE!r}, got {raw.get('type')!r}")
    attributes = problems.read(_section, raw, "attributes") or {}
    relationships = problems.read(_section, raw, "relationships") or {}
    problems.read(optional_text, attributes, "title", "attributes.")
    return problems.result(
        {
            "id": problems.read(_jsonapi_id, raw, ""),
            "application": ref(problems.read(_relationship_id, relationships, "application")),
            "job_interview_stage": ref(problems.read(_relationship_id, relationships, "interview_stage")),
            "start_at": problems.read(_datetime, attributes, "start_at"),
            "end_at": problems.read(_datetime, attributes, "end_at"),
            "status": problems.read(_status, attributes),
            "created_at": problems.read(_datetime, attributes, "created_at"),
            "updated_at": problems.read(_datetime, attributes, "updated_at"),
        }
    )


def _from_unified(unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the raw JSON:API resource that maps to `unified` (the inverse of `_to_unified`).

    `extras` fills raw-only attributes Truto does not map (e.g. `title`).
    """

    def relationship(name: str, resource_type: str) -> dict[str, Any]:
        value = unified.get(name)
        if not isinstance(value, Mapping):
            return {"data": None}
        return {"data": {"type": resource_type, "id": value["id"]}}

    attributes = {
        **dict(extras or {}),
        **{key: unified[key] for key in ("start_at", "end_at", "status", "created_at", "updated_at") if key in unified},
    }
    return {
        "id": unified["id"],
        "type": RESOURCE_TYPE,
        "attributes": attributes,
        "relationships": {
            "application": relationship("application", "applications"),
            "interview_stage": relationship("job_interview_stage", "interview_stages"),
            "interviewers": {"meta": {"included": False}},
        },
    }


def _paging_query(*, offset: int, limit: int) -> dict[str, str]:
    return {"page[number]": str(page_number(offset, limit)), "page[size]": str(limit)}


def _raw_list_body(raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any:
    return {"data": list(raws), "meta": {"total_count": total, "page_count": page_count(total, limit)}}


def _records_from_raw_body(body: Any, endpoint: str) -> list[Any]:
    if not isinstance(body, Mapping) or "data" not in body:
        raise MappingError("a raw Pinpoint response must be a JSON:API document with `data`")
    data = body["data"]
    if endpoint == "get":
        return [data]
    if not isinstance(data, list):
        raise MappingError("a raw Pinpoint list response must have a `data` array")
    return list(data)


def _remote_error_body(status: int, message: str) -> Any:
    """A JSON:API error document (shape from a third-party spec; unverified)."""
    return {"errors": [{"status": str(status), "title": reason_phrase(status), "detail": message}]}


PROVIDER = Provider(
    name="pinpoint",
    fills=frozenset(
        {"id", "application", "job_interview_stage", "start_at", "end_at", "status", "created_at", "updated_at"}
        | {"remote_data"}
    ),
    filters=frozenset({"start_at", "end_at", "created_at"}),
    base_url="https://example.pinpointhq.com",
    get_path_template="/api/v1/interviews/{id}",
    list_path="/api/v1/interviews",
    default_page_size=100,  # Pinpoint `page[size]` default (third-party spec)
    response_headers={"content-type": "application/vnd.api+json"},
    request_headers={"X-API-KEY": "[REDACTED]", "Accept": "application/vnd.api+json"},
    to_unified=_to_unified,
    reads={
        "id": "id",
        "type": None,
        "attributes.title": None,
        "attributes.start_at": "start_at",
        "attributes.end_at": "end_at",
        "attributes.status": "status",
        "attributes.created_at": "created_at",
        "attributes.updated_at": "updated_at",
        "relationships.application.data.id": "application",
        "relationships.interview_stage.data.id": "job_interview_stage",
    },
    from_unified=_from_unified,
    paging_query=_paging_query,
    raw_get_body=lambda raw: {"data": raw},
    raw_list_body=_raw_list_body,
    records_from_raw_body=_records_from_raw_body,
    remote_error_body=_remote_error_body,
    raw_basis="A-pinpoint-raw-shape",
    generated=Generated(
        first_id=500,
        fields={
            "application": Ids(200, 999),
            "job_interview_stage": Ids(30, 40),
            "created_at": Moment(days=(-400, 150), minutes=(0, 1439)),
            "start_at": Moment(after="created_at", days=(1, 40), on_the_hour=True, zoned=True),
            "end_at": Moment(after="start_at", minute_choices=(30, 45, 60, 90)),
            "updated_at": Moment(after="created_at", minutes=(0, 9_000)),
        },
        extras={"title": Text(TextKind.TITLE)},
    ),
    example={
        "id": "412",
        "type": "interviews",
        "attributes": {
            "start_at": "2025-03-10T14:00:00+00:00",
            "end_at": "2025-03-10T15:00:00+00:00",
            "status": "scheduled",
            "created_at": "2025-03-01T09:25:04+00:00",
            "updated_at": "2025-03-02T09:25:05+00:00",
        },
        "relationships": {
            "application": {"data": {"type": "applications", "id": "238"}},
            "interview_stage": {"data": {"type": "interview_stages", "id": "31"}},
        },
    },
)
