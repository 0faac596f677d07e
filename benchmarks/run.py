"""`make bench`: the kit's speed, each figure a ratio against a baseline measured in the same run.

Sections (all by default, or name some): checker, strategies (first draw, draws/s, variety), respx,
throughput, gate, gate-paced, cold-start, memory, big-data (a 200 MB data folder; `--data-mb` for another size).
Rounds are interleaved (A B A B ...) and medians reported, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from contracts import interview_schema, validate_interview  # noqa: E402
from contracts.providers import PROVIDERS  # noqa: E402
from mockserver import create_app  # noqa: E402
from mockserver.dataset import load_accounts  # noqa: E402

sys.path.insert(0, str(HERE))
from procs import (  # noqa: E402
    AUTH,
    LOAD_GENERATOR,
    free_port,
    gunicorn_minimal,
    load,
    mock_server,
    peak_rss_mib,
    server,
)

ACCOUNTS = {a.provider: a.id for a in load_accounts()}


def line(name: str, ours: str, base: str, ratio: float, target: str) -> None:
    print(f"  {name:<52} {ours:>14} {base:>14} {ratio:>8.2f}x  {target}")


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':<52} {'ours':>14} {'baseline':>14} {'ratio':>9}  target")


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

    from contracts.providers import fields_for
    from strategies import interviews, raw_interviews

    header("Strategies: valid examples (draws) per second")
    for provider in PROVIDERS:
        keys = [f.name for f in fields_for(provider)]
        plain = st.fixed_dictionaries({k: st.text() for k in keys})
        for name, strategy in (
            ("interviews", interviews(provider=provider)),
            ("raw_interviews", raw_interviews(provider=provider)),
        ):
            medians = interleaved(
                {"ours": examples_per_second(strategy, 300), "plain": examples_per_second(plain, 300)}, rounds
            )
            line(
                f"{name}(provider={provider!r}) vs fixed_dictionaries",
                f"{medians['ours']:.0f} ex/s",
                f"{medians['plain']:.0f} ex/s",
                medians["ours"] / medians["plain"],
                ">= 0.5x",
            )


FIRST_DRAW = """
import sys, time
import strategies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
strategy = eval(sys.argv[1])
started, seen = time.perf_counter(), []
@settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategy)
def draw(value):
    seen.append(time.perf_counter())
