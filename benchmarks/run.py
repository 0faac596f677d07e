"""`make bench`: the kit's speed, each figure a ratio against a baseline measured in the same run.

Sections (all by default, or name some): checker, mock.
Rounds are interleaved (A B A B ...) and medians reported, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from contracts import interview_schema, validate_interview  # noqa: E402
from contracts.fields import PROVIDERS  # noqa: E402
from mockserver import create_app  # noqa: E402
from mockserver.dataset import load_accounts  # noqa: E402

ACCOUNTS = {a.provider: a.id for a in load_accounts()}
AUTH = {"Authorization": "Bearer bench"}


def line(name: str, ours: str, base: str, ratio: float, target: str) -> None:
    print(f"  {name:<44} {ours:>18} {base:>18} {ratio:>8.2f}x  {target}")


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':<44} {'ours':>18} {'baseline':>18} {'ratio':>9}  target")


def interleaved(funcs: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run each function once per round, in turn, and return the median of each."""
    results: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            results[name].append(func())
    return {name: statistics.median(values) for name, values in results.items()}


# --- checker ----------------------------------------------------------------------------------


def sample_interviews() -> list[tuple[str, dict[str, Any]]]:
    client = create_app().test_client()
    out = []
    for provider, account in ACCOUNTS.items():
        url = f"/unified/ats/interviews?integrated_account_id={account}&truto_ignore_limit=true"
        out += [(provider, item) for item in client.get(url, headers=AUTH).get_json()["result"]]
    return out


def bench_checker(rounds: int) -> None:
    import jsonschema

    items = sample_interviews()
    validators = {
        p: jsonschema.Draft202012Validator(
            interview_schema(p), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for p in PROVIDERS
    }

    def per_item(check: Callable[[str, dict[str, Any]], object], repeat: int) -> Callable[[], float]:
        def run() -> float:
            started = time.perf_counter()
            for _ in range(repeat):
                for provider, item in items:
                    check(provider, item)
            return (time.perf_counter() - started) / (repeat * len(items))

        return run

    ours = per_item(lambda p, i: validate_interview(i, provider=p), 200)
    theirs = per_item(lambda p, i: list(validators[p].iter_errors(i)), 10)
    medians = interleaved({"ours": ours, "jsonschema": theirs}, rounds)
    header(f"Checker: cost per interview ({len(items)} interviews, both providers, all rules)")
    line(
        "validate_interview vs jsonschema 2020-12",
        f"{medians['ours'] * 1e6:.1f} us",
        f"{medians['jsonschema'] * 1e6:.1f} us",
        medians["jsonschema"] / medians["ours"],
        ">= 100x faster",
    )


# --- strategies -------------------------------------------------------------------------------


def examples_per_second(strategy: Any, count: int) -> Callable[[], float]:
    from hypothesis import HealthCheck, Phase, given, settings

    def run() -> float:
        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def consume(value: Any) -> None:
            pass

        started = time.perf_counter()
        consume()
        return count / (time.perf_counter() - started)

    return run


def bench_strategies(rounds: int) -> None:
    from hypothesis import strategies as st

    from contracts.fields import fields_for
    from strategies import interviews

    header("Strategies: valid examples per second")
    for provider in PROVIDERS:
        keys = [f.name for f in fields_for(provider)]
        plain = st.fixed_dictionaries({k: st.text() for k in keys})
        medians = interleaved(
            {
                "ours": examples_per_second(interviews(provider=provider), 300),
                "plain": examples_per_second(plain, 300),
            },
            rounds,
        )
        line(
            f"interviews(provider={provider!r}) vs fixed_dictionaries",
            f"{medians['ours']:.0f} ex/s",
            f"{medians['plain']:.0f} ex/s",
            medians["ours"] / medians["plain"],
            ">= 0.5x",
        )


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, timeout: float = 30.0) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, headers=AUTH, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@contextmanager
def server(argv: Sequence[str], probe: str, env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(
        list(argv),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(probe)
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def load(url: str, seconds: float, connections: int = 16) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(HERE / "load.py"), url, str(seconds), str(connections)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def bench_mock(rounds: int, seconds: float) -> None:
    path = f"/unified/ats/interviews/9001?integrated_account_id={ACCOUNTS['ceipal']}"
    body = create_app().test_client().get(path, headers=AUTH).get_json()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    env = {"BENCH_BODY": handle.name, "PYTHONPATH": str(HERE)}
    ports = {name: free_port() for name in ("mock", "granian", "gunicorn")}
    py = sys.executable
    servers = {
        "mock": ([py, "-m", "mockserver", "--port", str(ports["mock"])], None),
        "granian": (
            [py, "-m", "granian", "--interface", "wsgi", "--workers", "1", "--blocking-threads", "4",
             "--port", str(ports["granian"]), "--log-level", "warning", "minimal_app:app"],
            env,
        ),
        "gunicorn": (
            [py, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{ports['gunicorn']}",
             "--log-level", "warning", "minimal_app:app"],
            env,
        ),
    }  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    with (
        server(servers["mock"][0], f"http://127.0.0.1:{ports['mock']}{path}"),
        server(servers["granian"][0], f"http://127.0.0.1:{ports['granian']}{path}", env),
        server(servers["gunicorn"][0], f"http://127.0.0.1:{ports['gunicorn']}{path}", env),
    ):
        for _ in range(rounds):
            for name in servers:
                results[name].append(load(f"http://127.0.0.1:{ports[name]}{path}", seconds))
    os.unlink(handle.name)
    rps = {n: statistics.median(r["rps"] for r in rs) for n, rs in results.items()}
    p99 = {n: statistics.median(r["p99_ms"] for r in rs) for n, rs in results.items()}
    errors = {n: sum(r["errors"] for r in rs) for n, rs in results.items()}
    header(f"Mock GET /unified/ats/interviews/{{id}}: 16 keep-alive clients, {rounds} x {seconds:.0f}s rounds")
    for ref, label in (
        ("granian", "minimal Flask, same server (granian)"),
        ("gunicorn", "minimal Flask, gunicorn 2 sync"),
    ):
        line(
            f"throughput vs {label}",
            f"{rps['mock']:.0f} req/s",
            f"{rps[ref]:.0f} req/s",
            rps["mock"] / rps[ref],
            ">= 1.0x",
        )
        line(
            f"p99 latency vs {label}",
            f"{p99['mock']:.1f} ms",
            f"{p99[ref]:.1f} ms",
            p99[ref] / p99["mock"],
            "(higher is better)",
        )
    if any(errors.values()):
        print(f"  non-200 answers: {errors}")


SECTIONS = ("checker", "strategies", "mock")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", choices=[*SECTIONS, []], default=list(SECTIONS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one load round")
    args = parser.parse_args(argv)
    python = sys.version.split()[0]
    print(f"truto-interviews-kit benchmarks, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {python}")
    if "checker" in args.sections:
        bench_checker(args.rounds)
    if "strategies" in args.sections:
        bench_strategies(args.rounds)
    if "mock" in args.sections:
        bench_mock(args.rounds, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
