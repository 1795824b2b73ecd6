"""The allocator alone on every instance family (issue 16): whole-process wall time per run.

    .venv/bin/python benchmarks/families_run.py                                  # every family, 1000-10000, seeds 1-3, chain on and off
    .venv/bin/python benchmarks/families_run.py --sizes 2000 10000 --chain on    # a subset
    .venv/bin/python benchmarks/families_run.py --families scarce heavytail --sizes 30000 --with-30000
    .venv/bin/python benchmarks/families_run.py --table benchmarks/results/families-*.json   # tables only

Each run is ``python -m allocator solve FILE --set ... --format json --time-limit 60`` as its
own process (start-up included), at most ``--workers`` (default 2) at once on this 2-core
machine.  From the summary JSON on stdout: per stage status, value, bound, gap, seconds; from
os.wait4: peak RSS.  Instances come from benchmarks/families.py into benchmarks/cache/.
Results are appended run by run to benchmarks/results/families-STAMP.json (a crash keeps
the finished runs), and a markdown table of median and worst over seeds per (family, size,
chain) is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import families  # noqa: E402

ROOT = HERE.parent
RESULTS = HERE / "results"
PYTHON = sys.executable
SIZES = (1000, 2000, 3000, 10000)
PROVEN = ("optimal", "within gap", "skipped")


def run_process(argv: list[str], timeout: float) -> dict:
    """One whole process: wall time, exit code, peak RSS (os.wait4), stdout parsed as JSON."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    record = {"wall": round(wall, 3), "rss_mib": round(usage.ru_maxrss / 1024, 1), "exit": process.returncode}
    try:
        record["json"] = json.loads(stdout)
    except json.JSONDecodeError:
        record["error"] = (stderr.strip().splitlines() or stdout.strip().splitlines() or ["no output"])[-1][:300]
    return record


def allocator_argv(path: Path, overrides: list[str], chain: bool, time_limit: float, extra: list[str] = ()) -> list[str]:
    sets = families.set_args([*overrides, f"rules.chain_balance={'true' if chain else 'false'}"])
    return [PYTHON, "-m", "allocator", "solve", str(path), *sets, "--format", "json", "--time-limit", str(time_limit),
            *extra]


def allocator_record(run: dict) -> dict:
    """Keep from the allocator's summary what the tables and the cross-checks need."""
    data = run.pop("json", None)
    if data is None:
        return run
    run["stages"] = [{k: s.get(k) for k in ("stage", "status", "value", "bound", "gap", "seconds", "note")}
                     for s in data["stages"]]
    run["proven"] = bool(data.get("proven"))
    run["status"] = data.get("status")
    run["timings"] = data.get("timings")
    links = data.get("scenario", {}).get("rules", {}).get("chain_links", [])
    rec = data.get("recovery", {}).get("links", {})
    listed = [rec[L]["after"] for L in links if L in rec and rec[L].get("enterprises", 0) > 0]
    supplies = data.get("supplies", {})
    run["final"] = {
        "z1": min(listed) if listed else None,
        "z2": data.get("weighted_output", {}).get("after"),
        "z3": sum(supplies.get(k, {}).get("used", 0) for k in ("boxes", "passes", "buses")),
    }
    run["violations"] = data.get("violations")
    run["notes"] = data.get("notes")
    return run


def fmt_gap(gap) -> str:
    if gap is None:
        return "–"
    return "0" if gap == 0 else f"{gap:.1e}"


def stage_cell(stages: list[dict], k: int) -> tuple[str | None, float | None, float]:
    s = next((x for x in stages if x.get("stage") == k), None)
    if s is None:
        return None, None, 0.0
    return s.get("status"), s.get("gap"), s.get("seconds") or 0.0


def short(status: str | None) -> str:
    return {"optimal": "opt", "within gap": "gap", "time limit": "TL", "feasible": "feas", "skipped": "–",
            "no solution": "none", "work limit": "WL", None: "?"}.get(status, status or "?")


