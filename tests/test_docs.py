"""The docs' Python examples that define tests are run as tests, and their generated tables match
the code, so they cannot rot."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = {
    f"{page.stem.lower()}_{number}": block
    for page in PAGES
    for number, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text("utf-8"), re.S), 1)
    if "def test_" in block
}
"""Each docs example that defines tests, by a file name saying where it stands (`pytest_3`: docs/pytest.md's third)."""
PYTEST_PAGE = (ROOT / "docs" / "pytest.md").read_text("utf-8")


def test_the_docs_have_test_examples() -> None:
    assert len(EXAMPLES) >= 5


def test_docs_examples_pass(pytester: pytest.Pytester) -> None:
    """Out of process, as in a user's project: no conftest of the kit's, no Hypothesis profile of its
    own (its `deadline=None` would hide an example that needs one), Hypothesis' default settings. One
    process runs every example (each its own module), so the suite pays the start-up once."""
    pytester.makepyfile(**{f"test_{name}": block for name, block in EXAMPLES.items()})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", timeout=240)
    output = "\n".join(result.outlines)
    for name, block in EXAMPLES.items():
        passed = re.findall(rf"^PASSED test_{name}\.py::", output, re.M)
        assert len(passed) == block.count("def test_"), f"example {name}: {len(passed)} passed\n{output[-4000:]}"
    result.assert_outcomes(passed=sum(block.count("def test_") for block in EXAMPLES.values()))


def test_generated_tables_are_current() -> None:
    gendocs = _load_script("gendocs")
    stale = gendocs.stale_pages()
    assert not stale, f"regenerate {', '.join(str(p.relative_to(ROOT)) for p in stale)}: python scripts/gendocs.py"


def test_marker_table_lists_every_marker_keyword() -> None:
    from mockserver.plugin import marker_signature

    block = PYTEST_PAGE.split("<!-- marker-table")[1].split("<!-- /marker-table -->")[0]
    keywords = re.findall(r"(\w+)=", marker_signature())
    assert keywords and all(f"| `{keyword}` |" in block for keyword in keywords)


def test_api_page_is_current() -> None:
    genapi = _load_script("genapi")
    page = ROOT / "docs" / "api.md"
    assert page.read_text("utf-8") == genapi.render(), "docs/api.md is stale: python scripts/genapi.py"


def test_every_public_name_documents_its_parameters() -> None:
    genapi = _load_script("genapi")
    assert genapi.problems() == []


def test_the_docstring_rule_finds_what_is_missing() -> None:
    """The rule itself, on docstrings broken on purpose: a test that passes whatever the docstrings say
    would be worse than none."""
    check = _load_script("genapi").check_doc
    complete = "Does it.\n\nArgs:\n    a: the first.\n    **match: the rest,\n        on two lines.\n"
    assert check("f", complete, ["a", "match"]) == []
    assert check("f", "", ["a"]) == ["f: no docstring"]
    assert check("f", "Does it, with `a`.", ["a"]) == ["f: parameter `a` not in its docstring's Args:"]
    assert check("f", "Does it.\n\nArgs:\n    a: the first.\n", ["a", "b"]) == [
        "f: parameter `b` not in its docstring's Args:"
    ]
    assert check("f", "Does it.\n\nArgs:\n    old: renamed since.\n", []) == [
        "f: Args: names `old`, which is not a parameter"
    ]
    assert check("C", "A class.", ["x"], {"x": "the string under the field"}) == []


def test_api_page_names_every_export_and_no_machine_detail() -> None:
    import contracts
    import mockserver
    import strategies

    text = (ROOT / "docs" / "api.md").read_text("utf-8")
    for module in (contracts, mockserver, strategies):
        for name in module.__all__:
            assert f'<a id="{module.__name__}.{name}"></a>' in text, f"{module.__name__}.{name} missing"
    for fixture in ("truto_mock", "truto_respx", "truto_contract", "truto_target", "truto_client"):
        assert f'<a id="mockserver.plugin.{fixture}"></a>' in text
    for method in ("script", "requests", "calls_to", "assert_requested", "assert_all_consumed"):
        assert f'<a id="mockserver.controls.MockControls.{method}"></a>' in text
    assert " at 0x" not in text and str(ROOT) not in text and str(Path.home()) not in text


def test_genapi_check_exits_1_on_a_stale_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    genapi = _load_script("genapi")
    page = tmp_path / "api.md"
    page.write_text("# an old page\n", "utf-8")
    monkeypatch.setattr(genapi, "PAGE", page)
    monkeypatch.setattr(genapi, "ROOT", tmp_path)
    assert genapi.main(["--check"]) == 1
    assert "api.md is stale: run python scripts/genapi.py" in capsys.readouterr().err
    assert page.read_text("utf-8") == "# an old page\n"
    assert genapi.main([]) == 0
    assert genapi.main(["--check"]) == 0
    assert page.read_text("utf-8") == (ROOT / "docs" / "api.md").read_text("utf-8")


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


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

    start = PYTEST_PAGE.index("## Hypothesis strategies")
    end = PYTEST_PAGE.find("\n## ", start + 1)
    section = PYTEST_PAGE[start : end if end > 0 else None]
    for name in strategies.__all__:
        func = getattr(strategies, name)
        if inspect.isfunction(func):
            assert f"`{_call_form(name, func)}`" in section, f"document {_call_form(name, func)} in docs/pytest.md"
