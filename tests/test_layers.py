"""The house's floors: contracts imports nothing of ours, mockserver never imports strategies, the
contract floor never imports contracts/live, and no module imports one that imports it back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FORBIDDEN = {
    "contracts": {"mockserver", "strategies", "fixtures"},
    "mockserver": {"strategies", "fixtures"},
    "strategies": {"mockserver", "fixtures"},  # data is read through contracts.datafolder, never imported
}


def imported_packages(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_toward_the_ground_floor(package: str) -> None:
    assert imported_packages(package) & FORBIDDEN[package] == set()


# An import inside a function runs late, so it can close a cycle Python would refuse at module level:
# such a cycle is still a cycle. Known ones belong to open issues; each entry must go when its fix lands.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for package in ("contracts", "mockserver", "strategies")
    for path in (ROOT / package).rglob("*.py")
}


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith("TYPE_CHECKING")


def _imports(node: ast.AST, module: str, in_function: bool) -> Iterator[tuple[str, bool]]:
    """(imported module of ours, whether the import sits in a function) for each runtime import."""
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            continue
        nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(child, ast.Import):
            for alias in child.names:
                if alias.name in MODULES:
                    yield alias.name, in_function
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(child.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".strip(".")
            for alias in child.names:
                target = f"{base}.{alias.name}"
                if target in MODULES:
                    yield target, in_function
                elif base in MODULES:
                    yield base, in_function
        yield from _imports(child, module, nested)


def _graph(with_function_level: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, in_function in _imports(ast.parse(path.read_text("utf-8")), name, False):
            if target != name and (with_function_level or not in_function):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_at_module_level() -> None:
    assert _cycles(_graph(with_function_level=False)) == []


def test_no_cycle_hidden_by_an_import_inside_a_function() -> None:
    cycles = set(_cycles(_graph(with_function_level=True)))
    assert cycles - set(KNOWN_CYCLES) == set(), "a function-level import closes an import cycle"
    assert set(KNOWN_CYCLES) - cycles == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_the_cycle_finder_sees_a_hidden_cycle() -> None:
    source = "def late():\n    from contracts.providers import provider_module\n"
    imports = list(_imports(ast.parse(source), "contracts.fields", False))
    assert imports == [("contracts.providers", True)]
    graph = _graph(with_function_level=True)
    graph["contracts.fields"].add("contracts.providers")  # providers import fields at module level
    assert any({"contracts.fields", "contracts.providers"} <= cycle for cycle in _cycles(graph))


def test_the_contract_floor_never_imports_live() -> None:
    graph = _graph(with_function_level=True)
    faces = ("contracts.live", "contracts.cli", "contracts.__main__")  # the CLI is a face, not the floor
    floor = [n for n in graph if n.startswith("contracts") and not n.startswith(faces)]
    assert {n: sorted(m for m in graph[n] if m.startswith("contracts.live")) for n in floor} == {n: [] for n in floor}
