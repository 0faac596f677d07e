"""The suite catches a broken checker: with `validate_interview` accepting everything, the mock's
self-check and its API tests fail (a suite that still passed would prove nothing about the checker).
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

import contracts.checker
from contracts.checker import Violation

pytest_plugins = ["pytester"]
TESTS = Path(__file__).parent


def _accept_everything(payload: Any, **options: Any) -> list[Violation]:
    return []


def _patch_everywhere(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace `validate_interview` with a function that finds nothing, wherever the name is bound."""
    original = contracts.checker.validate_interview
    patched = []
    for name, module in list(sys.modules.items()):
        if getattr(module, "validate_interview", None) is original:
            monkeypatch.setattr(module, "validate_interview", _accept_everything)
            patched.append(name)
    return patched


@pytest.fixture
def accept_everything(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    for name in _modules_importing_the_checker():
        importlib.import_module(name)
    return _patch_everywhere(monkeypatch)


def _modules_importing_the_checker() -> set[str]:
    """Our modules that bind `validate_interview` with a from-import (read from their source)."""
    found = set()
    for path in TESTS.parent.glob("*/**/*.py"):
        if path.parts[len(TESTS.parent.parts)] not in ("contracts", "mockserver", "strategies"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(a.name == "validate_interview" for a in node.names):
                parts = path.relative_to(TESTS.parent).with_suffix("").parts
                found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_binding_is_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _modules_importing_the_checker()
    assert {"contracts", "contracts.responses"} <= expected
    for name in expected:
        importlib.import_module(name)
    assert expected <= set(_patch_everywhere(monkeypatch))
    assert all(sys.modules[name].validate_interview is _accept_everything for name in expected)


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
