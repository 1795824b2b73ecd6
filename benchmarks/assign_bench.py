"""Benchmark of ``allocator assign`` (issue 19): whole-process timings, median of several runs.

    .venv/bin/python benchmarks/assign_bench.py              # every case, 3 runs each
    .venv/bin/python benchmarks/assign_bench.py keqiao -n 5  # chosen cases

Each case runs ``python -m allocator assign ... --export DIR -q`` as a separate process.  The
table shows the median (min - max) of: the whole process's wall time; "after the allocation",
that wall time less the allocation's own time as summary.json records it (reading both files
and solving the allocation; Python's start-up stays in, so the figure is on the safe side);
each assignment stage's status, gap and seconds (from the median run); and the peak resident
memory of the process (os.wait4).  Commissioners files other than the bundled one are
generated into benchmarks/cache/ on first use:

    keqiao            the bundled files (1,842 people, capacity 6 each, the file's default)
    keqiao-900        900 people for the same instance: people short
    keqiao-mixed      1,842 people with capacities 4, 5, 6 or 8 (10/15/60/15%)
    keqiao-900-mixed  the same with 900 people
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "cache"
KEQIAO = ROOT / "instances" / "keqiao-2020.csv"
CASES = {"keqiao": (1842, False), "keqiao-900": (900, False), "keqiao-mixed": (1842, True), "keqiao-900-mixed": (900, True)}


def people_file(name: str) -> Path:
    if name == "keqiao":
        return ROOT / "instances" / "keqiao-2020-commissioners.csv"
    people, mixed = CASES[name]
    path = CACHE / f"{name}-commissioners.csv"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        from allocator.assign.generate import MIXED, commissioners_csv

        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(commissioners_csv(people, 1, str(KEQIAO), capacities=MIXED if mixed else None))
    return path


def run_once(name: str, time_limit: float) -> dict:
    out = Path(tempfile.mkdtemp(prefix="assign-bench-")) / "out"
    command = [sys.executable, "-m", "allocator", "assign", str(KEQIAO), str(people_file(name)), "--export", str(out),
               "-q", "--time-limit", str(time_limit)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    record = {"wall": wall, "rss_mib": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
    summary = out / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text(encoding="utf-8"))
        record["after"] = wall - data["timings"]["allocation"]
        record["stages"] = [(s["stage"], s["status"], s["gap"], s["seconds"], s["value"], s["bound"]) for s in data["stages"]]
    else:
        record["error"] = (process.stderr.read().decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
    shutil.rmtree(out.parent, ignore_errors=True)
    return record


def spread(values: list[float], unit: str = "s") -> str:
    return f"{statistics.median(values):.1f} {unit} ({min(values):.1f} – {max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=list(CASES), help=f"any of {', '.join(CASES)} (default: all)")
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}: choose from {', '.join(CASES)}")
    print(f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · {platform.platform()}")
    print("| case | whole process | after the allocation | stages: status (gap, seconds) | peak RSS |")
    print("|---|---|---|---|---|")
    for name in args.cases:
        runs = [run_once(name, args.time_limit) for _ in range(args.runs)]
        good = [r for r in runs if "stages" in r]
        if not good:
            print(f"| {name} | failed: {runs[0].get('error')} | | | |")
            continue
        middle = sorted(good, key=lambda r: r["wall"])[len(good) // 2]
        stages = "; ".join(f"{n}: {st} ({'–' if g is None else f'{g:.1e}'}, {sec:.1f} s, value {v:g}, bound "
                           f"{'–' if b is None else f'{b:g}'})" for n, st, g, sec, v, b in middle["stages"])
        print(f"| {name} | {spread([r['wall'] for r in good])} | {spread([r['after'] for r in good])} | {stages} | "
              f"{spread([r['rss_mib'] for r in good], 'MiB')} |")


if __name__ == "__main__":
    main()
