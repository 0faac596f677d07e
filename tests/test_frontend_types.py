"""A strict TypeScript project (tests/frontend/) types itself from the document the mock SERVES and
compiles what a frontend writes (`data.result[0].id`, `data.next_cursor`, a Pinpoint `status`,
`candidate?.id`) with no cast or guard, while wrong values (`start_at: { gte: 42 }`...) do not compile.

Needs Node.js and npm: the pinned packages are installed with `npm ci` from the registry, once, into
tests/frontend/node_modules (kept between runs, reinstalled when package-lock.json changes).
Skipped, with the reason, where npm is not installed.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import create_app
from mockserver.live import LiveServer

PROJECT = Path(__file__).parent / "frontend"
MODULES = PROJECT / "node_modules"
STAMP = MODULES / ".truto-kit-lock-sha256"
"""The package-lock.json digest node_modules was installed from (npm ci runs again when it differs)."""
INSTALL_TIMEOUT = 300
"""Seconds `npm ci` may take (a cold install from the registry takes about 10)."""
RUN_TIMEOUT = 120
"""Seconds generating the types or one compile may take (each takes 1-3)."""
DOCS_PAGE = Path(__file__).parents[1] / "docs" / "mock.md"
"""Its TypeScript example is compiled with the project's own code."""
NPM = shutil.which("npm")
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NPM is None or NODE is None,
    reason="npm/node not installed: the strict TypeScript check of the served OpenAPI document needs Node.js and npm",
)


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args[:3])} did not finish within {timeout} s")


def _install() -> None:
    """`npm ci` once per package-lock.json, under a lock (parallel workers and runs share the folder)."""
    digest = hashlib.sha256((PROJECT / "package-lock.json").read_bytes()).hexdigest()
    with open(PROJECT / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if STAMP.is_file() and STAMP.read_text() == digest:
            return
        assert NPM is not None
        done = _run([NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"], PROJECT, INSTALL_TIMEOUT)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        STAMP.write_text(digest)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of tests/frontend with types generated from a running mock's /openapi.json."""
    _install()
    work = tmp_path_factory.mktemp("frontend")
    for name in ("tsconfig.json", "tsconfig.fail.json"):
        shutil.copy(PROJECT / name, work / name)
    shutil.copytree(PROJECT / "src", work / "src", ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(PROJECT / "fail", work / "fail")
    [example] = re.findall(r"```ts\n(.*?)```", DOCS_PAGE.read_text("utf-8"), re.S)
    (work / "src" / "docs-example.ts").write_text(example.replace('"./truto-interviews"', '"./generated/api"'))
    (work / "node_modules").symlink_to(MODULES)
    server = LiveServer()
    server.app = create_app({"records": 3})
    try:
        assert NODE is not None
        cli = str(MODULES / "openapi-typescript" / "bin" / "cli.js")
        url = f"{server.url}/openapi.json"
        done = _run([NODE, cli, url, "-o", "src/generated/api.ts"], work, RUN_TIMEOUT)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    finally:
        server.stop()
    yield work


def _tsc(project: Path, config: str) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return _run(
        [NODE, str(MODULES / "typescript" / "bin" / "tsc"), "-p", config, "--pretty", "false"], project, RUN_TIMEOUT
    )


def test_frontend_code_compiles_without_casts_or_guards(project: Path) -> None:
    source = (project / "src" / "reads.ts").read_text()
    for read in ("data.result[0].id", "data.next_cursor", "data.result[0].status", "data.result[0].candidate?.id"):
        assert read in source
    for code in (source, (project / "src" / "docs-example.ts").read_text()):
        assert not re.search(r"\bas\s+(unknown|any|[A-Z])|<any>|: any\b|\bis\s+[A-Z]|!\.", code), "casts or guards"
    done = _tsc(project, "tsconfig.json")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_wrong_values_do_not_compile(project: Path) -> None:
    source = (project / "fail" / "wrong-types.ts").read_text().splitlines()
    must_fail = {n for n, line in enumerate(source, start=1) if line.endswith("// MUST-FAIL")}
    assert len(must_fail) == 4 and any("start_at: { gte: 42 }" in source[n - 1] for n in must_fail)
    done = _tsc(project, "tsconfig.fail.json")
    errors = re.findall(r"^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$", done.stdout, re.M)
    assert done.returncode != 0 and errors, done.stdout[-4000:] + done.stderr[-2000:]
    assert {(path, int(line)) for path, line, _, _ in errors} == {("fail/wrong-types.ts", n) for n in must_fail}, errors
    assert all(code == "TS2322" for _, _, code, _ in errors), errors  # "Type X is not assignable to type Y"
