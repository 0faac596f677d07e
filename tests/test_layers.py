"""The house's floors: contracts imports nothing of ours, mockserver never imports strategies, the
contract floor never imports contracts/live, and no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FORBIDDEN = {"contracts": {"mockserver", "strategies", "fixtures"}, "mockserver": {"strategies"}}


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


def module_imports() -> dict[str, set[str]]:
    """Every module of ours -> the modules of ours it imports (anywhere in it, functions too)."""
    graph: dict[str, set[str]] = {}
    for package in ("contracts", "mockserver", "strategies"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
            graph[name] = found
    return {name: {m for m in found if m in graph and m != name} for name, found in graph.items()}


def test_the_contract_floor_never_imports_live() -> None:
    graph = module_imports()
    floor = [n for n in graph if n.startswith("contracts") and not n.startswith("contracts.live")]
    floor.remove("contracts.__main__")  # the CLI is a face, not the floor
    assert {n: sorted(m for m in graph[n] if m.startswith("contracts.live")) for n in floor} == {n: [] for n in floor}


@pytest.mark.parametrize("package", ["contracts", "strategies"])
def test_no_import_cycles(package: str) -> None:
    """(mockserver.app and mockserver.admin still import each other, one of them inside a function.)"""
    graph = {n: {d for d in deps if d != package} for n, deps in module_imports().items() if n.startswith(package)}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name] & set(graph)):
            if state.get(dep) == 1:
                raise AssertionError(f"import cycle: {' -> '.join([*path, name, dep])}")
            if dep not in state:
                visit(dep, [*path, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
