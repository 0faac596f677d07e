"""Shared test set-up: Hypothesis profiles and small factories of good interviews."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from contracts.providers import PROVIDERS, provider_module

settings.register_profile("ci", max_examples=40, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def raw_example(provider: str) -> dict[str, Any]:
    """A fresh copy of `provider`'s example raw record (`Provider.example`, the registry's)."""
    return copy.deepcopy(dict(provider_module(provider).example))


CEIPAL_RAW = raw_example("ceipal")
PINPOINT_RAW = raw_example("pinpoint")
RAW = {name: raw_example(name) for name in PROVIDERS}


def good_interview(provider: str) -> dict[str, Any]:
    """A conforming unified interview for `provider`: its example record, mapped."""
    raw = raw_example(provider)
    return {**provider_module(provider).to_unified(raw), "remote_data": raw}


@pytest.fixture(params=list(PROVIDERS))
def provider(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The generated-data cache of this run lives in pytest's temporary folder (which pytest prunes),
    not in the user's home; the environment is restored when the session ends."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def kit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit built as a wheel, once per session (packaging and consumer tests install it)."""
    root = Path(__file__).parents[1]
    out = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy: a stale build/ folder in the checkout would otherwise leak into the wheel.
    source = tmp_path_factory.mktemp("source") / "kit"
    shutil.copytree(
        root, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "tests")
    )
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    done = subprocess.run([*command, str(source)], check=True, capture_output=True, text=True)
    (out / "build.log").write_text(done.stdout + done.stderr)  # tests/test_packaging.py reads the warnings
    [built] = out.glob("truto_interviews_kit-*.whl")
    return built
