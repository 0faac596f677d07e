"""Every checker rule catches a bad payload and passes its good twin, for both providers."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import Violation, validate_interview
from contracts.fields import FIELD_BY_NAME, FIELDS, Kind
from contracts.providers import fills
from tests.conftest import good_interview

VALID_BY_KIND: dict[Kind, Any] = {
    Kind.STRING: "x",
    Kind.DATETIME: "2026-01-01T00:00:00Z",
    Kind.ENUM: "scheduled",
    Kind.REF: {"id": "1"},
    Kind.REF_LIST: [{"id": "1"}],
}


def other_provider_field(provider: str) -> tuple[str, Any]:
    """A field `provider` does not fill (another provider does), with a value valid for the field."""
    name = next(f.name for f in FIELDS if not fills(provider, f.name))
    return name, VALID_BY_KIND[FIELD_BY_NAME[name].kind]


def rules(violations: list[Violation]) -> list[tuple[str, str]]:
    return [(v.pointer, v.rule) for v in violations]


def test_good_interviews_conform(provider: str) -> None:
    assert validate_interview(good_interview(provider), provider=provider) == []
    assert validate_interview(good_interview(provider)) == []  # the union accepts either


def test_absent_supported_fields_are_fine(provider: str) -> None:
    minimal = {"id": "1", "remote_data": {}}
    assert validate_interview(minimal, provider=provider) == []


def test_id_is_required_unless_excluded(provider: str) -> None:
    payload = good_interview(provider)
    del payload["id"]
    assert rules(validate_interview(payload, provider=provider)) == [("/id", "required")]
    assert validate_interview(payload, provider=provider, exclude_fields=["id"]) == []


@pytest.mark.parametrize(
    ("field", "bad", "rule"),
    [
        ("id", 42, "type"),
        ("application", "5501", "type"),
        ("application", {"id": 31}, "type"),
        ("created_at", "2024-11-01", "format"),
        ("created_at", "2024-11-01T10:15:00", "format"),  # no offset
        ("updated_at", "2024-13-01T10:15:00Z", "format"),  # no 13th month
        ("updated_at", 1730000000, "type"),
        ("remote_data", [], "type"),
    ],
)
def test_types_and_formats(provider: str, field: str, bad: Any, rule: str) -> None:
    payload = good_interview(provider)
    payload[field] = bad
    found = rules(validate_interview(payload, provider=provider))
    assert len(found) == 1 and found[0][1] == rule and found[0][0].startswith(f"/{field}")


def test_status_enum_is_case_sensitive() -> None:
    payload = good_interview("pinpoint")
    for good in ("draft", "scheduled", "cancelled", "awaiting_feedback", "completed"):
        assert validate_interview({**payload, "status": good}, provider="pinpoint") == []
    for bad in ("rescheduled", "Scheduled", ""):
        [violation] = validate_interview({**payload, "status": bad}, provider="pinpoint")
        assert violation.rule == "enum" and violation.pointer == "/status"
        assert f"'{bad}' is not one of draft, scheduled" in violation.message


def test_interviewers_are_a_list_of_references() -> None:
    payload = good_interview("ceipal")
    assert validate_interview({**payload, "interviewers": []}, provider="ceipal") == []
    found = validate_interview({**payload, "interviewers": [{"id": "1"}, {"name": "x"}, "7"]}, provider="ceipal")
    assert rules(found) == [
        ("/interviewers/1/id", "required"),
        ("/interviewers/1/name", "unknown-field"),
        ("/interviewers/2", "type"),
    ]
    assert rules(validate_interview({**payload, "interviewers": {"id": "1"}}, provider="ceipal")) == [
        ("/interviewers", "type")
    ]


def test_field_outside_provider_coverage(provider: str) -> None:
    name, value = other_provider_field(provider)
    [violation] = validate_interview({**good_interview(provider), name: value}, provider=provider)
    assert violation.rule == "provider-coverage"
    assert violation.message == f"{provider} does not return `{name}`"
    assert validate_interview({**good_interview(provider), name: value}) == []


def test_excluded_field_present_is_a_violation(provider: str) -> None:
    payload = good_interview(provider)
    [violation] = validate_interview(payload, provider=provider, exclude_fields=["created_at"])
    assert (violation.pointer, violation.rule) == ("/created_at", "excluded-field")
    del payload["created_at"]
    assert validate_interview(payload, provider=provider, exclude_fields=["created_at"]) == []


def test_remote_data_present_unless_ignored_or_excluded(provider: str) -> None:
    payload = good_interview(provider)
    assert rules(validate_interview(payload, provider=provider, ignore_remote_data=True)) == [
        ("/remote_data", "remote-data")
    ]
    del payload["remote_data"]
    assert rules(validate_interview(payload, provider=provider)) == [("/remote_data", "remote-data")]
    assert validate_interview(payload, provider=provider, ignore_remote_data=True) == []
    assert validate_interview(payload, provider=provider, exclude_fields=["remote_data"]) == []


def test_unknown_field_is_drift_unless_tolerated(provider: str) -> None:
    payload = {**good_interview(provider), "title": "Panel"}
    assert rules(validate_interview(payload, provider=provider)) == [("/title", "unknown-field")]
    assert validate_interview(payload, provider=provider, allow_unknown_fields=True) == []


def test_null_is_reported_unless_allowed(provider: str) -> None:
    payload = {**good_interview(provider), "application": None}
    [violation] = validate_interview(payload, provider=provider)
    assert violation.rule == "null" and "application" in violation.message
    assert validate_interview(payload, provider=provider, allow_null=True) == []


@pytest.mark.parametrize("body", [None, [], "interview", 3, True, [{"id": "1"}]])
def test_non_object_is_one_clear_violation(body: Any) -> None:
    [violation] = validate_interview(body)
    assert violation.rule == "not-object" and violation.pointer == ""


def test_pointer_prefix_and_str() -> None:
    [violation] = validate_interview({"remote_data": {}}, pointer="/result/3")
    assert violation.pointer == "/result/3/id"
    assert str(violation) == "/result/3/id: `id` is required [required]"


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="provider must be one of ceipal, pinpoint"):
        validate_interview({}, provider="ashby")
    with pytest.raises(TypeError, match="exclude_fields"):
        validate_interview({}, exclude_fields="id")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-02-29T10:00:00Z", True),
        ("2023-02-29T10:00:00Z", False),
        ("2024-04-31T00:00:00+01:00", False),
        ("2024-12-31T23:59:60Z", True),  # RFC 3339 allows a leap second
        ("2024-13-01T00:00:00Z", False),
        ("2024-00-10T00:00:00Z", False),
        ("2024-01-01T24:00:00Z", False),
        ("2024-01-01T10:60:00Z", False),
        ("2024-01-01 10:00:00Z", False),
        ("2024-01-01t10:00:00.123456z", True),
        ("2024-01-01T10:00:00+24:00", False),
        ("2024-01-01T10:00:00-05:60", False),
        ("2024-01-01T10:00:00-05:30", True),
        ("2024-01-01T10:00:00", False),
        ("\uff12\uff10\uff12\uff14-01-01T10:00:00Z", False),  # fullwidth digits
    ],
)
def test_rfc3339_edges(value: str, ok: bool) -> None:
    payload = {**good_interview("pinpoint"), "start_at": value}
    assert (validate_interview(payload, provider="pinpoint") == []) is ok