def table(records: list[dict]) -> str:
    """Median and worst over seeds per (family, size, chain)."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["family"], r["n"], r["chain"]), []).append(r)
    lines = [
        "| family | firms | chain | seeds | wall s median (worst) | proven | stage 1: status, gap (worst) | "
        "stage 2: status, gap (worst) | stage 3: status, gap (worst) | stage s median (1/2/3) | RSS MiB (worst) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (fam, n, chain), runs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], not kv[0][2])):
        ok = [r for r in runs if "stages" in r]
        walls = [r["wall"] for r in runs]
        cells = []
        secs = []
        for k in (1, 2, 3):
            statuses = [stage_cell(r["stages"], k) for r in ok]
            counts: dict[str, int] = {}
            for st, _, _ in statuses:
                counts[short(st)] = counts.get(short(st), 0) + 1
            gaps = [g for _, g, _ in statuses if g is not None]
            worst = max(gaps) if gaps else None
            median = statistics.median(gaps) if gaps else None
            text = " ".join(f"{s}×{c}" for s, c in sorted(counts.items()))
            unbounded = sum(1 for st, g, _ in statuses if g is None and st not in ("skipped", None))
            if unbounded:
                text += f" (no bound ×{unbounded})"
            cells.append(f"{text}, {fmt_gap(median)} ({fmt_gap(worst)})" if gaps else text)
            secs.append(statistics.median([t for _, _, t in statuses]) if statuses else 0.0)
        proven = sum(1 for r in ok if all(s["status"] in PROVEN for s in r["stages"]))
        failed = len(runs) - len(ok)
        rss = max(r["rss_mib"] for r in runs)
        lines.append(
            f"| {fam} | {n} | {'on' if chain else 'off'} | {len(runs)} | {statistics.median(walls):.1f} ({max(walls):.1f}) | "
            f"{proven}/{len(runs)}{f' ({failed} failed)' if failed else ''} | {cells[0]} | {cells[1]} | {cells[2]} | "
            f"{secs[0]:.1f} / {secs[1]:.1f} / {secs[2]:.1f} | {rss:.0f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    import platform

    try:
        import highspy

        h = highspy.Highs()
        version = f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    except Exception:  # noqa: BLE001
        version = "HiGHS ?"
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {version}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", nargs="*", default=list(families.FAMILIES))
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--with-30000", action="store_true", help="also 30,000 firms")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--chain", choices=("on", "off", "both"), default="both")
    parser.add_argument("--time-limit", type=float, default=60.0, help="allocator --time-limit (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="processes at once (default 2, this machine's cores)")
    parser.add_argument("--search", choices=("auto", "full", "guided"), help="allocator --search (default: its own)")
    parser.add_argument("--table", nargs="*", type=Path, help="print the table of earlier result files and stop")
    parser.add_argument("--tag", default="", help="suffix of the result file name")
    args = parser.parse_args()
    if args.table:
        records = [r for p in args.table for r in json.loads(p.read_text())["runs"]]
        print(table(records))
        return
    sizes = list(args.sizes) + ([30000] if args.with_30000 and 30000 not in args.sizes else [])
    chains = {"on": [True], "off": [False], "both": [True, False]}[args.chain]
    jobs = [(f, n, s, c) for n in sizes for f in args.families for c in chains for s in args.seeds]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"families-{stamp}{'-' + args.tag if args.tag else ''}.json"
    meta = {"machine": machine(), "time_limit": args.time_limit, "workers": args.workers, "argv": sys.argv[1:]}
    print(f"machine: {meta['machine']}\n{len(jobs)} runs, {args.workers} at once, results in {out}", flush=True)
    for f, n, s, _ in jobs:  # make the instances first, outside the timed runs
        families.cached(f, n, s)
    records: list[dict] = []
    lock = threading.Lock()

    def one(job) -> None:
        fam, n, seed, chain = job
        path, overrides = families.cached(fam, n, seed)
        extra = ["--search", args.search] if args.search else []
        run = run_process(allocator_argv(path, overrides, chain, args.time_limit, extra), timeout=args.time_limit * 3 + 120)
        record = {"family": fam, "n": n, "seed": seed, "chain": chain, "overrides": overrides, **allocator_record(run)}
        with lock:
            records.append(record)
            out.write_text(json.dumps({**meta, "runs": records}, indent=1))
            stages = " ".join(f"{s['stage']}:{short(s['status'])} {fmt_gap(s['gap'])} {s['seconds'] or 0:.1f}s"
                              for s in record.get("stages", []))
            print(f"{fam:>12} n={n:<6} seed={seed} chain={'on ' if chain else 'off'} {record['wall']:7.1f}s "
                  f"{record['rss_mib']:6.0f}MiB exit={record['exit']} {stages} {record.get('error', '')}", flush=True)

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(one, jobs))
    print()
    print(table(records))


if __name__ == "__main__":
    main()
