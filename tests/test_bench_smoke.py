"""`make bench` must keep working: its quick sections run here once, with one round."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "run.py"


def test_quick_sections_print_their_ratios() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "checker", "respx", "memory", "--rounds", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "validate_interview vs jsonschema 2020-12" in done.stdout
    assert "Peak memory with 10,000 interviews loaded" in done.stdout
    assert "get one: truto_respx vs static route" in done.stdout
    assert done.stdout.count("x  ") >= 2  # each line carries a ratio


def test_unknown_section_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "nope"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "unknown section(s) nope" in done.stderr
