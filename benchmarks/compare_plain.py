"""The allocator against the plain model (benchmarks/plain_model.py) on the instance families.

    .venv/bin/python benchmarks/compare_plain.py                                    # every family, 1000-3000, seeds 1-3, chain on/off
    .venv/bin/python benchmarks/compare_plain.py --families scarce heavytail --sizes 1000 2000 --chain on
    .venv/bin/python benchmarks/compare_plain.py --table benchmarks/results/compare-*.json   # tables only

Both sides run as whole processes, ``python -m allocator solve FILE --set ... --format json
--time-limit 60`` and ``python benchmarks/plain_model.py FILE --set ... --time-limit 120``
(HiGHS defaults, threads=1), in one pool of 2 workers fed allocator and plain runs of the
same instance one after the other, so that every run shares the machine with one other
solver process.  Per (family, size, chain): median and worst over seeds of each side's wall
time, the ratio plain / allocator (above 1: the allocator is faster), how many runs proved
every stage (allocator: every stage optimal or within gap; plain: HiGHS optimal in every
stage, i.e. within its default 1e-4 gap) and the per-stage gaps.

Cross-checks (the part that matters most): every plan one side kept is tested against the
other side's stage sets.  A plain plan with z1 >= z1_alloc - 1e-6 lies in the allocator's
stage-2 set, so its weighted output may not exceed the allocator's stage-2 bound; if it also
holds z2 >= z2_alloc (1 - 1e-6) its units may not be below the allocator's stage-3 bound; a
stage-1 plan may never beat the allocator's stage-1 bound.  An "optimal" stage may not be
beaten by more than the SPEC's tolerance (1e-8 absolute, 1e-7 relative, equal units).  The
same is checked the other way with the allocator's final plan against the plain model's
bounds (a failure there points at the plain model or HiGHS).  Stage-1 "optimal" claims with
bound - value above 1e-8 are listed too.  Results: benchmarks/results/compare-STAMP.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import families  # noqa: E402
from families_run import PROVEN, PYTHON, RESULTS, allocator_argv, allocator_record, fmt_gap, machine, run_process  # noqa: E402

#: a verified plan beating a proven bound by more than float noise (relative in stage 2) is a wrong bound
TOL_BOUND = {1: 1e-9, 2: 1e-9, 3: 0.5}


def plain_argv(path: Path, overrides: list[str], chain: bool, time_limit: float, strict: bool = False,
               holds: dict | None = None) -> list[str]:
    sets = families.set_args([*overrides, f"rules.chain_balance={'true' if chain else 'false'}"])
    argv = [PYTHON, str(HERE / "plain_model.py"), str(path), *sets, "--time-limit", str(time_limit)]
    if strict:
        argv.append("--strict")
    for k, v in (holds or {}).items():
        argv += [f"--hold{k[1]}", repr(v)]
    return argv


def plain_record(run: dict) -> dict:
    data = run.pop("json", None)
    if data is None:
        return run
    run["stages"] = data["stages"]
    run["proven"] = bool(data["proven"])
    run["final"] = data.get("final")
    run["timings"] = data.get("timings")
    run["size"] = {k: data.get(k) for k in ("columns", "rows", "nonzeros", "groups")}
    return run


def _stage(stages, k):
    return next((s for s in stages or [] if s.get("stage") == k), {})


def _beats(k: int, value: float, target: float, tol: float) -> bool:
    """value strictly better than target by more than tol (relative in stage 2)."""
    if k == 1:
        return value > target + tol
    if k == 2:
        return value > target + tol * abs(target)
    return value < target - tol


def _optimal_tol(k: int) -> float:
    return {1: 1e-8, 2: 1e-7, 3: 0.5}[k]


def cross_check(alloc: dict, plain: dict) -> list[str]:
    """Disagreements between the two sides' plans and proven bounds (see the module docstring)."""
    out: list[str] = []
    if "stages" not in alloc or "stages" not in plain:
        return out
    a = {k: _stage(alloc["stages"], k) for k in (1, 2, 3)}
    p = {k: _stage(plain["stages"], k) for k in (1, 2, 3)}
    chain = a[1].get("status") != "skipped"
    if a[1].get("status") == "optimal" and a[1].get("bound") is not None and a[1]["bound"] - a[1]["value"] > 1e-8:
        out.append(f"allocator stage 1 'optimal' with bound - value = {a[1]['bound'] - a[1]['value']:.2e} > 1e-8 (SPEC)")

    def in_set(side: dict, k: int, z1, z2) -> bool:
        """Is a plan with these values in stage k's feasible set of one side?"""
        if k >= 2 and chain and (z1 is None or side[1].get("value") is None or z1 < side[1]["value"] - 1e-6):
            return False
        if k == 3 and (z2 is None or side[2].get("value") is None or z2 < side[2]["value"] * (1 - 1e-6)):
            return False
        return True

    def check(label: str, plan: dict, other: dict, other_name: str) -> None:
        for k in ((1, 2, 3) if chain else (2, 3)):
            if not in_set(other, k, plan.get("z1"), plan.get("z2")):
                continue
            value = plan.get(f"z{k}")
            s = other[k]
            if value is None:
                continue
            if s.get("bound") is not None and _beats(k, value, s["bound"], TOL_BOUND[k]):
                out.append(f"stage {k}: {label} {value:.10g} beats {other_name}'s proven bound {s['bound']:.10g} "
                           f"(by {abs(value - s['bound']):.2e})")
            elif s.get("status") == "optimal" and s.get("value") is not None and _beats(k, value, s["value"], _optimal_tol(k)):
                out.append(f"stage {k}: {other_name} 'optimal' {s['value']:.10g} beaten by {label} {value:.10g}")

    for k in (1, 2, 3):
        if p[k].get("plan_values"):
            check(f"plain stage-{k} plan", p[k]["plan_values"], a, "allocator")
    if alloc.get("final"):
        check("allocator final plan", alloc["final"], p, "plain")
    return out


