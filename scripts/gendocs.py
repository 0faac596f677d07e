"""Generate the docs' tables from the code: `python scripts/gendocs.py` rewrites them in place,
`--check` exits 1 naming each stale page (tests/test_docs.py runs the same comparison).

Lives outside the packages on purpose: the kit never parses its own source at run time.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import itertools
import sys
from collections.abc import Callable
from dataclasses import MISSING, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def settings_docs() -> dict[str, str]:
    """Each MockConfig field's docstring (the string under its annotation), one line, `|` escaped."""
    from mockserver.config import MockConfig

    [cls] = ast.parse(inspect.getsource(MockConfig)).body
    assert isinstance(cls, ast.ClassDef)
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(cls.body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
        ):
            docs[node.target.id] = " ".join(str(after.value.value).split()).replace("|", "\\|")
    return docs


def marker_table() -> str:
    """The table of the `truto_mock` marker's keywords (docs/pytest.md), from MockConfig and the
    plugin's own keywords."""
    from mockserver.config import MockConfig
    from mockserver.plugin import PLUGIN_SETTINGS

    docs = settings_docs()
    rows = ["| keyword | default | what |", "|---|---|---|"]
    for f in fields(MockConfig):
        if f.default is not MISSING:
            rows.append(f"| `{f.name}` | `{f.default!r}` | {docs.get(f.name, '')} |")
    for name, (default, doc) in PLUGIN_SETTINGS.items():
        rows.append(f"| `{name}` | `{default!r}` | {doc} |")
    return "\n".join(rows)


GENERATED: dict[str, tuple[str, Callable[[], str]]] = {
    "marker-table": ("docs/pytest.md", marker_table),
}
"""Each generated block: its marker name, the page holding it, and the function writing it."""


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with the block between `<!-- name ... -->` and `<!-- /name -->` replaced by `content`."""
    start = text.index(f"<!-- {name}")
    body = text.index("-->", start) + len("-->")
    end = text.index(f"<!-- /{name} -->", body)
    return f"{text[:body]}\n{content}\n{text[end:]}"


def stale_pages() -> dict[Path, str]:
    """The pages whose generated blocks differ from the code, with their up-to-date text."""
    pages: dict[Path, str] = {}
    for name, (page, generate) in GENERATED.items():
        path = ROOT / page
        pages[path] = replace_block(pages.get(path) or path.read_text("utf-8"), name, generate())
    return {path: text for path, text in pages.items() if text != path.read_text("utf-8")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say which pages are stale (exit 1 if any)")
    args = parser.parse_args(argv)
    stale = stale_pages()
    for path, text in stale.items():
        if args.check:
            print(f"{path.relative_to(ROOT)} is stale: run python scripts/gendocs.py", file=sys.stderr)
        else:
            path.write_text(text, "utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