draw()
print(seen[0] - started)
"""


def first_draw_seconds(expression: str) -> Callable[[], float]:
    """A fresh process: seconds from `import strategies` returning to the first example drawn."""
    import subprocess

    def run() -> float:
        done = subprocess.run(
            [sys.executable, "-c", FIRST_DRAW, expression], capture_output=True, text=True, check=True, cwd=ROOT
        )
        return float(done.stdout.strip())

    return run


def bench_first_draw(rounds: int) -> None:
    from contracts.providers import fields_for

    header("Strategies: first draw in a fresh process, after `import strategies`")
    for provider in PROVIDERS:
        keys = [f.name for f in fields_for(provider)]
        plain = f"st.fixed_dictionaries({{k: st.text() for k in {keys!r}}})"
        for name in ("interviews", "raw_interviews"):
            medians = interleaved(
                {
                    "ours": first_draw_seconds(f"strategies.{name}(provider={provider!r})"),
                    "plain": first_draw_seconds(plain),
                },
                rounds,
            )
            ours_ms = medians["ours"] * 1000
            line(
                f"{name}(provider={provider!r}) vs fixed_dictionaries",
                f"{ours_ms:.1f} ms",
                f"{medians['plain'] * 1000:.1f} ms",
                medians["ours"] / medians["plain"],
                f"<= 50 ms ({'met' if ours_ms <= 50 else 'missed'})",
            )


def distinct_share(strategy: Any, count: int) -> float:
    """The share of distinct examples among `count` draws (repeats waste a property test's budget)."""
    from hypothesis import HealthCheck, Phase, given, settings

    seen: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        seen.append(json.dumps(value, sort_keys=True))

    collect()
    return len(set(seen)) / len(seen)


def bench_strategy_quality(rounds: int) -> None:
    from strategies import interviews

    header("Strategies: distinct examples in 400 draws, valid interviews per second")
    for provider in PROVIDERS:
        share = statistics.median(distinct_share(interviews(provider=provider), 400) for _ in range(rounds))
        line(f"interviews(provider={provider!r}) distinct share", f"{share:.1%}", "100%", share, ">= 0.95x")
    for provider in PROVIDERS:
        rate = statistics.median(examples_per_second(interviews(provider=provider), 400)() for _ in range(rounds))
        line(f"interviews(provider={provider!r}) valid interviews/s", f"{rate:.0f}/s", "1000/s", rate / 1000,
             ">= 1.0x")  # fmt: skip


# --- in-process (respx) -------------------------------------------------------------------------


def bench_respx(rounds: int) -> None:
    """An httpx call answered by `truto_respx` against the same call to a static respx route holding
    the same body; and the per-test reset the fixtures do."""
    import httpx
    import respx

    from contracts.truto import TRUTO_BASE_URL
    from mockserver.config import MockConfig
    from mockserver.inprocess import TrutoRouter, core_responder
    from mockserver.live import AppCache

    cache = AppCache()
    app = cache.get(MockConfig())
    account = ACCOUNTS["pinpoint"]
    cases = {
        "get one": f"{TRUTO_BASE_URL}/unified/ats/interviews/412?integrated_account_id={account}",
        "list page": f"{TRUTO_BASE_URL}/unified/ats/interviews?integrated_account_id={account}",
    }
    header("truto_respx: one httpx call (response read as JSON) vs a static respx route, medians")
    for name, url in cases.items():
        body = app.test_client().get(url.removeprefix(TRUTO_BASE_URL), headers=AUTH).get_data()
        static = respx.MockRouter(assert_all_called=False)
        static.get(url).respond(200, content=body, headers={"Content-Type": "application/json"})
        truto = TrutoRouter(core_responder(app))

        def per_call(router: respx.MockRouter, url: str = url, repeat: int = 300) -> Callable[[], float]:
            def run() -> float:
                with router, httpx.Client(headers=AUTH) as client:
                    client.get(url).json()
                    started = time.perf_counter()
                    for _ in range(repeat):
                        client.get(url).json()
                    return (time.perf_counter() - started) / repeat

            return run

        medians = interleaved({"truto": per_call(truto), "static": per_call(static)}, rounds)
        line(f"{name}: truto_respx vs static route", f"{medians['truto'] * 1e6:.0f} us",
             f"{medians['static'] * 1e6:.0f} us", medians["truto"] / medians["static"], "<= 1.5x")  # fmt: skip

    def reset(repeat: int = 2000) -> float:
        config = MockConfig()
        started = time.perf_counter()
        for _ in range(repeat):
            cache.get(config)
        return (time.perf_counter() - started) / repeat

    took = statistics.median(reset() for _ in range(rounds))
    line("per-test reset (the fixtures' app lookup and reset)", f"{took * 1e3:.3f} ms", "0.3 ms", took / 0.3e-3,
         "<= 1.0x")  # fmt: skip


# --- servers ----------------------------------------------------------------------------------


def _body_file(path: str, records: int) -> str:
    body = create_app({"records": records}).test_client().get(path, headers=AUTH).get_json()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    return handle.name


def bench_throughput(rounds: int, seconds: float) -> None:
    """The mock against the reference (a minimal Flask app returning the same JSON with `jsonify` on
    gunicorn, 2 sync workers), 16 keep-alive clients, both servers up side by side, rounds interleaved."""
    records = 120  # enough for a full page at limit=100
    cases = {
        "GET /unified/ats/interviews/{id}": f"/unified/ats/interviews/9001?integrated_account_id={ACCOUNTS['ceipal']}",
        "GET /unified/ats/interviews?limit=100": (
            f"/unified/ats/interviews?integrated_account_id={ACCOUNTS['pinpoint']}&limit=100"
        ),
    }
    for title, path in cases.items():
        body = _body_file(path, records)
        env = {"BENCH_BODY": body, "PYTHONPATH": str(HERE)}
        ports = {name: free_port() for name in ("mock", "gunicorn")}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in ports}
        with (
            server(mock_server(ports["mock"], "--records", str(records)), f"http://127.0.0.1:{ports['mock']}{path}"),
            server(gunicorn_minimal(ports["gunicorn"]), f"http://127.0.0.1:{ports['gunicorn']}{path}", env),
        ):
            for _ in range(rounds):
                for name, port in ports.items():
                    results[name].append(load(f"http://127.0.0.1:{port}{path}", seconds))
        os.unlink(body)
        rps = {n: statistics.median(r["rps"] for r in rs) for n, rs in results.items()}
        p99 = {n: statistics.median(r["p99_ms"] for r in rs) for n, rs in results.items()}
        header(f"Mock {title}: 16 keep-alive clients, {rounds} x {seconds:.0f}s rounds, medians")
        print(f"  load generator: {LOAD_GENERATOR}")
        label = "minimal Flask, gunicorn 2 sync (reference)"
        line(f"req/s vs {label}", f"{rps['mock']:.0f} req/s", f"{rps['gunicorn']:.0f} req/s",
             rps["mock"] / rps["gunicorn"], ">= 1.0x")  # fmt: skip
        line(f"p99 vs {label}", f"{p99['mock']:.1f} ms", f"{p99['gunicorn']:.1f} ms", p99["gunicorn"] / p99["mock"],
             "higher is better")  # fmt: skip
        errors = {n: sum(r["errors"] for r in rs) for n, rs in results.items()}
        if any(errors.values()):
            print(f"  non-200 answers: {errors}")