def oracle_check(alloc: dict, oracle: dict) -> list[str]:
    """The allocator's stages against the strict plain model solved over exactly the allocator's
    stage sets (holds taken from the allocator's own stage values)."""
    out: list[str] = []
    if "stages" not in alloc or "stages" not in oracle:
        return ["no result on one side"]
    for k in (1, 2, 3):
        a, o = _stage(alloc["stages"], k), _stage(oracle["stages"], k)
        if a.get("status") == "skipped" or o.get("status") == "skipped":
            continue
        if not o.get("highs_optimal") or o.get("value") is None:
            out.append(f"stage {k}: oracle not proven ({o.get('status')}, gap {o.get('gap')})")
            continue
        best = o["value"] if o.get("gap", 0) == 0 else o["bound"]
        if a.get("bound") is not None and _beats(k, o["value"], a["bound"], TOL_BOUND[k]):
            out.append(f"stage {k}: allocator bound {a['bound']:.12g} cuts off the oracle's plan {o['value']:.12g} "
                       f"(by {abs(o['value'] - a['bound']):.2e}; allocator status {a.get('status')})")
        if a.get("value") is not None and o.get("bound") is not None and _beats(k, a["value"], o["bound"], TOL_BOUND[k]):
            out.append(f"stage {k}: allocator value {a['value']:.12g} beats the oracle's proven bound {o['bound']:.12g} "
                       f"(by {abs(a['value'] - o['bound']):.2e}): the allocator's plan breaks a SPEC rule, or the oracle")
        if a.get("status") == "optimal" and a.get("value") is not None and _beats(k, best, a["value"], _optimal_tol(k)):
            out.append(f"stage {k}: allocator 'optimal' {a['value']:.12g} but the oracle proves {best:.12g} "
                       f"(by {abs(best - a['value']):.2e})")
    return out


