"""The README's Python examples that define tests are run as tests, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
README = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
EXAMPLES = [block for block in re.findall(r"```python\n(.*?)```", README, re.S) if "def test_" in block]


def test_readme_has_test_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_passes(pytester: pytest.Pytester, index: int) -> None:
    pytester.makepyfile(test_example=EXAMPLES[index])
    result = pytester.runpytest("-p", "no:cacheprovider")
    tests = EXAMPLES[index].count("def test_")
    result.assert_outcomes(passed=tests)
