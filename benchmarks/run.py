"""Benchmark suite: whole-process timings of the cases of issue 6 (not part of the tests).

    .venv/bin/python benchmarks/run.py                   # every case, 3 runs each
    .venv/bin/python benchmarks/run.py keqiao help -n 5  # chosen cases

Each case runs as a separate process (start-up included) several times; the table
shows the median, min and max wall time, the model-building time and the time of each
solver stage (from summary.json), each stage's gap and value, and the peak resident
memory of the process (from os.wait4); below it, each stage's worst gap over the runs.  The last results are kept in
benchmarks/results/last.json and the next run prints its ratio to them.
Instances too big to commit (the 100,000-firm province, and cities of about 20,000 and
30,000 firms with supplies scaled to size) are generated into benchmarks/cache/ on first
use.  city20-full and city30-full force branch and bound where search=auto chooses the LP guide.
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
RESULTS = ROOT / "benchmarks" / "results"
KEQIAO = ROOT / "instances" / "keqiao-2020.csv"
ALLOCATOR = [sys.executable, "-m", "allocator"]
PROVINCE_SUPPLY = ["--set", "supply.masks=3800000", "--set", "supply.passes=940", "--set", "supply.buses=600"]
#: 16 variants plus the base; 20 s per scenario keeps a serial sweep near 5 minutes.
SWEEP = ["--vary", "supply.masks=300000,380000,500000,650000", "--vary", "supply.buses=30,60,90,120", "--time-limit", "20"]


#: Generated instances: name -> (scale of the Keqiao firm counts, parks, origins, supplies);
#: None takes the generator's own preset.  Both city sizes are above the size at which
#: search=auto switches from branch and bound to the LP guide and price search.
GENERATED = {
    "province": (None, None, None, PROVINCE_SUPPLY),
    "city20": (2.0, 220, 35, ["--set", "supply.masks=760000", "--set", "supply.passes=188",
                              "--set", "supply.buses=120"]),
    "city30": (3.0, 330, 45, ["--set", "supply.masks=1140000", "--set", "supply.passes=282",
                              "--set", "supply.buses=180"]),
}


def generated(name: str) -> Path:
    """The instance file, generated with seed 1 into benchmarks/cache/ on first use."""
    path = CACHE / f"{name}-1.csv"
    if not path.exists():
        from allocator.data.generate import PRESETS, Preset, generate, to_csv_bytes

        scale, parks, origins, _ = GENERATED[name]
        if scale is not None:
            PRESETS.setdefault(name, Preset(scale=scale, parks=parks, origins=origins))
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(to_csv_bytes(generate(name, 1)))
    return path


def solve_generated(name: str, *extra: str) -> list[str]:
    return ALLOCATOR + ["solve", "{" + name + "}", *GENERATED[name][3], *extra, "--export", "{out}", "-q"]


def cases() -> dict[str, list[str]]:
    """name -> command (a {out} placeholder receives a fresh export folder)."""
    return {
        "help": ALLOCATOR + ["--help"],
        "validate": ALLOCATOR + ["validate", str(KEQIAO)],
        "keqiao": ALLOCATOR + ["solve", str(KEQIAO), "--export", "{out}", "-q"],
        "keqiao-no-chain": ALLOCATOR + ["solve", str(KEQIAO), "--set", "rules.chain_balance=false", "--export", "{out}", "-q"],
        "keqiao-scip": ALLOCATOR + ["solve", str(KEQIAO), "--solver", "scip", "--export", "{out}", "-q"],
        "keqiao-no-chain-scip": ALLOCATOR + ["solve", str(KEQIAO), "--set", "rules.chain_balance=false", "--solver", "scip",
                                             "--export", "{out}", "-q"],
        "province": solve_generated("province"),
        "city20": solve_generated("city20"),
        "city30": solve_generated("city30"),
        "city20-full": solve_generated("city20", "--search", "full"),
        "city30-full": solve_generated("city30", "--search", "full"),
        "sweep16-serial": ALLOCATOR + ["whatif", str(KEQIAO), *SWEEP, "--workers", "1", "--out", "{out}", "-q"],
        "sweep16-pool": ALLOCATOR + ["whatif", str(KEQIAO), *SWEEP, "--out", "{out}", "-q"],
    }


def _fill(arg: str, out: Path) -> str:
    """Replace {out} by the export folder and {name} by a generated instance's path."""
    arg = arg.replace("{out}", str(out))
    for name in GENERATED:
        if "{" + name + "}" in arg:
            arg = arg.replace("{" + name + "}", str(generated(name)))
    return arg