def summarise(pairs: list[dict]) -> str:
    groups: dict[tuple, list[dict]] = {}
    for r in pairs:
        groups.setdefault((r["family"], r["n"], r["chain"]), []).append(r)
    lines = [
        "| family | firms | chain | seeds | allocator s median (worst) | plain s median (worst) | plain/allocator median (min) | "
        "proven: allocator, plain | allocator gaps 1/2/3 median (worst) | plain gaps 1/2/3 median (worst) | disagreements |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (fam, n, chain), runs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], not kv[0][2])):
        aw = [r["allocator"]["wall"] for r in runs]
        pw = [r["plain"]["wall"] for r in runs]
        ratios = [p / a for a, p in zip(aw, pw, strict=True)]
        a_proven = sum(1 for r in runs if "stages" in r["allocator"] and all(s["status"] in PROVEN for s in r["allocator"]["stages"]))
        p_proven = sum(1 for r in runs if r["plain"].get("proven"))

        def gaps(side: str, runs: list[dict] = runs) -> str:
            cells = []
            for k in (1, 2, 3):
                g = [_stage(r[side].get("stages"), k).get("gap") for r in runs]
                g = [x for x in g if x is not None]
                cells.append(f"{fmt_gap(statistics.median(g))} ({fmt_gap(max(g))})" if g else "–")
            return " / ".join(cells)

        bad = sum(len(r["disagreements"]) for r in runs)
        lines.append(
            f"| {fam} | {n} | {'on' if chain else 'off'} | {len(runs)} | {statistics.median(aw):.1f} ({max(aw):.1f}) | "
            f"{statistics.median(pw):.1f} ({max(pw):.1f}) | {statistics.median(ratios):.2f} ({min(ratios):.2f}) | "
            f"{a_proven}/{len(runs)}, {p_proven}/{len(runs)} | {gaps('allocator')} | {gaps('plain')} | {bad or '–'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", nargs="*", default=list(families.FAMILIES))
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 2000, 3000], help="add 10000 if wanted")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--chain", choices=("on", "off", "both"), default="both")
    parser.add_argument("--time-limit", type=float, default=60.0, help="allocator --time-limit (default 60)")
    parser.add_argument("--plain-time-limit", type=float, default=120.0, help="plain model --time-limit (default 120)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--table", nargs="*", type=Path, help="print the tables of earlier result files and stop")
    parser.add_argument("--tag", default="")
    parser.add_argument("--oracle", action="store_true",
                        help="instead of timing: run the allocator, then the strict plain model with the allocator's own "
                             "stage values as holds, and check every bound and 'optimal' claim (small sizes)")
    parser.add_argument("--oracle-time-limit", type=float, default=300.0)
    args = parser.parse_args()
    if args.table:
        pairs = [r for p in args.table for r in json.loads(p.read_text())["pairs"]]
        print(summarise(pairs))
        report_disagreements(pairs)
        return
    chains = {"on": [True], "off": [False], "both": [True, False]}[args.chain]
    instances = [(f, n, s, c) for n in args.sizes for f in args.families for c in chains for s in args.seeds]
    for f, n, s, _ in instances:
        families.cached(f, n, s)
    if args.oracle:
        run_oracle(args, instances)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"compare-{stamp}{'-' + args.tag if args.tag else ''}.json"
    meta = {"machine": machine(), "time_limit": args.time_limit, "plain_time_limit": args.plain_time_limit,
            "workers": args.workers, "argv": sys.argv[1:]}
    print(f"machine: {meta['machine']}\n{len(instances)} pairs, {args.workers} processes at once, results in {out}", flush=True)
    runs: dict[tuple, dict] = {}
    pairs: list[dict] = []
    lock = threading.Lock()

    def one(job) -> None:
        side, (fam, n, seed, chain) = job
        path, overrides = families.cached(fam, n, seed)
        if side == "allocator":
            rec = allocator_record(run_process(allocator_argv(path, overrides, chain, args.time_limit),
                                               timeout=args.time_limit * 3 + 120))
        else:
            rec = plain_record(run_process(plain_argv(path, overrides, chain, args.plain_time_limit),
                                           timeout=args.plain_time_limit * 2 + 120))
        key = (fam, n, seed, chain)
        with lock:
            runs.setdefault(key, {})[side] = rec
            stages = " ".join(f"{s.get('stage')}:{s.get('status')} {fmt_gap(s.get('gap'))}" for s in rec.get("stages", []))
            print(f"{side:>9} {fam:>12} n={n:<6} seed={seed} chain={'on ' if chain else 'off'} {rec['wall']:7.1f}s "
                  f"exit={rec['exit']} {stages} {rec.get('error', '')}", flush=True)
            if len(runs[key]) == 2:
                pair = {"family": fam, "n": n, "seed": seed, "chain": chain, "overrides": overrides, **runs[key]}
                pair["disagreements"] = cross_check(pair["allocator"], pair["plain"])
                for line in pair["disagreements"]:
                    print(f"  DISAGREEMENT {fam} n={n} seed={seed} chain={chain}: {line}", flush=True)
                pairs.append(pair)
                out.write_text(json.dumps({**meta, "pairs": pairs}, indent=1))

    jobs = [(side, inst) for inst in instances for side in ("allocator", "plain")]
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(one, jobs))
    print()
    print(summarise(pairs))
    report_disagreements(pairs)


