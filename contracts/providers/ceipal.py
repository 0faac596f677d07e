"""Ceipal ATS: raw interview records and their mapping to the unified model.

ASSUMED (no public source names Ceipal's interview endpoint or fields; see docs/assumptions.md):
the path `/v1/getInterviewsList/` and `/v1/getInterviewDetails/{id}/`, and every raw key below. The
names follow Ceipal's snake_case applicant/job conventions and Truto's supported-field list:

| raw key              | unified field            |
|----------------------|--------------------------|
| `id`                 | `id`                     |
| `submission_id`      | `application.id`         |
| `applicant_id`       | `candidate.id`           |
| `interview_round`    | `job_interview_stage.id` |
| `scheduled_by`       | `organizer.id`           |
| `interviewers[].id`  | `interviewers[].id`      |
| `interview_location` | `location`               |
| `created_at`         | `created_at`             |
| `modified`           | `updated_at`             |

`interview_date`, `job_id` and `created_by` exist in the raw record but Truto maps none of them.
Ceipal timestamps are `YYYY-MM-DD HH:MM:SS` and ASSUMED to be UTC; the mapping writes RFC 3339.
A raw list response is ASSUMED to be `{count, num_pages, page_number, limit, results}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from contracts.datetimes import to_rfc3339
from contracts.providers._generation import Generated, Ids, Moment, Text, TextKind
from contracts.providers._mapping import MappingError, Problems, optional_text, record_id, ref, required_text
from contracts.providers._provider import Provider, page_count, page_number

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def _timestamp(moment: datetime) -> str:
    """Format a datetime the way Ceipal writes its timestamps (UTC, no offset)."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _datetime(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MappingError(f"{key} must be a '{TIMESTAMP_FORMAT}' string, got {value!r}")
    try:
        parsed = datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise MappingError(f"{key} {value!r} does not match '{TIMESTAMP_FORMAT}'") from None
    return to_rfc3339(parsed)


def _interviewers(raw: Mapping[str, Any], problems: Problems) -> list[dict[str, str]] | None:
    value = raw.get("interviewers")
    if value is None:
        return None
    if not isinstance(value, list):
        raise MappingError(f"interviewers must be a list, got {type(value).__name__}")
    out = []
    for index, person in enumerate(value):
        if not isinstance(person, Mapping):
            problems.note(f"interviewers[{index}] must be an object, got {person!r}")
            continue
        person_id = problems.read(required_text, person, "id", f"interviewers[{index}].")
        if person_id is not None:
            out.append({"id": person_id})
    return out


