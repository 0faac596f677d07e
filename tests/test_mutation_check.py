"""The suite catches a broken checker: with `validate_interview` accepting everything, the mock's
self-check and its API tests fail (a suite that still passed would prove nothing about the checker).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import contracts.__main__
import contracts.checker
import mockserver.store
from contracts.checker import Violation

pytest_plugins = ["pytester"]
TESTS = Path(__file__).parent


def _accept_everything(payload: Any, **options: Any) -> list[Violation]:
    return []


@pytest.fixture
def accept_everything(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`validate_interview` replaced by a function that finds nothing, wherever the name is bound."""
    original = contracts.checker.validate_interview
    patched = []
    for name, module in list(sys.modules.items()):
        if getattr(module, "validate_interview", None) is original:
            monkeypatch.setattr(module, "validate_interview", _accept_everything)
            patched.append(name)
    return patched


def test_every_binding_is_patched(accept_everything: list[str]) -> None:
    expected = {"contracts", "contracts.__main__", "contracts.checker", "contracts.responses", "mockserver.store"}
    assert expected <= set(accept_everything)
    assert contracts.__main__.validate_interview is mockserver.store.validate_interview is _accept_everything


@pytest.mark.parametrize(
    ("module", "all_fail"),
    [("test_mock_selfcheck.py", True), ("test_mock_api.py", False), ("test_checker.py", False)],
)
def test_suite_fails_with_an_accept_everything_checker(
    pytester: pytest.Pytester, accept_everything: list[str], module: str, all_fail: bool
) -> None:
    result = pytester.runpytest_inprocess(TESTS / module, "-q", "-p", "no:cacheprovider", "--rootdir", TESTS.parent)
    outcomes = result.parseoutcomes()
    print(module, outcomes)
    assert outcomes.get("failed", 0) > 0, f"{module} still passes with a checker that accepts everything"
    if all_fail:
        assert "passed" not in outcomes, f"some tests of {module} still pass with a checker that accepts everything"
