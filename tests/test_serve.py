"""`python -m mockserver` really serves: banner, default bind address, and the printed curl line works."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from mockserver.__main__ import main
from tests.serving import free_port, wait_until_serving


def read_banner(process: subprocess.Popen[str]) -> str:
    """The banner up to its curl line; fails (never loops) if the output ends first."""
    assert process.stdout is not None
    banner = ""
    while "curl" not in banner:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the mock's output ended before its curl line:\n{banner}")
        banner += line
    return banner


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
        wait_until_serving(f"http://127.0.0.1:{port}/openapi.json", process)
        yield f"http://127.0.0.1:{port}", read_banner(process)
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


def test_stream_format_goes_out_chunked(served: tuple[str, str]) -> None:
    base, _ = served
    url = f"{base}/unified/ats/interviews?integrated_account_id=9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902"
    response = httpx.get(url + "&truto_response_format=stream", headers={"Authorization": "Bearer t0ps3cret"})
    assert response.status_code == 200 and response.headers.get("transfer-encoding") == "chunked"
    assert response.json()["result"]
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_favicon_is_an_icon(served: tuple[str, str]) -> None:
    response = httpx.get(f"{served[0]}/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00" and b"PNG" in response.content[:40]


def test_banner_says_to_export_the_token_given_by_flag(served: tuple[str, str]) -> None:
    """--token s3cret: the curl line reads $TRUTO_MOCK_TOKEN, so the banner says to export it first."""
    lines = served[1].splitlines()
    curl = next(n for n, line in enumerate(lines) if line.strip().startswith("curl"))
    assert lines[curl - 1].strip().startswith("export TRUTO_MOCK_TOKEN=<the --token value>")
    assert '"Authorization: Bearer $TRUTO_MOCK_TOKEN"' in lines[curl]
    assert "faults and limits: none" in served[1] and "within 5 s (--read-timeout)" in served[1]
    assert "request heads sent within 10 s (--head-timeout), 1000 connections open at most" in served[1]


def test_the_banner_waits_until_the_mock_answers() -> None:
    """A slow start (many generated records, no cache) says what it does, and the banner comes only
    when the worker answers: a request right after it gets its 200 at once, not after the build."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", str(port), "--records", "2000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TRUTO_MOCK_NO_CACHE": "1"},
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("generating 2000 records per account")
        assert "serving on" in process.stdout.readline()
        response = httpx.get(f"http://127.0.0.1:{port}/__mock__/accounts", timeout=0.5)
        assert response.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_default_bind_is_loopback() -> None:
    from mockserver.cli import build_parser

    assert build_parser().parse_args([]).host == "127.0.0.1"
    assert build_parser().parse_args([]).port == 8000


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--port", "0"], "truto-mock: --port: must be 1-65535, got 0"),
        (["--port", "70000"], "truto-mock: --port: must be 1-65535, got 70000"),
        (["--port", "abc"], "truto-mock: --port: must be a whole number, got 'abc'"),
        (["--port"], "truto-mock: --port: expected one argument"),
        (["--records", "-1"], "truto-mock: --records: must be 0-100000, got -1"),
        (["--records", "100001"], "truto-mock: --records: must be 0-100000, got 100001"),
        (["--records", "1.5"], "truto-mock: --records: must be a whole number, got 1.5"),
        (["--latency", "5-1"], "truto-mock: --latency: needs MIN <= MAX, got 5-1"),
        (["--latency", "fast"], "truto-mock: --latency: takes MS or MIN-MAX"),
        (["--error-rate", "2"], "truto-mock: --error-rate: must be a number between 0 and 1, got 2"),
        (["--journal-size", "0"], "truto-mock: --journal-size: must be 1 or more, got 0"),
        (["--token", " "], "truto-mock: --token: must be a non-empty string"),
        (["--bogus"], "truto-mock: unknown argument(s): --bogus"),
        (["--cors-origin", "not a url"], "truto-mock: --cors-origin: 'not a url' is not an origin"),
        (["--data", ""], "truto-mock: --data: must not be empty"),
        (["--journal-size", "1e9"], "truto-mock: --journal-size: must be a whole number, got 1e9 "),
        (
            ["--latency", "-5-10"],
            "truto-mock: --latency: expected one argument (a value starting with '-' needs the = form",
        ),
        (["--latency=-5-10"], "truto-mock: --latency: takes MS or MIN-MAX in milliseconds, got '-5-10'"),
        (
            ["--truto-rate-limits", "--rate-limit-token", "3"],
            "truto-mock: --truto-rate-limits: sets both limits itself",
        ),
        (["--rate-limit-account", "0", "--truto-rate-limits"], "truto-mock: --truto-rate-limits: sets both limits"),
        (["--token", "a b"], "truto-mock: --token: contains a space"),
        (["--token", "tok\u00e9n"], "truto-mock: --token: contains characters an HTTP header cannot carry"),
    ],
)
def test_bad_usage_is_one_line_naming_the_flag(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mockserver.serve.run", lambda *args, **kwargs: pytest.fail("accepted: it would serve"))
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith(line) and err.count("\n") == 1, err


def test_help_shows_groups_defaults_and_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: None)" not in out
    assert "serving:" in out and "data:" in out and "faults" in out
    assert "(default: 8000)" in out and "(default: 127.0.0.1)" in out
    assert "page at `/`" in out


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--host", "nosuch.invalid"], "not a usable address"),
        (["--host", "192.0.2.77"], "is not an address of this machine; try --host 127.0.0.1"),
    ],
)
def test_bind_errors_say_what_failed(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAKELEVEL", raising=False)  # `make test` sets it; the hint would say HOST=
    assert main([*argv, "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err and err.count("\n") == 1, err


def test_bind_hint_names_make_variables_under_make(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.serve import BindError, listen

    monkeypatch.setenv("MAKELEVEL", "1")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BindError, match=f"port {port} is in use .*; try PORT={port + 1}"):
            listen("127.0.0.1", port)


def test_a_port_in_time_wait_is_free_but_a_live_listener_is_not() -> None:
    """Restarting right after Ctrl-C: the old connections linger in TIME_WAIT, which must not block."""
    from mockserver.serve import BindError, listen

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the mock's own listener does
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(BindError, match="in use"):
            listen("127.0.0.1", port)
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first, so its end (local port `port`) waits in TIME_WAIT
        client.recv(1)
        client.close()
    listen("127.0.0.1", port).close()


def test_ctrl_c_while_starting_is_one_line_and_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("mockserver.serve.run", interrupted)
    monkeypatch.delenv("MAKELEVEL", raising=False)  # under make it exits 0 (make would add a line)
    assert main(["--records", "0"]) == 130
    assert capsys.readouterr().err == "truto-mock: interrupted while starting\n"


def test_ipv6_addresses_are_bracketed_in_messages() -> None:
    from mockserver.serve import BindError, listen

    with socket.socket(socket.AF_INET6) as taken:
        try:
            taken.bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback here")
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BindError, match=rf"cannot listen on \[::1\]:{port}: port {port} is in use"):
            listen("::1", port)


def test_missing_data_dir_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", "/nonexistent-folder"]) == 2
    assert "/nonexistent-folder: does not exist" in capsys.readouterr().err


def test_a_taken_port_is_an_error_not_a_shared_socket(served: tuple[str, str]) -> None:
    port = served[0].rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "--port", port], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}: port {port} is in use" in done.stderr