def _to_unified(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Map one raw Ceipal interview to the unified interview (without `remote_data`)."""
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Ceipal interview must be an object, got {type(raw).__name__}")
    if "attributes" in raw or "relationships" in raw:
        raise MappingError("this looks like a JSON:API resource (Pinpoint), not a Ceipal interview record")
    problems = Problems()
    return problems.result(
        {
            "id": problems.read(record_id, raw),
            "application": ref(problems.read(optional_text, raw, "submission_id", "")),
            "candidate": ref(problems.read(optional_text, raw, "applicant_id", "")),
            "job_interview_stage": ref(problems.read(optional_text, raw, "interview_round", "")),
            "organizer": ref(problems.read(optional_text, raw, "scheduled_by", "")),
            "interviewers": problems.read(_interviewers, raw, problems),
            "location": problems.read(optional_text, raw, "interview_location", ""),
            "created_at": problems.read(_datetime, raw, "created_at"),
            "updated_at": problems.read(_datetime, raw, "modified"),
        }
    )


def _from_unified(unified: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the raw Ceipal record that maps to `unified` (the inverse of `_to_unified`).

    `extras` fills raw-only keys Truto does not map (`job_id`, `interview_date`, interviewer names).
    Dates are written in Ceipal's format, so offsets and fractions of a second are normalised to UTC.
    """
    extra = dict(extras or {})
    names = extra.pop("interviewer_names", [])

    def ref_id(name: str) -> Any:
        value = unified.get(name)
        return value.get("id") if isinstance(value, Mapping) else None

    def ts(name: str) -> str | None:
        value = unified.get(name)
        return None if value is None else _timestamp(datetime.fromisoformat(str(value).replace("Z", "+00:00")))

    interviewers = unified.get("interviewers")
    raw: dict[str, Any] = {
        "id": unified["id"],
        "submission_id": ref_id("application"),
        "applicant_id": ref_id("candidate"),
        "job_id": extra.pop("job_id", None),
        "interview_round": ref_id("job_interview_stage"),
        "scheduled_by": ref_id("organizer"),
        "interviewers": None
        if interviewers is None
        else [
            {"id": person["id"], **({"name": names[i]} if i < len(names) else {})}
            for i, person in enumerate(interviewers)
        ],
        "interview_location": unified.get("location"),
        "interview_date": extra.pop("interview_date", None),
        "created_at": ts("created_at"),
        "modified": ts("updated_at"),
        "created_by": ref_id("organizer"),
    }
    raw.update(extra)
    return raw


def _paging_query(*, offset: int, limit: int) -> dict[str, str]:
    return {"limit": str(limit), "offset": str(offset)}


def _raw_list_body(raws: Sequence[Mapping[str, Any]], *, offset: int, limit: int, total: int) -> Any:
    return {
        "count": total,
        "num_pages": page_count(total, limit),
        "page_number": page_number(offset, limit),
        "limit": limit,
        "results": list(raws),
    }


def _records_from_raw_body(body: Any, endpoint: str) -> list[Any]:
    if endpoint == "get":
        return [body]
    if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
        raise MappingError("a raw Ceipal list response must be an object with a `results` array")
    return list(body["results"])


def _remote_error_body(status: int, message: str) -> Any:
    """ASSUMED: `{"detail": ...}` (v2 uses real HTTP errors)."""
    return {"detail": message, "status_code": status}


PROVIDER = Provider(
    name="ceipal",
    fills=frozenset(
        {
            "id",
            "application",
            "candidate",
            "job_interview_stage",
            "organizer",
            "interviewers",
            "location",
            "created_at",
            "updated_at",
            "remote_data",
        }
    ),
    filters=frozenset({"created_at"}),
    base_url="https://api.ceipal.com",
    get_path_template="/v1/getInterviewDetails/{id}/",
    list_path="/v1/getInterviewsList/",
    default_page_size=20,  # Ceipal v1 default `limit` (max 50) per the HrFlow connector
    response_headers={"content-type": "application/json"},
    request_headers={"Authorization": "Bearer [REDACTED]", "Accept": "application/json"},
    to_unified=_to_unified,
    reads={
        "id": "id",
        "submission_id": "application",
        "applicant_id": "candidate",
        "interview_round": "job_interview_stage",
        "scheduled_by": "organizer",
        "interviewers[].id": "interviewers",
        "interview_location": "location",
        "created_at": "created_at",
        "modified": "updated_at",
    },
    from_unified=_from_unified,
    paging_query=_paging_query,
    raw_get_body=lambda raw: raw,
    raw_list_body=_raw_list_body,
    records_from_raw_body=_records_from_raw_body,
    remote_error_body=_remote_error_body,
    raw_basis="A-ceipal-raw-shape",
    generated=Generated(
        first_id=9100,
        fields={
            "application": Ids(5000, 5999),
            "candidate": Ids(3000, 3999),
            "job_interview_stage": Ids(1, 5),
            "organizer": Ids(10, 99),
            "interviewers": Ids(10, 99, count=(0, 4)),
            "location": Text(TextKind.LOCATION, absent_every=4),  # every fourth interview has none
            "created_at": Moment(days=(-400, 180), minutes=(0, 1439)),
            "updated_at": Moment(after="created_at", minutes=(0, 14_400)),
        },
        extras={
            "job_id": Ids(7000, 7999),
            "interview_date": Moment(after="created_at", days=(1, 30), date_format="%m/%d/%Y"),
            "interviewer_names": Text(TextKind.NAME, per="interviewers"),
        },
    ),
    example={
        "id": "9001",
        "submission_id": "5501",
        "applicant_id": "3301",
        "interview_round": "2",
        "scheduled_by": "12",
        "interviewers": [{"id": "14"}, {"id": "15"}],
        "interview_location": "Zoom",
        "created_at": "2024-11-01 10:15:00",
        "modified": "2024-11-02 09:00:00",
    },
)
