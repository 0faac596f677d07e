"""A non-editable install carries the default data (as `contracts/fixtures/`) and works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(kit_wheel: Path) -> Path:
    return kit_wheel


def test_wheel_holds_packages_fixtures_and_entry_points(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "contracts/fixtures/accounts.json",
        "contracts/fixtures/ceipal_interviews.json",
        "contracts/fixtures/pinpoint_interviews.json",
        "contracts/py.typed",
        "mockserver/py.typed",
        "strategies/py.typed",
    ):
        assert expected in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "truto-mock = mockserver.__main__:main" in text
    assert "[pytest11]" in text and "truto_interviews = mockserver.plugin" in text
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)  # no top-level `fixtures` package
    assert "contracts/fixtures/__init__.py" not in names


def test_the_page_templates_ship_and_the_build_warns_of_nothing_left_out(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(p.name for p in (ROOT / "mockserver" / "templates").glob("*.html"))
    assert templates and all(f"mockserver/templates/{name}" in names for name in templates)
    log = (wheel.parent / "build.log").read_text()
    assert "would be ignored" not in log and "absent from the `packages` configuration" not in log, log


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("contracts", "mockserver", "strategies")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_installed_copy_works_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import mockserver, contracts; app = mockserver.create_app(); "
        f"assert mockserver.__file__.startswith({str(target)!r}); "
        "r = app.test_client().get('/__mock__/accounts'); print(len(r.get_json()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