def run_oracle(args, instances) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"oracle-{time.strftime('%Y%m%d-%H%M%S')}{'-' + args.tag if args.tag else ''}.json"
    meta = {"machine": machine(), "time_limit": args.time_limit, "oracle_time_limit": args.oracle_time_limit}
    print(f"{len(instances)} instances, oracle results in {out}", flush=True)
    checks: list[dict] = []
    lock = threading.Lock()

    def one(inst) -> None:
        fam, n, seed, chain = inst
        path, overrides = families.cached(fam, n, seed)
        alloc = allocator_record(run_process(allocator_argv(path, overrides, chain, args.time_limit),
                                             timeout=args.time_limit * 3 + 120))
        holds = {}
        if "stages" in alloc:
            for k in (1, 2):
                s = _stage(alloc["stages"], k)
                if s.get("value") is not None and s.get("status") != "skipped":
                    holds[f"z{k}"] = s["value"]
        oracle = plain_record(run_process(plain_argv(path, overrides, chain, args.oracle_time_limit, strict=True,
                                                     holds=holds), timeout=args.oracle_time_limit * 2 + 120))
        found = oracle_check(alloc, oracle)
        with lock:
            checks.append({"family": fam, "n": n, "seed": seed, "chain": chain, "overrides": overrides,
                           "allocator": alloc, "oracle": oracle, "disagreements": found})
            out.write_text(json.dumps({**meta, "checks": checks}, indent=1))
            a = " ".join(f"{s['stage']}:{s['status']} {s['value']} [{s['bound']}]" for s in alloc.get("stages", []))
            o = " ".join(f"{s['stage']}:{s['status']} {s.get('value')} [{s.get('bound')}]" for s in oracle.get("stages", []))
            print(f"{fam} n={n} seed={seed} chain={chain}: allocator {alloc['wall']:.1f}s {a}\n"
                  f"    oracle {oracle['wall']:.1f}s {o}", flush=True)
            for line in found:
                print(f"  DISAGREEMENT: {line}", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        list(pool.map(one, instances))
    bad = [(c, line) for c in checks for line in c["disagreements"]]
    print(f"\n{len(checks)} instances checked, {len(bad)} disagreement(s)")
    for c, line in bad:
        print(f"- {c['family']} n={c['n']} seed={c['seed']} chain={'on' if c['chain'] else 'off'}: {line}")


def report_disagreements(pairs: list[dict]) -> None:
    bad = [(r, line) for r in pairs for line in r["disagreements"]]
    print(f"\n{len(bad)} disagreement(s)")
    for r, line in bad:
        print(f"- {r['family']} n={r['n']} seed={r['seed']} chain={'on' if r['chain'] else 'off'}: {line}")


if __name__ == "__main__":
    main()
