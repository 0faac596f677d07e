"""Redaction: planted personal data is nowhere in a recorded folder; ids, dates, codes, numbers,
booleans and structure stay; the same original gives the same fake within a recording only."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from contracts.accounts import Account
from contracts.datafolder import read_folder, write_folder
from contracts.live.rawpaths import leaves
from contracts.live.recording import REDACTION_FILE, Recording
from contracts.live.redact import PersonalDataReplacer, key_kind, looks_structural
from tests.conftest import CEIPAL_RAW, PINPOINT_RAW
from tests.recording_helpers import read_list, serve

CEIPAL = "ceipal"
PINPOINT = "pinpoint"

PLANTED_NAMES = ("Bartholomew Quackenbush", "Esmeralda Villalobos", "Thaddeus Okonkwo-Brandt")
PLANTED_EMAILS = ("jane.doe@acme-corp.example", "bart.q@mailhost.example", "e.villalobos@recruit.example")
PLANTED_PHONES = ("+49 30 1234567", "(555) 867-5309", "555.867.5309", "+33 1 42 68 53 00", "+44-20-7946-0958")
PLANTED_TEXT = ("12 Rue de Rivoli, Paris", "https://calendar.example/join?token=s3cr3t&who=bart")
CEIPAL_ACCOUNT = Account("5e0c9a10-0000-4000-8000-00000000c001", CEIPAL, "ceipal")
PINPOINT_ACCOUNTS = [
    Account("5e0c9a10-0000-4000-8000-00000000a001", PINPOINT, "pinpoint"),
    Account("5e0c9a10-0000-4000-8000-00000000a002", PINPOINT, "pinpoint-2"),
]


def planted_pinpoint(index: int) -> dict[str, Any]:
    raw = copy.deepcopy(PINPOINT_RAW)
    raw["id"] = str(700 + index)
    raw["attributes"]["title"] = f"Panel with {PLANTED_NAMES[index % 3]}"
    raw["attributes"]["notes"] = f"Call {PLANTED_NAMES[0]} at {PLANTED_PHONES[0]} or {PLANTED_EMAILS[0]}"
    raw["attributes"]["duration_minutes"] = 45
    raw["attributes"]["video"] = True
    raw["attributes"]["kind"] = "phone_screen"
    raw["meta"] = {
        "owner": PLANTED_NAMES[index % 3],  # a key that says nothing about what it holds
        "x1": f"reach me: {PLANTED_EMAILS[1]} / {PLANTED_PHONES[1]}",
        "x2": PLANTED_PHONES[2],
        "x3": PLANTED_EMAILS[2],
        "link": PLANTED_TEXT[1],
        "participants": [{"display": PLANTED_NAMES[1], "ref": "USR-0042"}, {"display": PLANTED_NAMES[2]}],
        "ids": ["8f14e45f-ceea-467a-9575-4e1e7b0cb2a1", "20250310"],
        "when": "2025-03-10 14:00:00",
        "tz": "+01:00",
    }
    return raw


def planted_ceipal(index: int) -> dict[str, Any]:
    raw = copy.deepcopy(CEIPAL_RAW)
    raw["id"] = str(9900 + index)
    raw["interviewers"] = [{"id": "14", "name": PLANTED_NAMES[1], "email": PLANTED_EMAILS[2]}, {"id": "15"}]
    raw["interview_location"] = PLANTED_TEXT[0]
    raw["candidate_contact"] = {"phone": PLANTED_PHONES[3], "other": f"mobile {PLANTED_PHONES[4]}"}
    raw["remarks"] = f"{PLANTED_NAMES[2]} prefers mornings"
    raw["interview_date"] = "03/10/2025"
    return raw


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    source = tmp_path_factory.mktemp("planted")
    records: dict[str, list[dict[str, Any]]] = {
        CEIPAL_ACCOUNT.id: [planted_ceipal(i) for i in range(3)],
        PINPOINT_ACCOUNTS[0].id: [planted_pinpoint(i) for i in range(4)],
        PINPOINT_ACCOUNTS[1].id: [planted_pinpoint(i) for i in range(4, 6)],
    }
    write_folder(source, [CEIPAL_ACCOUNT, *PINPOINT_ACCOUNTS], records)
    out = tmp_path_factory.mktemp("recorded")
    client = serve(source).test_client()
    recording = Recording()
    for account in (CEIPAL_ACCOUNT, *PINPOINT_ACCOUNTS):
        recording.add(account, read_list(client, account.id))
    recording.write(out)
    return out, records


def _fragments() -> list[str]:
    """Each planted value, and the parts of it that alone would still identify someone."""
    out = [*PLANTED_NAMES, *PLANTED_EMAILS, *PLANTED_PHONES, *PLANTED_TEXT]
    out += [part for name in PLANTED_NAMES for part in name.split() if len(part) > 5]
    out += [email.split("@")[0] for email in PLANTED_EMAILS] + ["867-5309", "867.5309", "1234567", "7946", "s3cr3t"]
    out += ["Rivoli"]
    return out


def test_no_planted_value_is_anywhere_in_the_folder(recorded: tuple[Path, Any]) -> None:
    out, _ = recorded
    for path in out.iterdir():
        text = path.read_text("utf-8").casefold()
        for fragment in _fragments():
            assert fragment.casefold() not in text, f"{fragment!r} is in {path.name}"


def test_the_folder_still_loads_and_keeps_ids_dates_codes_numbers_booleans_and_structure(
    recorded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    out, originals = recorded
    folder = read_folder(out)
    for account in folder.accounts:
        for before, after in zip(originals[account.id], folder.records[account.id], strict=True):
            pairs = list(zip(leaves(before), leaves(after), strict=True))
            for (path, a), (path_after, b) in pairs:
                assert path == path_after
                if not isinstance(a, str):
                    assert a == b and type(a) is type(b), path
            kept = {path: b for (path, a), (_, b) in pairs if a == b}
            changed = {path for (path, a), (_, b) in pairs if a != b}
            if account.provider == PINPOINT:
                for path in ("id", "type", "attributes.start_at", "attributes.status", "attributes.kind", "meta.when"):
                    assert path in kept
                assert {"meta.participants[].ref", "meta.ids[]", "meta.tz"} <= set(kept)
                assert {"attributes.title", "attributes.notes", "meta.owner", "meta.x1", "meta.link"} <= changed
            else:
                assert {"submission_id", "interviewers[].id", "created_at", "modified", "interview_date"} <= set(kept)
                assert {"interview_location", "interviewers[].name", "remarks", "candidate_contact.phone"} <= changed


def test_the_same_original_gives_the_same_fake_across_records_and_accounts(recorded: tuple[Path, Any]) -> None:
    out, _ = recorded
    folder = read_folder(out)
    owners = {}
    for account in PINPOINT_ACCOUNTS:
        for record in folder.records[account.id]:
            owners.setdefault(int(record["id"]) % 3, set()).add(record["meta"]["owner"])
    assert all(len(fakes) == 1 for fakes in owners.values()), owners  # ids 700..705: index % 3 is the name
    assert len({next(iter(f)) for f in owners.values()}) == 3  # three people stay three people


def test_redaction_json_counts_per_key_path_without_values(recorded: tuple[Path, Any]) -> None:
    out, _ = recorded
    report = json.loads((out / REDACTION_FILE).read_text())
    assert report["redacted"] is True and "salt" not in json.dumps(report)
    by_label = {entry["label"]: entry for entry in report["accounts"]}
    first = by_label["pinpoint"]["replaced"]
    assert first["attributes.title"] == {"text": 4}
    assert first["meta.x2"] == {"phone": 4} and first["meta.x3"] == {"email": 4}
    assert first["meta.participants[].display"] == {"name": 8}
    assert by_label["pinpoint-2"]["replaced"]["attributes.title"] == {"text": 2}
    assert by_label["ceipal"]["replaced"]["interviewers[].email"] == {"email": 3}
    assert by_label["ceipal"]["kept_unread"]["interview_date"] == 3


def test_fakes_depend_on_a_salt_nobody_sees() -> None:
    raw = planted_pinpoint(0)
    first, second = PersonalDataReplacer(), PersonalDataReplacer()
    a, b = first.redact(PINPOINT, raw), second.redact(PINPOINT, raw)
    assert a["meta"]["owner"] != b["meta"]["owner"]  # another recording, another fake
    keyed = PersonalDataReplacer(salt=b"k")
    assert keyed.redact(PINPOINT, raw) == PersonalDataReplacer(salt=b"k").redact(PINPOINT, raw)
    assert "salt" not in repr(first) and "k" not in repr(keyed).replace("PersonalDataReplacer", "")


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-10",
        "2025-03-10 14:00:00",
        "2025-03-10T14:00:00+05:30",
        "03/10/2025",
        "8f14e45f-ceea-467a-9575-4e1e7b0cb2a1",
        "12345678-1234-1234-1234-123456789012",
        "20250310",
        "1234567890",
        "INT-0042",
        "in_person",
        "+01:00",
    ],
)
def test_dates_timestamps_uuids_and_ids_are_never_taken_for_a_phone(value: str) -> None:
    raw = {**PINPOINT_RAW, "misc": value}
    assert PersonalDataReplacer().redact(PINPOINT, raw)["misc"] == value
    assert looks_structural(value)


@pytest.mark.parametrize("value", ["+49 30 1234567", "(555) 867-5309", "555.867.5309", "+1-202-555-0143"])
def test_phone_numbers_are_found_in_any_string(value: str) -> None:
    replacer = PersonalDataReplacer()
    out = replacer.redact(PINPOINT, {**PINPOINT_RAW, "z": value, "y": {"note2": f"call {value} today"}})
    assert value not in json.dumps(out)
    assert replacer.counts()["z"] == {"phone": 1}


def test_ids_are_never_redacted_even_when_they_look_like_personal_data() -> None:
    raw = copy.deepcopy(PINPOINT_RAW)
    raw["relationships"]["application"]["data"]["id"] = "jane.doe@acme-corp.example"
    for odd in ("cand:jane.doe@acme-corp.example", "a%2Fb", "..", "/etc/passwd", "Jane Doe"):
        raw["id"] = odd
        out = PersonalDataReplacer().redact(PINPOINT, raw)
        assert out["id"] == odd  # the mock serves the record at this id
        assert out["relationships"]["application"]["data"]["id"] == "jane.doe@acme-corp.example"
        assert out["relationships"]["interview_stage"]["data"]["id"] == "31"


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("interviewerEmail", "email"),
        ("phone_number", "phone"),
        ("first_name", "first_name"),
        ("candidateName", "name"),
        ("title", "text"),
        ("meeting_url", "url"),
        ("interview_location", "location"),
        ("job_id", None),
        ("status", None),
    ],
)
def test_keys_that_name_personal_data(key: str, kind: str | None) -> None:
    assert key_kind(key) == kind
