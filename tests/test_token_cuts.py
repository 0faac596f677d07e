"""No part of the token survives a cut: text from the server is masked first, then shortened. A 302
whose Location ends with the token (cut at 200 characters), a text/html body ending with it (the
`not-json` message cuts at 60, the body snippet at 200 bytes), a 200 cut short mid-token: at lengths
around each cut, the token's first four characters appear in no output and no file of the gate or
the recorder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.__main__ import main
from contracts.live.masking import MASK, mask_bytes, mask_text
from contracts.live.probe import LOCATION_CHARS
from mockserver.live import LiveServer
from tests.gate_helpers import gate
from tests.hostile import TOKEN
from tests.mock_helpers import CEIPAL_ACCOUNT
from tests.test_gate_trust import Trouble, TroubleProxy

PREFIX = TOKEN[:4]  # "sk-l": the least of the token that must never show
RAW_CHECK = ["--account", f"ceipal={CEIPAL_ACCOUNT}", "--check", "list format=raw", "--max-ids", "1"]
HOST = "https://o.example/"
NOT_JSON_CUT, SNIPPET_CUT = 60, 200  # contracts.jsontext's snippet of a body that is not JSON; judge.SNIPPET_BYTES


def around(cut: int, lead: int = 0) -> list[int]:
    """Paddings that put the cut before, inside (several places) and after the token."""
    start = cut - lead - len(TOKEN)
    return [start - 2, start, start + 1, start + 4, start + 9, start + len(TOKEN) - 1, start + len(TOKEN) + 2]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def on_raw(status: str, headers: list[tuple[str, str]], body: bytes) -> Trouble:
    """The `format=raw` list answered with this (the probe, a unified list, is answered normally)."""

    def trouble(environ: dict[str, Any], s: str, h: list[tuple[str, str]], b: bytes) -> Any:
        return (status, headers, body) if "truto_response_format=raw" in environ.get("QUERY_STRING", "") else (s, h, b)

    return trouble


def everywhere(trouble: Trouble, server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A gate run (every report) and a recording against `trouble`: all they printed and wrote."""
    server.app = TroubleProxy(trouble)  # type: ignore[assignment]
    js, junit, saved = tmp_path / "gate.json", tmp_path / "gate.xml", tmp_path / "baseline.json"
    code, out, err = gate(["--base-url", server.url, *RAW_CHECK, "--json-report", str(js), "--junit-xml",
                           str(junit), "--save-baseline", str(saved)], capsys, token=TOKEN)  # fmt: skip
    assert code == 1, out + err  # the raw list is violated: the run did reach the cut text
    texts = [out, err, *(p.read_text() for p in (js, junit, saved))]
    return "\n".join(texts)


def test_a_long_location_ending_in_the_token_is_masked_before_it_is_cut(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in around(LOCATION_CHARS, len(HOST)):
        location = HOST + "a" * n + TOKEN
        seen = everywhere(on_raw("302 Found", [("Location", location)], b"{}"), server, tmp_path, capsys)
        assert "a redirect to https://o.example/aaa" in seen  # the Location is shown, cut
        assert PREFIX not in seen, f"{n}: {seen}"


def test_a_not_json_body_ending_in_the_token_is_masked_before_its_message_and_snippet_cut(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = [("Content-Type", "text/html; charset=utf-8")]
    for n in around(NOT_JSON_CUT) + around(SNIPPET_CUT):
        seen = everywhere(on_raw("200 OK", html, b"x" * n + TOKEN.encode()), server, tmp_path, capsys)
        assert "is not JSON" in seen and "xxxx" in seen  # the message and the snippet are shown, cut
        assert PREFIX not in seen, f"{n}: {seen}"


def test_the_recorder_masks_a_location_before_it_is_cut(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in around(LOCATION_CHARS, len(HOST))[1:4]:
        location = HOST + "a" * n + TOKEN
        server.app = TroubleProxy(lambda e, s, h, b, where=location: ("302 Found", [("Location", where)], b"{}"))  # type: ignore[assignment,misc]
        rec = tmp_path / f"rec{n}"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TRUTO_API_TOKEN", TOKEN)
            code = main(
                ["record", "--base-url", server.url, "--account", f"ceipal={CEIPAL_ACCOUNT}", "--out", str(rec)]
            )
        out, err = capsys.readouterr()
        assert code == 2 and "a redirect to https://o.example/aaa" in err, out + err
        files = [p.read_text() for p in rec.rglob("*") if p.is_file()] if rec.exists() else []
        assert PREFIX not in out + err + "".join(files), f"{n}: {out + err}"


def test_masking_takes_the_whole_token_and_a_tail_cut_mid_token() -> None:
    assert mask_bytes(b'{"a": "' + TOKEN.encode() + b'"}', TOKEN) == b'{"a": "' + MASK.encode() + b'"}'
    assert mask_bytes(b'{"title": "' + TOKEN[:9].encode(), TOKEN) == b'{"title": "' + MASK.encode()
    assert mask_text("ends in sk-", TOKEN) == "ends in sk-"  # three characters are not the token
    assert mask_text("x" + TOKEN[:4], TOKEN) == "x" + MASK
    assert mask_bytes(b"anything", "abc") == b"anything"  # too short to mask