def _gate_config(base: str, accounts: tuple[Any, ...]) -> Any:
    from contracts.live.runner import GateConfig

    return GateConfig(base, accounts, "bench")


def bench_gate(rounds: int) -> None:
    """Gate: checked responses per second against the default mock, next to plain GETs of the same URLs."""
    import httpx

    from contracts.live.accounts import Account
    from contracts.live.runner import run_gate

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    accounts = tuple(Account(p, a, p) for p, a in ACCOUNTS.items())
    with server(mock_server(port), f"{base}/openapi.json"):
        config = _gate_config(base, accounts)
        targets: list[str] = []

        def gate() -> float:
            started = time.perf_counter()
            run = run_gate(config)
            assert run.exit_code == 0, "the gate failed against the mock"
            targets[:] = [r.url[len(base) :] for r in run.results]
            return len(run.results) / (time.perf_counter() - started)

        def plain() -> float:
            with httpx.Client(base_url=base, headers=AUTH) as client:
                started = time.perf_counter()
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=config.concurrency * len(accounts)) as pool:
                    list(pool.map(lambda t: client.get(t).content, targets))
                return len(targets) / (time.perf_counter() - started)

        gate()  # warm up, and learn the URLs
        medians = interleaved({"gate": gate, "plain": plain}, rounds)
    header(f"Gate against the default mock ({len(targets)} responses per run)")
    line("checked responses/s vs plain GETs of the same", f"{medians['gate']:.0f}/s", f"{medians['plain']:.0f}/s",
         medians["gate"] / medians["plain"], f">= 500/s ({medians['gate'] / 500:.2f}x of target)")  # fmt: skip


