"""`python -m mockserver` really serves: banner, default bind address, and the printed curl line works."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from mockserver.__main__ import main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_serving(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the mock did not answer on {url} within {timeout}s")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "5", "--token", "t0ps3cret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/openapi.json")
        banner = ""
        assert process.stdout is not None
        while "curl" not in banner:
            banner += process.stdout.readline()
        yield f"http://127.0.0.1:{port}", banner
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_banner_lists_url_accounts_and_hides_the_token(served: tuple[str, str]) -> None:
    base, banner = served
    assert f"serving on {base}" in banner
    assert "ceipal    integrated_account_id=c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01" in banner
    assert "pinpoint  integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902" in banner
    assert "t0ps3cret" not in banner


def test_printed_curl_line_works(served: tuple[str, str]) -> None:
    _, banner = served
    line = next(line for line in banner.splitlines() if line.strip().startswith("curl"))
    args = shlex.split(line.strip().replace("$TRUTO_MOCK_TOKEN", "t0ps3cret"))
    header = args[args.index("-H") + 1].split(": ", 1)
    response = httpx.get(args[-1], headers={header[0]: header[1]})
    assert response.status_code == 200 and len(response.json()["result"]) == 2
    assert re.match(r"^http://127\.0\.0\.1:\d+/", args[-1])


def test_served_by_granian_with_chunked_stream(served: tuple[str, str]) -> None:
    base, _ = served
    url = f"{base}/unified/ats/interviews?integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
    response = httpx.get(url + "&truto_response_format=stream", headers={"Authorization": "Bearer t0ps3cret"})
    assert response.status_code == 200 and response.headers["server"] == "granian"
    assert response.headers.get("transfer-encoding") == "chunked"
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_default_bind_is_loopback() -> None:
    from mockserver.__main__ import build_parser

    assert build_parser().parse_args([]).host == "127.0.0.1"
    assert build_parser().parse_args([]).port == 8000


@pytest.mark.parametrize("argv", [["--port", "0"], ["--port", "70000"], ["--records", "-1"], ["--bogus"]])
def test_bad_usage_exits_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_missing_data_dir_exits_2(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", "/nonexistent-folder"]) == 2
    assert "accounts.json not found" in capsys.readouterr().err


def test_a_taken_port_is_an_error_not_a_shared_socket(served: tuple[str, str]) -> None:
    port = served[0].rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "--port", port], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2 and "cannot listen on 127.0.0.1" in done.stderr and "Traceback" not in done.stderr


def test_banner_warns_when_bound_beyond_loopback() -> None:
    import io

    from mockserver.config import MockConfig
    from mockserver.serve import banner

    out = io.StringIO()
    banner(MockConfig(), "0.0.0.0", 8000, out)
    assert "warning: bound to 0.0.0.0" in out.getvalue()
    quiet = io.StringIO()
    banner(MockConfig(), "127.0.0.1", 8000, quiet)
    assert "warning" not in quiet.getvalue()
