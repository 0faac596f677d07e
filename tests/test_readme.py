"""The README's Python examples that define tests are run as tests, so they cannot rot."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
README = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
EXAMPLES = [block for block in re.findall(r"```python\n(.*?)```", README, re.S) if "def test_" in block]


def test_readme_has_test_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_passes(pytester: pytest.Pytester, index: int) -> None:
    """Out of process, as in a user's project: no conftest of the kit's, no Hypothesis profile of its
    own (its `deadline=None` would hide an example that needs one), Hypothesis' default settings."""
    pytester.makepyfile(test_example=EXAMPLES[index])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    tests = EXAMPLES[index].count("def test_")
    result.assert_outcomes(passed=tests)


def test_marker_table_is_generated_from_the_settings() -> None:
    from mockserver.plugin import marker_table

    block = README.split("<!-- marker-table")[1].split("-->", 1)[1].split("<!-- /marker-table -->")[0].strip()
    assert block == marker_table(), "regenerate it: python -c 'import mockserver.plugin as p; print(p.marker_table())'"


def _call_form(name: str, func: Callable[..., object]) -> str:
    """`name(*, a, b=None)` from the function's signature, string defaults in double quotes."""
    parts: list[str] = []
    for param in inspect.signature(func).parameters.values():
        if param.kind is param.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        default = param.default
        if default is param.empty:
            parts.append(param.name)
        else:
            parts.append(f"{param.name}={json.dumps(default) if isinstance(default, str) else repr(default)}")
    return f"{name}({', '.join(parts)})"


def test_every_strategy_argument_is_documented() -> None:
    import strategies

    section = README[README.index("## Hypothesis strategies") : README.index("## Benchmarks")]
    for name in strategies.__all__:
        func = getattr(strategies, name)
        if inspect.isfunction(func):
            assert f"`{_call_form(name, func)}`" in section, f"document {_call_form(name, func)} in the README"
