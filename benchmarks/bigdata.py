"""`make bench ARGS=big-data`: a large data folder (200 MB by default, issue 21's case): how long the
mock takes to start serving it and its peak memory, against reading the same file with orjson alone.

The folder holds one Pinpoint account whose records file repeats 2,000 generated records under
fresh ids, about 490 bytes each (200 MB: about 430,000 records).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ACCOUNT = "11111111-2222-4333-8444-555555555555"
MB = 1024 * 1024


def write_folder(folder: Path, megabytes: int) -> int:
    """A data folder of about `megabytes` MB; the number of records written."""
    from mockserver.dataset import generate

    templates = [json.dumps(r, ensure_ascii=False) for r in generate("pinpoint", seed=1, count=2000)]
    accounts = [{"id": ACCOUNT, "provider": "pinpoint", "label": "big", "records": "big.json"}]
    (folder / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
    count, size = 0, 0
    with open(folder / "big.json", "w", encoding="utf-8") as out:
        out.write("[")
        while size < megabytes * MB:
            text = templates[count % len(templates)].replace('"id": "', f'"id": "{count}-', 1)
            out.write(("," if count else "") + text + "\n")
            size += len(text.encode()) + 2
            count += 1
        out.write("]")
    return count


def measure(code: str) -> tuple[float, float]:
    """(seconds, peak MiB) of a fresh interpreter running `code` (VmHWM: this process only)."""
    script = (
        "import time\nstarted = time.perf_counter()\n"
        f"{code}\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(elapsed, peak)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, peak_kib = done.stdout.split()[-2:]
    return float(seconds), int(peak_kib) / 1024


def served(folder: Path, timeout: float = 1800.0) -> tuple[float, float]:
    """`python -m mockserver --data FOLDER`: (seconds from spawn to its first 200, peak MiB of its
    processes then)."""
    sys.path.insert(0, str(HERE))
    from procs import AUTH, free_port, mock_server

    port = free_port()
    probe = f"http://127.0.0.1:{port}/unified/ats/interviews/0-500?integrated_account_id={ACCOUNT}"
    started = time.perf_counter()
    argv = mock_server(port, "--data", str(folder), "--no-watch")
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"the mock exited with {process.returncode}")
            try:
                if httpx.get(probe, headers=AUTH, timeout=5).status_code == 200:
                    return time.perf_counter() - started, _peak_mib(process.pid)
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"no answer within {timeout:.0f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def _peak_mib(pid: int) -> float:
    """The largest VmHWM among the process and its children (a server may build in a worker)."""
    pids = [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    peaks = []
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        peaks.append(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")))
    return max(peaks) / 1024


def bench_big_data(megabytes: int, line: Callable[..., None], header: Callable[[str], None]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="truto-bench-data-"))
    try:
        started = time.perf_counter()
        count = write_folder(folder, megabytes)
        print(f"\n(wrote {megabytes} MB, {count} records, in {time.perf_counter() - started:.0f} s)")
        path = folder / "big.json"
        header(f"A {megabytes} MB data folder ({count} records)")
        base_s, base_mib = measure(f"import orjson\nvalue = orjson.loads(open({str(path)!r}, 'rb').read())")
        build = (
            "from mockserver.config import MockConfig\nfrom mockserver.state import MockState\n"
            f"state = MockState.build(MockConfig(data_dir={str(folder)!r}))"
        )
        ours_s, ours_mib = measure(build)
        line("check + build the state vs orjson.loads alone", f"{ours_s:.1f} s", f"{base_s:.1f} s", ours_s / base_s, "")
        line("peak memory of that vs orjson.loads alone", f"{ours_mib:.0f} MiB", f"{base_mib:.0f} MiB",
             ours_mib / base_mib, "")  # fmt: skip
        served_s, served_mib = served(folder)
        line("python -m mockserver --data: spawn to first 200", f"{served_s:.1f} s", f"{base_s:.1f} s",
             served_s / base_s, "")  # fmt: skip
        line("its peak memory (largest process)", f"{served_mib:.0f} MiB", f"{base_mib:.0f} MiB",
             served_mib / base_mib, "")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
