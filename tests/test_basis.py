"""The basis table: docs/assumptions.md and the code name the same ids, every rule has a basis,
findings carry theirs, and the calibration shape the gate and the recorder share."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from contracts.basis import BASES, BASIS_BY_ID, RULE_BASIS, basis
from contracts.checker import RULES, Violation, validate_interview
from contracts.error_cases import ERROR_CASES, PATH_ID
from contracts.live.calibration import Calibration
from contracts.live.matrix import checks_for
from contracts.params import PARAMS
from contracts.providers import PROVIDERS
from contracts.query import QueryError, encode_query, parse_query
from contracts.responses import Exchange, check_response
from tests.mock_helpers import CEIPAL_ACCOUNT

ROOT = Path(__file__).parents[1]
ID = re.compile(r"[AD]-[a-z0-9]+(?:-[a-z0-9]+)*")
JSON = {"Content-Type": "application/json"}


def _documented_ids() -> dict[str, str]:
    text = (ROOT / "docs" / "assumptions.md").read_text()
    return dict(re.findall(r"^- \*\*([AD]-[a-z0-9-]+)\*\* \((documented|assumed)\)", text, re.M))


def _ids_used_in_code() -> set[str]:
    """Every string literal that is exactly an id, in the packages (the table itself left out)."""
    used: set[str] = set()
    for package in ("contracts", "mockserver", "strategies"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "basis.py" and path.parent.name == "contracts":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.fullmatch(node.value):
                    used.add(node.value)
    return used


def test_docs_list_every_id_of_the_table_with_its_kind() -> None:
    documented = _documented_ids()
    assert documented == {b.id: b.kind.value for b in BASES}


def test_every_id_used_in_code_is_in_the_table_and_every_entry_is_used() -> None:
    used = _ids_used_in_code() | set(RULE_BASIS.values())
    assert used == set(BASIS_BY_ID), (sorted(used - set(BASIS_BY_ID)), sorted(set(BASIS_BY_ID) - used))


def test_tables_name_known_bases() -> None:
    for param in PARAMS:
        assert basis(param.basis).id
    for case in ERROR_CASES:
        assert basis(case.basis) and basis(case.refusal_basis)
    for provider in PROVIDERS:
        for check in checks_for(provider):
            assert all(basis(b) for b in check.basis), check
    with pytest.raises(ValueError, match="unknown basis id 'A-nope'"):
        basis("A-nope")


def _rules_emitted_in_code() -> set[str]:
    rules: set[str] = set()
    for path in (ROOT / "contracts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Violation" and len(node.args) > 1:
                rule = node.args[1]
                if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                    rules.add(rule.value)
    return rules


def test_every_rule_has_a_basis() -> None:
    emitted = _rules_emitted_in_code()
    assert "status" in emitted and "paging" in emitted
    assert set(RULES) | emitted <= set(RULE_BASIS), sorted((set(RULES) | emitted) - set(RULE_BASIS))


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c.param != PATH_ID], ids=lambda c: c.name)
def test_an_error_case_and_the_query_parser_agree_on_the_basis(case: object) -> None:
    from contracts.error_cases import ErrorCase

    assert isinstance(case, ErrorCase)
    params = {"integrated_account_id": CEIPAL_ACCOUNT}
    params.pop(case.param, None)
    if case.value is not None:
        params[case.param] = case.value
    try:
        parse_query(encode_query(params), endpoint=case.endpoints[0])
    except QueryError as exc:
        assert (exc.basis, exc.refusal_basis, exc.status) == (case.basis, case.refusal_basis, case.status)
    else:  # refused later by the mock (an unknown cursor, an unknown account)
        assert case.name in ("cursor the server never issued", "unknown account")


def test_a_violation_knows_its_basis_and_says_when_it_is_assumed() -> None:
    found = validate_interview({"id": "1", "location": None, "remote_data": {}}, provider="ceipal")
    assert [(v.rule, v.basis, v.assumed) for v in found] == [("null", "A-absent-not-null", True)]
    assert str(found[0]).endswith("[null; assumed A-absent-not-null]")
    found = validate_interview({"id": 1, "remote_data": {}}, provider="ceipal")
    assert [(v.rule, v.basis, v.assumed) for v in found] == [("type", "D-seed-fields", False)]
    assert str(found[0]).endswith("[type]")
    assert Violation("", "no-such-rule", "x").basis == "" and not Violation("", "no-such-rule", "x").assumed


def test_response_checks_tag_findings_with_the_shape_they_assumed() -> None:
    body = json.dumps({"id": 5, "remote_data": {}})
    unified = check_response(200, JSON, body, Exchange("get", "ceipal", interview_id="5"))
    stream = check_response(200, JSON, body, Exchange("get", "ceipal", "stream", interview_id="5"))
    assert {v.basis for v in unified} == {"D-seed-fields", "D-read-200"}
    assert {v.basis for v in stream} == {"D-seed-fields", "D-read-200"}  # a break of the documented fields: not
    # the stream assumption's (each finding carries its own basis)
    raw = check_response(200, JSON, "[]", Exchange("get", "pinpoint", "raw"))
    assert raw and {v.basis for v in raw} == {"A-pinpoint-raw-shape"}
    # an error where the kit assumed 400: the status rests on the assumption, the body on Truto's docs
    exchange = Exchange.from_url(f"/unified/ats/interviews?integrated_account_id={CEIPAL_ACCOUNT}&sort_by=x")
    found = check_response(200, JSON, '{"result": [], "next_cursor": null}', exchange)
    assert [(v.rule, v.basis) for v in found] == [("status", "A-unknown-param-400")]
    found = check_response(422, JSON, '{"statusCode": 422}', Exchange.from_url("/unified/ats/interviews"))
    assert {(v.rule, v.basis) for v in found} == {("status", "A-missing-account-400"), ("error-body", "D-error-body")}
    found = check_response(
        200, JSON, '{"result": [], "next_cursor": null}', Exchange.from_url("/unified/ats/interviews")
    )
    assert [(v.rule, v.basis) for v in found] == [("status", "D-account-required")]


def test_calibration_shape_is_json_and_refuses_documented_facts() -> None:
    calibration = Calibration()
    calibration.confirm("A-filter-lte", 2)
    for n in range(8):
        calibration.contradict("A-unknown-param-400", f"list error parameter outside the contract: got {200 + n % 2}")
    document = calibration.to_json()
    assert document == {
        "A-filter-lte": {"confirmed": 2, "contradicted": 0, "seen": []},
        "A-unknown-param-400": {
            "confirmed": 0,
            "contradicted": 8,
            "seen": [
                "list error parameter outside the contract: got 200",
                "list error parameter outside the contract: got 201",
            ],
        },
    }
    assert json.loads(json.dumps(document)) == document
    assert (
        calibration.status("A-filter-lte") == "confirmed"
        and calibration.status("A-unknown-param-400") == "contradicted"
    )
    calibration.confirm("A-unknown-param-400")
    assert calibration.status("A-unknown-param-400") == "mixed" and calibration.status("A-bad-format-400") is None
    with pytest.raises(ValueError, match="documented fact"):
        calibration.confirm("D-json")
    with pytest.raises(ValueError, match="unknown basis id"):
        calibration.contradict("A-made-up", "x")