def bench_gate_paced() -> None:
    """Gate under Truto's limits (mock --truto-rate-limits, three accounts): wall time against the
    floor the limits set (each account's requests at 50 per 10 s; all of them at 500 per 10 s)."""
    import httpx

    from contracts.limits import TRUTO_LIMITS
    from contracts.live.accounts import Account
    from contracts.live.runner import run_gate

    folder = Path(tempfile.mkdtemp(prefix="gate-bench-"))
    for name in ("ceipal_interviews.json", "pinpoint_interviews.json"):
        (folder / name).write_text((ROOT / "fixtures" / name).read_text())
    accounts = (*(Account(p, a, p) for p, a in ACCOUNTS.items()),
                Account("ceipal", "5b0c8e2a-7d41-4f3e-9a6b-2c8d1e0f4a13", "ceipal-2"))  # fmt: skip
    (folder / "accounts.json").write_text(json.dumps([{"id": a.id, "provider": a.provider} for a in accounts]))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server(mock_server(port, "--truto-rate-limits", "--data", str(folder)), f"{base}/openapi.json"):
        httpx.post(f"{base}/__mock__/reset")  # the readiness probe counted against the token
        started = time.perf_counter()
        run = run_gate(_gate_config(base, accounts))
        wall = time.perf_counter() - started
    per_account = {a.label: 1 + sum(r.attempts for r in run.results if r.account == a.label) for a in accounts}
    total = sum(per_account.values())
    floor = max(
        max(per_account.values()) / TRUTO_LIMITS.per_account.per_second, total / TRUTO_LIMITS.per_token.per_second
    )
    header(f"Gate under --truto-rate-limits, three accounts ({total} requests, exit {run.exit_code})")
    line("wall time vs the floor the limits set (requests / rate)", f"{wall:.1f} s", f"{floor:.1f} s",
         wall / floor, "<= 1.2x")  # fmt: skip
    print(f"  answers with 429: {run.throttled} (target 0)")


def bench_cold_start(rounds: int) -> None:
    """Spawn to first 200: `python -m mockserver` against the reference app on gunicorn."""
    path = f"/unified/ats/interviews/9001?integrated_account_id={ACCOUNTS['ceipal']}"
    body = _body_file(path, 25)
    env = {"BENCH_BODY": body, "PYTHONPATH": str(HERE)}

    def start(argv_for: Callable[[int], list[str]], extra_env: dict[str, str] | None) -> Callable[[], float]:
        def run() -> float:
            port = free_port()
            with server(argv_for(port), f"http://127.0.0.1:{port}{path}", extra_env) as seconds:
                return seconds

        return run

    variants = {
        "mock": start(mock_server, None),  # the generated data comes from the cache after round one
        "mock, no data cache": start(mock_server, {"TRUTO_MOCK_NO_CACHE": "1"}),
        "minimal": start(gunicorn_minimal, env),
    }
    medians = interleaved(variants, rounds)
    os.unlink(body)
    header("Cold start: spawn to the first 200")
    base = medians["minimal"]
    for name, label in (("mock", "data cache warm"), ("mock, no data cache", "no data cache")):
        ours = medians[name]
        line(
            f"python -m mockserver ({label}) vs minimal Flask", f"{ours:.2f} s", f"{base:.2f} s", ours / base, "<= 1.5x"
        )


def bench_memory() -> None:
    mock = peak_rss_mib("from mockserver import create_app\napp = create_app({'records': 4996})")
    minimal = peak_rss_mib("from flask import Flask\napp = Flask('minimal')")
    header("Peak memory with 10,000 interviews loaded")
    line("mock (create_app, 10,001 interviews) vs bare Flask", f"{mock:.1f} MiB", f"{minimal:.1f} MiB",
         mock / minimal, f"<= 60 MiB ({'met' if mock <= 60 else 'missed'})")  # fmt: skip


SECTIONS = ("checker", "strategies", "respx", "throughput", "gate", "gate-paced", "cold-start", "memory", "big-data")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"any of: {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one load round")
    parser.add_argument("--data-mb", type=int, default=200, help="size of the big-data section's data folder")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.sections = args.sections or list(SECTIONS)
    python = sys.version.split()[0]
    print(f"truto-interviews-kit benchmarks, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {python}")
    if "checker" in args.sections:
        bench_checker(args.rounds)
    if "strategies" in args.sections:
        bench_first_draw(args.rounds)
        bench_strategies(args.rounds)
        bench_strategy_quality(args.rounds)
    if "respx" in args.sections:
        bench_respx(args.rounds)
    if "throughput" in args.sections:
        bench_throughput(args.rounds, args.seconds)
    if "gate" in args.sections:
        bench_gate(args.rounds)
    if "gate-paced" in args.sections:
        bench_gate_paced()
    if "cold-start" in args.sections:
        bench_cold_start(args.rounds)
    if "memory" in args.sections:
        bench_memory()
    if "big-data" in args.sections:
        from bigdata import bench_big_data

        bench_big_data(args.data_mb, line, header)
    return 0


if __name__ == "__main__":
    sys.exit(main())
