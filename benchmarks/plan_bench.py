"""Benchmark of ``allocator plan`` (issue 18's targets; not part of the tests).

    .venv/bin/python benchmarks/plan_bench.py                  # every case, 3 runs each
    .venv/bin/python benchmarks/plan_bench.py week7 -n 5       # chosen cases

Each case runs as a separate process (start-up, reading and the export included) several
times; the table shows the median, min and max wall time, each stage's gap and value, the
largest gap of the day-by-day baseline's days and the peak resident memory (os.wait4).
``day1`` and ``solve`` run in turn (day1, solve, day1, ...) so that their ratio is paired.

    case      command                                                             target (issue 18)
    week7     plan keqiao --days 7 --arrivals instances/keqiao-2020-week.csv       <= 60 s, every stage <= 1e-3, <= 2 GiB
    week7-10s the same with --time-limit 10                                        the gap at 10 s
    week3     plan keqiao --days 3 (the week's first three days), --time-limit 20  <= 20 s, every stage <= 1e-4
    day1      plan keqiao --days 1                                                 within 10% of solve's time
    solve     solve keqiao                                                         (the yardstick of day1)
"""

from __future__ import annotations

import argparse
import csv
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
KEQIAO = ROOT / "instances" / "keqiao-2020.csv"
WEEK = ROOT / "instances" / "keqiao-2020-week.csv"
ALLOCATOR = [sys.executable, "-m", "allocator"]


def first_days(days: int) -> Path:
    """The bundled week's first ``days`` rows, as an arrivals file of its own."""
    path = Path(tempfile.gettempdir()) / f"allocator-bench-week{days}.csv"
    with open(WEEK, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0]] + [r for r in rows[1:] if int(r[0]) <= days])
    return path


def cases() -> dict[str, list[str]]:
    plan = ALLOCATOR + ["plan", str(KEQIAO)]
    return {
        "week7": plan + ["--days", "7", "--arrivals", str(WEEK), "--export", "{out}", "-q"],
        "week7-10s": plan + ["--days", "7", "--arrivals", str(WEEK), "--time-limit", "10", "--export", "{out}", "-q"],
        "week3": plan + ["--days", "3", "--arrivals", str(first_days(3)), "--time-limit", "20", "--export", "{out}", "-q"],
        "day1": plan + ["--days", "1", "--export", "{out}", "-q"],
        "solve": ALLOCATOR + ["solve", str(KEQIAO), "--export", "{out}", "-q"],
    }


def run_once(command: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="allocator-plan-bench-")) / "out"
    argv = [a.replace("{out}", str(out)) for a in command]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    record = {"wall": wall, "rss_mib": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
    summary = out / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text(encoding="utf-8"))
        record["stages"] = [(s["stage"], s["status"], s["gap"], s["value"]) for s in data["stages"]]
        base = data.get("baseline")
        record["baseline_gap"] = base["worst_gap"] if base else None
    if record["exit"] not in (0, 1):
        record["error"] = stderr.strip().splitlines()[-1:] or ["?"]
    shutil.rmtree(out.parent, ignore_errors=True)
    return record


def _line(name: str, runs: list[dict]) -> str:
    walls = [r["wall"] for r in runs]
    middle = runs[walls.index(sorted(walls)[len(walls) // 2])]
    stages = "  ".join(f"{s}:{status} ({gap:.1e}) {value:,.7g}" if gap is not None else f"{s}:{status}"
                       for s, status, gap, value in middle.get("stages", []))
    base = middle.get("baseline_gap")
    return (f"{name:<10} {statistics.median(walls):>8.2f} {min(walls):>7.2f} {max(walls):>7.2f}  {stages:<95} "
            f"{'–' if base is None else f'{base:.1e}':>9} {max(r['rss_mib'] for r in runs):>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    parser.add_argument("-n", "--runs", type=int, default=3, help="runs per case (default 3)")
    args = parser.parse_args()
    table = cases()
    chosen = args.cases or list(table)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, Python {platform.python_version()}")
    print(f"{'case':<10} {'median s':>8} {'min':>7} {'max':>7}  {'stages: status (gap) value':<95} {'base gap':>9} {'RSS MiB':>8}")
    results: dict[str, list[dict]] = {}
    paired = "day1" in chosen and "solve" in chosen
    for name in chosen:
        if paired and name == "solve":
            continue
        if paired and name == "day1":  # in turn with solve: their ratio pair by pair
            for _ in range(args.runs):
                for each in ("day1", "solve"):
                    results.setdefault(each, []).append(run_once(table[each]))
            for each in ("day1", "solve"):
                print(_line(each, results[each]))
            ratios = [a["wall"] / b["wall"] for a, b in zip(results["day1"], results["solve"], strict=True)]
            print(f"{'':<10} plan --days 1 / solve, paired: median {statistics.median(ratios):.3f} "
                  f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
            continue
        results[name] = [run_once(table[name]) for _ in range(args.runs)]
        print(_line(name, results[name]))
        for r in results[name]:
            if "error" in r:
                print(f"  exit {r['exit']}: {r['error'][0]}")


if __name__ == "__main__":
    main()
