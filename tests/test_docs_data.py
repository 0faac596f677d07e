"""The data-folder messages quoted in docs/mock.md are the mock's real output, word for word."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mockserver.__main__ import main
from tests.conftest import PINPOINT_RAW
from tests.serving import free_port

DOC = Path(__file__).parents[1] / "docs" / "mock.md"
P1 = "11111111-2222-4333-8444-555555555555"
P2 = "66666666-7777-4888-9999-aaaaaaaaaaaa"


def pinpoint(interview_id: str, **attributes: str) -> dict[str, Any]:
    return {**PINPOINT_RAW, "id": interview_id, "attributes": {**PINPOINT_RAW["attributes"], **attributes}}


def test_the_documented_problems_are_what_the_mock_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder the docs describe: team-a.json's second record has two mistakes, team-b.json a NaN."""
    block = re.search(r"<!-- data-problems-example[^>]*-->\n```\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/mock.md lost its data-problems example"
    folder = tmp_path / "data"
    folder.mkdir()
    accounts = [
        {"id": P1, "provider": "pinpoint", "label": "Team A", "records": "team-a.json"},
        {"id": P2, "provider": "pinpoint", "label": "Team B", "records": "team-b.json"},
    ]
    (folder / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
    team_a = [pinpoint("1"), pinpoint("2", status="rescheduled", start_at="10am")]
    (folder / "team-a.json").write_text(json.dumps(team_a), encoding="utf-8")
    (folder / "team-b.json").write_text(json.dumps([pinpoint("3")]).replace('"scheduled"', "NaN"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--data", "data", "--port", str(free_port())]) == 2
    assert capsys.readouterr().err == block.group(1)