def test_banner_warns_when_bound_beyond_loopback() -> None:
    import io

    from mockserver.banner import banner
    from mockserver.config import MockConfig

    out = io.StringIO()
    banner(MockConfig(), "0.0.0.0", 8000, out)
    assert "warning: bound to 0.0.0.0" in out.getvalue()
    quiet = io.StringIO()
    banner(MockConfig(), "127.0.0.1", 8000, quiet)
    assert "warning" not in quiet.getvalue()


def test_banner_shows_each_account_label_once_quoted() -> None:
    import io

    from mockserver.banner import banner
    from mockserver.config import MockConfig

    out = io.StringIO()
    banner(MockConfig(), "127.0.0.1", 8000, out)  # the built-in accounts: "Ceipal (demo tenant)", ...
    [line] = [line for line in out.getvalue().splitlines() if line.lstrip().startswith("ceipal ")]
    assert line.endswith('integrated_account_id=c3a1f0de-5e2b-4b7a-9c41-0d2f6c8e1a01  "Ceipal (demo tenant)"'), line


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False)],
)
def test_loopback_is_judged_by_address(host: str, loopback: bool) -> None:
    from mockserver.banner import is_loopback

    assert is_loopback(host) is loopback


def _served_config(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> dict[str, object]:
    """What the command would serve with: run() is replaced by a recorder."""
    seen: dict[str, object] = {}

    def record(config: object, **kwargs: object) -> int:
        seen.update(kwargs, config=config)
        return 0

    monkeypatch.setattr("mockserver.serve.run", record)
    assert main(argv) == 0
    return seen


def test_token_from_the_environment_and_the_flag_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.config import MockConfig

    monkeypatch.setenv("TRUTO_MOCK_TOKEN", "from-env")
    seen = _served_config(monkeypatch, [])
    assert isinstance(seen["config"], MockConfig) and seen["config"].token == "from-env"
    assert seen["token_from"] == "env"
    seen = _served_config(monkeypatch, ["--token", "from-flag"])
    assert isinstance(seen["config"], MockConfig) and seen["config"].token == "from-flag"
    assert seen["token_from"] == "flag"
    monkeypatch.setenv("TRUTO_MOCK_TOKEN", "")  # set but empty: no token, as if unset
    seen = _served_config(monkeypatch, [])
    assert isinstance(seen["config"], MockConfig) and seen["config"].token is None


def test_a_bad_token_in_the_environment_is_one_line_without_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRUTO_MOCK_TOKEN", "sk live secret")
    monkeypatch.setattr("mockserver.serve.run", lambda *args, **kwargs: pytest.fail("accepted: it would serve"))
    with pytest.raises(SystemExit) as info:
        main([])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith("truto-mock: $TRUTO_MOCK_TOKEN: contains a space")
    assert "secret" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--read-timeout", "0"], "truto-mock: --read-timeout: must be more than 0 and at most 600 seconds, got 0"),
        (["--read-timeout", "soon"], "truto-mock: --read-timeout: must be a number of seconds, got 'soon'"),
        (["--read-timeout", "nan"], "truto-mock: --read-timeout: must be more than 0 and at most 600 seconds"),
        (["--head-timeout", "-1"], "truto-mock: --head-timeout: must be more than 0 and at most 600 seconds, got -1"),
        (["--max-connections", "0"], "truto-mock: --max-connections: must be 1 to 100000, got 0"),
        (["--max-connections", "many"], "truto-mock: --max-connections: must be a whole number of connections"),
    ],
)
def test_read_timeout_is_checked(argv: list[str], line: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    assert capsys.readouterr().err.startswith(line)


def test_banner_lists_faults_and_limits_and_never_the_token() -> None:
    import io

    from mockserver.banner import banner
    from mockserver.config import MockConfig

    config = MockConfig(
        latency_ms=(800, 1500), error_rate=0.3, rate_limit_token=6, rate_limit_account=50, token="s3cr3t-tok"
    )
    for source in ("flag", "env"):
        out = io.StringIO()
        banner(config, "127.0.0.1", 8000, out, token_from=source, read_timeout=2.5)  # type: ignore[arg-type]
        text = out.getvalue()
        assert "s3cr3t-tok" not in text
        assert (
            "faults and limits: latency 800-1500 ms, error rate 30% (random 500/502/503), "
            "rate limit 6 requests per 10 s per token, rate limit 50 requests per 10 s per integrated account" in text
        )
        assert "access: token required on /unified/* and /__mock__/*" in text
        assert "sent within 2.5 s (--read-timeout)" in text
        assert ("export TRUTO_MOCK_TOKEN" in text) is (source == "flag")