def run_once(command: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="allocator-bench-")) / "out"
    argv = [_fill(a, out) for a in command]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    record = {"wall": wall, "rss_mib": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
    summary = out / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text(encoding="utf-8"))
        record["build"] = data["timings"].get("build", 0) + data["timings"].get("load", 0)
        record["stages"] = [(s["stage"], s["status"], s["seconds"], s["gap"], s["value"]) for s in data["stages"]]
    if record["exit"] not in (0, 1):
        record["error"] = stderr.strip().splitlines()[-1:] or ["?"]
    shutil.rmtree(out.parent, ignore_errors=True)
    return record


def _worst_gaps(runs: list[dict]) -> dict[int, float]:
    """Each stage's largest gap over the runs (a target holds "in each run" only if it holds here)."""
    worst: dict[int, float] = {}
    for r in runs:
        for stage, _, _, gap, _ in r.get("stages") or []:
            if gap is not None:
                worst[stage] = max(worst.get(stage, 0.0), gap)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    parser.add_argument("-n", "--runs", type=int, default=3, help="runs per case (default 3)")
    args = parser.parse_args()
    table = cases()
    chosen = args.cases or list(table)
    previous = json.loads((RESULTS / "last.json").read_text()) if (RESULTS / "last.json").exists() else {}
    results = {}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"{'case':<16} {'median s':>9} {'min':>7} {'max':>7} {'build':>6}  {'stages: seconds (gap) value':<70} {'RSS MiB':>8} {'vs last':>8}")
    for name in chosen:
        runs = [run_once(table[name]) for _ in range(args.runs)]
        walls = [r["wall"] for r in runs]
        median = statistics.median(walls)
        middle = runs[walls.index(sorted(walls)[len(walls) // 2])]
        stages = "  ".join(f"{s}:{sec:.1f}s ({gap:.0e}) {val:,.6g}" if gap is not None else f"{s}:{status}" for s, status, sec, gap, val in middle.get("stages", []))
        ratio = f"{median / previous[name]['median']:.2f}x" if name in previous else "–"
        rss = max(r["rss_mib"] for r in runs)
        build = f"{middle['build']:.2f}" if "build" in middle else "–"
        print(f"{name:<16} {median:>9.2f} {min(walls):>7.2f} {max(walls):>7.2f} {build:>6}  {stages:<70} {rss:>8.0f} {ratio:>8}")
        for r in runs:
            if "error" in r:
                print(f"  exit {r['exit']}: {r['error'][0]}")
        worst = _worst_gaps(runs)
        if len(runs) > 1 and worst:
            print(f"  worst gap over the {len(runs)} runs: " + "  ".join(f"{s}: {g:.1e}" for s, g in worst.items()))
        results[name] = {"median": median, "min": min(walls), "max": max(walls), "rss_mib": rss, "stages": middle.get("stages"),
                         "runs": [{"wall": r["wall"], "stages": r.get("stages")} for r in runs]}
    if "sweep16-serial" in results and "sweep16-pool" in results:
        print(f"sweep speed-up, pool vs serial: {results['sweep16-serial']['median'] / results['sweep16-pool']['median']:.2f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "last.json").write_text(json.dumps({**previous, **results}, indent=2))


if __name__ == "__main__":
    main()
