"""Generate docs/api.md, the API reference, from the public names' signatures and docstrings:
`python scripts/genapi.py` rewrites it, `--check` exits 1 when it is stale (tests/test_docs.py runs the
same comparison). Both exit 1 naming each public name whose docstring is missing or does not name
each of its parameters.

The public surface is `SURFACE` below. Signatures are read from the source as written (annotations
and defaults as text, never evaluated), so the page is the same on every machine.
Lives outside the packages on purpose: the kit never parses its own source at run time.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import enum
import functools
import importlib
import inspect
import itertools
import re
import sys
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "api.md"
PACKAGES = ("contracts", "mockserver", "strategies")

SURFACE: tuple[tuple[str, tuple[str, ...] | None, str], ...] = (
    ("contracts", None, "The contract: field and parameter tables, providers, schemas and the checkers."),
    ("contracts.accounts", None, "The integrated account: one id type and one account type for every layer."),
    ("contracts.providers", None, "The provider registry, and what a provider module declares (docs/providers.md)."),
    ("strategies", None, "Hypothesis strategies built from the contract's tables."),
    ("mockserver", None, "The mock: its app factory, settings, and the objects its pytest fixtures hand out."),
    (
        "mockserver.plugin",
        ("TrutoMockWarning",),
        "The pytest plugin (entry point `pytest11`): its fixtures, and the warning its marker gives.",
    ),
    ("mockserver.controls", ("MockControls",), "What `truto_mock` and `truto_respx` share: scripts, clock, log."),
    ("mockserver.inprocess", ("NotMockedError", "TrutoRouter"), "What the `truto_respx` fixture gives."),
    ("mockserver.contract_fixture", ("ContractChecker", "Target"), "What `truto_contract` and `truto_target` give."),
)
"""Each documented module, its public names (None: the module's `__all__`, in its order) and one line
on what it is for. `contracts.live` is left out: its interface is the `gate` and `record` commands
(docs/gate.md)."""

SECTION = re.compile(r"(Args|Returns|Yields|Raises):\s*\Z")
ITEM = re.compile(r"(\*{0,2}\w+)(?:\s*\([^)]*\))?:\s*(.*)\Z")


@dataclass
class Entry:
    """One documented name: what the page shows of it and what its docstring must cover."""

    name: str
    title: str
    kind: str
    signature: str | None
    doc: str
    params: list[str] = field(default_factory=list)
    field_docs: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    members: list[Entry] = field(default_factory=list)


def _parse(obj: Any) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(obj)))


def _def_node(func: Any) -> ast.FunctionDef | ast.AsyncFunctionDef:
    [node] = _parse(inspect.unwrap(func)).body  # type: ignore[attr-defined]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef), func
    return node


def _param(arg: ast.arg, default: ast.expr | None) -> str:
    text = arg.arg + (f": {ast.unparse(arg.annotation)}" if arg.annotation else "")
    if default is not None:
        text += f"{' = ' if arg.annotation else '='}{ast.unparse(default)}"
    return text


def _signature(
    node: ast.FunctionDef | ast.AsyncFunctionDef, *, drop_first: bool, constructor: bool = False
) -> tuple[str, list[str]]:
    """`(parameters) -> returns` as written (no `-> returns` for a constructor), and the parameter names
    a docstring must name (all but `self`/`cls` and private `_names`)."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    parts: list[str] = []
    names: list[str] = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        if not (index == 0 and drop_first):
            parts.append(_param(arg, default))
            names.append(arg.arg)
        if index == len(a.posonlyargs) - 1:
            parts.append("/")
    if a.vararg:
        parts.append("*" + _param(a.vararg, None))
        names.append(a.vararg.arg)
    elif a.kwonlyargs:
        parts.append("*")
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        parts.append(_param(arg, kw_default))
        names.append(arg.arg)
    if a.kwarg:
        parts.append("**" + _param(a.kwarg, None))
        names.append(a.kwarg.arg)
    return _call(parts, None if constructor else node.returns), [n for n in names if not n.startswith("_")]


def _call(parts: list[str], returns: ast.expr | None = None) -> str:
    """`(a, b) -> R` on one line when it fits in 80 columns, else one parameter a line."""
    tail = f" -> {ast.unparse(returns)}" if returns else ""
    one_line = f"({', '.join(parts)}){tail}"
    if len(one_line) <= 80 or not parts:
        return one_line
    return "(\n" + "".join(f"    {part},\n" for part in parts) + ")" + tail


def _attribute_docs(body: list[ast.stmt]) -> dict[str, str]:
    """The docstrings under assignments (`name: type = value` then a string): PEP 257's attribute docstrings."""
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if (
            isinstance(target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[target.id] = inspect.cleandoc(after.value.value)
    return docs


def _class_node(cls: type) -> ast.ClassDef:
    [node] = _parse(cls).body  # type: ignore[attr-defined]
    assert isinstance(node, ast.ClassDef), cls
    return node


def _ours(obj: Any) -> bool:
    return str(getattr(obj, "__module__", "")).split(".")[0] in PACKAGES


def _dataclass_signature(cls: type) -> tuple[str, list[str], dict[str, str]]:
    """A dataclass's constructor as its fields are written, and each field's docstring."""
    written: dict[str, ast.AnnAssign] = {}
    docs: dict[str, str] = {}
    for klass in reversed([k for k in cls.__mro__ if dataclasses.is_dataclass(k) and _ours(k)]):
        body = _class_node(klass).body
        written.update(
            {n.target.id: n for n in body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
        )
        docs.update(_attribute_docs(body))
    parts: list[str] = []
    names: list[str] = []
    star = False
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.kw_only and not star:
            parts.append("*")
            star = True
        node = written[f.name]
        text = f"{f.name}: {ast.unparse(node.annotation)}"
        parts.append(text + (f" = {ast.unparse(node.value)}" if node.value is not None else ""))
        names.append(f.name)
    public = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    return _call(parts), [n for n in names if not n.startswith("_")], {n: docs[n] for n in public if n in docs}


def _constructor(cls: type) -> tuple[str | None, list[str], dict[str, str]]:
    """The class's constructor as written (None when it takes its base's, e.g. an exception's message)."""
    if issubclass(cls, enum.Enum):
        return None, [], {}
    if dataclasses.is_dataclass(cls):
        return _dataclass_signature(cls)
    for klass in cls.__mro__:
        own = [vars(klass)[n] for n in ("__init__", "__new__") if n in vars(klass)]
        if own:
            if not _ours(klass):
                return None, [], {}
            signature, names = _signature(_def_node(own[0]), drop_first=True, constructor=True)
            return signature, names, {}
    return None, [], {}


def _member(prefix: str, cls: type, name: str, value: Any) -> Entry | None:
    """A public method or property defined in the class body, or None for anything else."""
    qualified = f"{cls.__name__}.{name}"
    full = f"{prefix}.{name}"
    if isinstance(value, property | functools.cached_property):
        func = value.fget if isinstance(value, property) else value.func
        returns = _def_node(func).returns
        shown = f"{qualified}: {ast.unparse(returns)}" if returns else qualified
        return Entry(full, qualified, "property", shown, inspect.getdoc(func) or "")
    drop_first = not isinstance(value, staticmethod)
    func = value.__func__ if isinstance(value, staticmethod | classmethod) else value
    if not inspect.isfunction(func):
        return None
    signature, params = _signature(_def_node(func), drop_first=drop_first)
    kind = "classmethod" if isinstance(value, classmethod) else "method"
    return Entry(full, qualified, kind, qualified + signature, inspect.getdoc(func) or "", params)


def _class_entry(module: str, name: str, cls: type) -> Entry:
    node = _class_node(cls)
    signature, params, field_docs = _constructor(cls)
    entry = Entry(
        f"{module}.{name}",
        name,
        "class",
        f"{name}{signature}" if signature is not None else None,
        inspect.cleandoc(cls.__doc__ or ""),
        params,
        field_docs,
    )
    if node.bases:
        entry.extra.append("Bases: " + ", ".join(f"`{ast.unparse(base)}`" for base in node.bases))
    if issubclass(cls, enum.Enum):
        docs = _attribute_docs(node.body)
        for member in cls:
            line = f"- `{member.name} = {member.value!r}`"
            entry.values.append(line + (f": {' '.join(docs[member.name].split())}" if member.name in docs else ""))
    for member_name, value in vars(cls).items():
        if not member_name.startswith("_"):
            documented = _member(entry.name, cls, member_name, value)
            if documented is not None:
                entry.members.append(documented)
    return entry


def _constant_entry(module: str, name: str) -> Entry:
    """A constant, documented by the docstring under its assignment, found by following the `from X
    import NAME` lines from `module` to the module that assigns it (read, not imported: the same
    answer whatever else is loaded)."""
    body = ast.parse(inspect.getsource(importlib.import_module(module))).body
    lazy = [n for n in body if isinstance(n, ast.If) and ast.unparse(n.test).endswith("TYPE_CHECKING")]
    for node in [*body, *(n for block in lazy for n in block.body)]:  # a PEP 562 package's imports
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return replace(_constant_entry(node.module, alias.name), name=f"{module}.{name}", title=name)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            shown = f"{name}: {ast.unparse(node.annotation)}"
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            written = ast.unparse(node.value)
            shown = f"{name} = {written}" if len(written) <= 80 else name
        else:
            continue
        return Entry(f"{module}.{name}", name, "constant", shown, _attribute_docs(body).get(name, ""))
    raise LookupError(f"{module}.{name}: no assignment or `from ... import` of it in {module}")


def entry_for(module: ModuleType, name: str) -> Entry:
    """What the page shows of `module.name`."""
    value = getattr(module, name)
    if inspect.isclass(value):
        return _class_entry(module.__name__, name, value)
    if inspect.isfunction(inspect.unwrap(value)):
        signature, params = _signature(_def_node(value), drop_first=False)
        doc = inspect.getdoc(value) or ""
        return Entry(f"{module.__name__}.{name}", name, "function", name + signature, doc, params)
    return _constant_entry(module.__name__, name)


def fixtures() -> list[Entry]:
    """The plugin's fixtures (functions decorated `pytest.fixture` with public names), in source order."""
    from mockserver import plugin

    entries: list[Entry] = []
    for node in ast.parse(inspect.getsource(plugin)).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        decorators = [d for d in node.decorator_list if ast.unparse(d).startswith("pytest.fixture")]
        if not decorators:
            continue
        [decorator] = decorators
        scope = "function"
        if isinstance(decorator, ast.Call):
            scope = next((ast.unparse(k.value).strip("'\"") for k in decorator.keywords if k.arg == "scope"), scope)
        gives = node.returns
        if isinstance(gives, ast.Subscript) and ast.unparse(gives.value) in ("Iterator", "Generator"):
            gives = gives.slice.elts[0] if isinstance(gives.slice, ast.Tuple) else gives.slice
        shown = f"{node.name}: {ast.unparse(gives)}" if gives else node.name
        doc = inspect.cleandoc(ast.get_docstring(node) or "")
        entry = Entry(f"mockserver.plugin.{node.name}", node.name, "fixture", shown, doc)
        entry.extra.append(f"Scope: {scope}.")
        entries.append(entry)
    return entries


@dataclass
class Section:
    """One module of the page: its name, what it is for, and its documented names."""

    module: str
    purpose: str
    entries: list[Entry]


def surface() -> list[Section]:
    """Every documented module with its entries, in `SURFACE` order."""
    sections: list[Section] = []
    first: dict[int, str] = {}
    for module_name, names, purpose in SURFACE:
        module = importlib.import_module(module_name)
        entries: list[Entry] = []
        for name in names if names is not None else module.__all__:
            value = getattr(module, name)
            if id(value) in first and not isinstance(value, str | int | float | bool | type(None)):
                seen = first[id(value)]
                entries.append(Entry(f"{module_name}.{name}", name, "alias", None, f"The same as [`{seen}`](#{seen})."))
                continue
            first[id(value)] = f"{module_name}.{name}"
            entries.append(entry_for(module, name))
        if module_name == "mockserver.plugin":
            entries = fixtures() + entries
        sections.append(Section(module_name, purpose, entries))
    return sections


def split_doc(doc: str) -> tuple[list[str], dict[str, list[tuple[str, str]] | str]]:
    """A Google-style docstring's prose lines and its sections (`Args`/`Raises`: (name, text) items;
    `Returns`/`Yields`: text)."""
    prose: list[str] = []
    sections: dict[str, list[tuple[str, str]] | str] = {}
    lines = doc.splitlines()
    index = 0
    while index < len(lines):
        header = SECTION.match(lines[index])
        if not header:
            prose.append(lines[index])
            index += 1
            continue
        body: list[str] = []
        index += 1
        while index < len(lines) and (not lines[index].strip() or lines[index][:1].isspace()):
            body.append(lines[index])
            index += 1
        body = textwrap.dedent("\n".join(body)).strip("\n").splitlines()
        if header[1] in ("Returns", "Yields"):
            sections[header[1]] = " ".join(" ".join(body).split())
            continue
        items: list[tuple[str, str]] = []
        for line in body:
            item = ITEM.match(line)
            if item and not line[:1].isspace():
                items.append((item[1], item[2]))
            elif items:
                items[-1] = (items[-1][0], f"{items[-1][1]} {line.strip()}".strip())
        sections[header[1]] = items
    while prose and not prose[-1].strip():
        prose.pop()
    return prose, sections


def check_doc(name: str, doc: str, params: list[str], field_docs: dict[str, str] | None = None) -> list[str]:
    """What the docstring of `name` lacks: the docstring itself, or an `Args:` item (or, for a dataclass
    field, a docstring under the field) for each parameter; also `Args:` items naming no parameter."""
    if not doc.strip():
        return [f"{name}: no docstring"]
    _, sections = split_doc(doc)
    args = sections.get("Args", [])
    named = [item[0].lstrip("*") for item in args] if isinstance(args, list) else []
    documented = set(named) | set(field_docs or {})
    problems = [f"{name}: parameter `{p}` not in its docstring's Args:" for p in params if p not in documented]
    problems += [f"{name}: Args: names `{n}`, which is not a parameter" for n in named if n not in params]
    return problems


def problems(sections: list[Section] | None = None) -> list[str]:
    """Every public name whose docstring is missing or incomplete."""
    found: list[str] = []
    for section in sections if sections is not None else surface():
        for entry in section.entries:
            for item in (entry, *entry.members):
                found += check_doc(item.name, item.doc, item.params, item.field_docs)
    return found


def _render_entry(entry: Entry, level: str) -> list[str]:
    label = {"class": "class ", "fixture": "fixture ", "property": "property "}.get(entry.kind, "")
    lines = [f'{level} <a id="{entry.name}"></a>{label}`{entry.title}`', ""]
    if entry.signature:
        lines += ["```python", entry.signature, "```", ""]
    lines += [*entry.extra, ""] if entry.extra else []
    prose, sections = split_doc(entry.doc)
    if prose:
        lines += [*prose, ""]
    args = sections.get("Args", [])
    items = [(n, " ".join(t.split())) for n, t in args] if isinstance(args, list) else []
    given = {n.lstrip("*") for n, _ in items}
    items += [(n, entry.field_docs[n]) for n in entry.params if n in entry.field_docs and n not in given]
    if items:
        lines += ["Args:", "", *(f"- `{n}`: {' '.join(t.split())}" for n, t in items), ""]
    attributes = [(n, t) for n, t in entry.field_docs.items() if n not in entry.params]
    if attributes:
        lines += ["Attributes:", "", *(f"- `{n}`: {' '.join(t.split())}" for n, t in attributes), ""]
    for key in ("Returns", "Yields"):
        if isinstance(sections.get(key), str):
            lines += [f"{key}: {sections[key]}", ""]
    raises = sections.get("Raises")
    if isinstance(raises, list) and raises:
        lines += ["Raises:", "", *(f"- `{n}`: {' '.join(t.split())}" for n, t in raises), ""]
    if entry.values:
        lines += ["Members:", "", *entry.values, ""]
    for member in entry.members:
        lines += _render_entry(member, "####")
    return lines


HEADER = """\
# API reference

[README](../README.md) · [mock](mock.md) · [pytest](pytest.md) · [gate](gate.md) · [contract](contract.md) · \
[providers](providers.md) · [assumptions](assumptions.md) · [benchmarks](benchmarks.md) · [api](api.md)

<!-- Generated by scripts/genapi.py from the docstrings; do not edit. tests/test_docs.py keeps it current. -->

The public API is what you import: the names in `__all__` of `contracts`, `contracts.accounts`,
`contracts.providers`, `strategies` and `mockserver`, the pytest plugin's fixtures, and the classes of
the objects those fixtures give you (`MockControls`, `TrutoRouter`, `ContractChecker`, `Target`), which
you use without importing them. Everything else, including `contracts.live` (whose interface is the
`gate` and `record` commands: [gate.md](gate.md)), is internal and may change without notice.

Signatures are shown as written in the source. Parameters are documented in Google style (`Args:`);
a dataclass field may carry its own docstring instead (the string under it), listed here with the rest.
"""


def render(sections: list[Section] | None = None) -> str:
    """The whole page."""
    sections = sections if sections is not None else surface()
    lines = [HEADER, "## Contents", ""]
    lines += [f"- [`{s.module}`](#{s.module.replace('.', '')}): {s.purpose}" for s in sections]
    for section in sections:
        lines += ["", f"## `{section.module}`", "", section.purpose, ""]
        lines += [" · ".join(f"[`{e.title}`](#{e.name})" for e in section.entries), ""]
        for entry in section.entries:
            lines += _render_entry(entry, "###")
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say whether docs/api.md is stale (exit 1 if so)")
    args = parser.parse_args(argv)
    sections = surface()
    incomplete = problems(sections)
    for problem in incomplete:
        print(problem, file=sys.stderr)
    text = render(sections)
    stale = not PAGE.exists() or PAGE.read_text("utf-8") != text
    if args.check:
        if stale:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python scripts/genapi.py", file=sys.stderr)
        return 1 if stale or incomplete else 0
    if stale:
        PAGE.write_text(text, "utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
