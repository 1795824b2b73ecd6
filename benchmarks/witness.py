"""A witness for a disagreement: the plain model's plan, written as an allocator export and checked
by the project's independent checker (tests/spec_check.py) against the allocator's own stage values.

    .venv/bin/python benchmarks/witness.py FILE.csv [--set k=v ...] [--time-limit 60] [--stage 3]

1. ``python -m allocator solve FILE --set ... --export DIR`` (the allocator's plan and summary.json);
2. ``benchmarks/plain_model.py --strict`` with ``--hold1/--hold2`` set to the allocator's stage-1 and
   stage-2 values, so that its stage k is solved over exactly the allocator's stage-k set;
3. the plain plan of stage ``--stage`` is written as allocation.csv and buses.csv next to the
   allocator's summary.json, and tests/spec_check.py recomputes it: every SPEC rule, and the
   holds "stage 1 not held" / "stage 2 not held" against the allocator's reported values.

A witness with no violation other than "stage 3 reports ... but the export uses ..." (and the
summary's weighted output, which is the allocator's) is a plan in the allocator's stage set
that beats what the allocator reported and proved.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import plain_model  # noqa: E402
import spec_check  # noqa: E402  (tests/spec_check.py: plain Python, no allocator imports)


def write_export(instance_csv: Path, overrides: list[str], plan: dict, summary: Path, out: Path) -> None:
    d = plain_model.Data(plain_model.read_instance(instance_csv), plain_model.scenario(overrides))
    b, p, r = (np.array(plan[k], dtype=np.int64) for k in ("b", "p", "r"))
    y = np.zeros(d.G, dtype=np.int64)
    keys = {key.replace("\x1f", " -> "): g for g, key in enumerate(d.group_keys)}
    for key, count in plan["y"].items():
        y[keys[key]] = count
    c = d.capacity(b, p, r)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(summary, out / "summary.json")
    with open(out / "allocation.csv", "w", encoding="utf-8-sig", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["enterprise_id", "boxes", "masks", "passes", "workers_returned", "c_before", "c_after"])
        for k in range(d.n):
            w.writerow([d.inst["id"][k], b[k], d.pack * b[k], p[k], r[k], "0", f"{c[k]:.6f}"])
    with open(out / "buses.csv", "w", encoding="utf-8-sig", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["bus_id", "origin", "park", "enterprise_id", "workers"])
        bus = 0
        for g, key in enumerate(d.group_keys):
            origin, park = key.split("\x1f")
            riders = [(k, int(r[k])) for k in np.flatnonzero((d.group == g) & (r > 0))]
            for _ in range(int(y[g])):
                bus += 1
                free = d.seats
                stops = []
                while riders and free:
                    k, left = riders[0]
                    take = min(left, free)
                    stops.append((k, take))
                    free -= take
                    riders[0] = (k, left - take)
                    if riders[0][1] == 0:
                        riders.pop(0)
                for k, take in stops or [(None, 0)]:
                    w.writerow([f"B{bus:05d}", origin, park, "" if k is None else d.inst["id"][k], take])
            assert not riders, "more riders than seats in the plain plan"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", type=Path)
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    parser.add_argument("--time-limit", type=float, default=60.0, help="allocator --time-limit")
    parser.add_argument("--oracle-time-limit", type=float, default=300.0)
    parser.add_argument("--stage", type=int, default=3, choices=(1, 2, 3),
                        help="the oracle stops after this stage and its plan is the witness (default 3)")
    parser.add_argument("--keep", type=Path, help="keep the exports here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="witness-"))
    sets = [x for o in args.overrides for x in ("--set", o)]
    alloc_dir = work / "allocator"
    subprocess.run([sys.executable, "-m", "allocator", "solve", str(args.instance), *sets, "--export", str(alloc_dir),
                    "--time-limit", str(args.time_limit), "-q"], check=True, cwd=ROOT)
    summary = json.loads((alloc_dir / "summary.json").read_text(encoding="utf-8"))
    stages = {s["stage"]: s for s in summary["stages"]}
    holds = {f"z{k}": stages[k]["value"] for k in (1, 2) if stages[k]["value"] is not None and stages[k]["status"] != "skipped"}
    print("allocator:", [(s["stage"], s["status"], s["value"], s["bound"]) for s in summary["stages"]])
    own = spec_check.check_export(args.instance, alloc_dir)
    print("allocator's own export, spec_check violations:", own["violations"])
    # the oracle over the allocator's sets, plan of the chosen stage
    result = plain_model.solve_plain(args.instance, args.overrides, args.oracle_time_limit, strict=True, holds=holds,
                                     last_stage=args.stage)
    print("oracle (strict, allocator's holds):",
          [(s["stage"], s["status"], s.get("value"), s.get("bound")) for s in result["stages"]])
    witness = work / "witness"
    write_export(args.instance, args.overrides, result["plan"], alloc_dir / "summary.json", witness)
    check = spec_check.check_export(args.instance, witness)
    print(f"witness plan: lowest link {check['min_link']}, weighted output {check['weighted']}, units {check['used']}")
    print("witness, spec_check violations:", check["violations"])
    # where the witness stands against the allocator's claims (its own sets, SPEC tolerances)
    z1, z2, units = check["min_link"], check["weighted"], check["used"]
    in2 = stages[1]["status"] == "skipped" or (z1 is not None and z1 >= stages[1]["value"] - 1e-6)
    in3 = in2 and z2 >= stages[2]["value"] * (1 - 1e-6)
    if stages[1]["status"] != "skipped" and z1 is not None and stages[1]["bound"] is not None:
        print(f"stage 1: witness {z1!r} vs allocator value {stages[1]['value']!r} bound {stages[1]['bound']!r} "
              f"({stages[1]['status']}): {'BEYOND THE BOUND' if z1 > stages[1]['bound'] + 1e-9 else 'within the bound'}")
    if in2 and args.stage >= 2 and stages[2]["bound"] is not None:
        print(f"stage 2 (witness in the allocator's stage-2 set): witness {z2!r} vs allocator value {stages[2]['value']!r} "
              f"bound {stages[2]['bound']!r} ({stages[2]['status']}): "
              f"{'BEYOND THE BOUND by %.3g relative' % ((z2 - stages[2]['bound']) / stages[2]['bound']) if z2 > stages[2]['bound'] * (1 + 1e-9) else 'within the bound'}")
    if in3 and args.stage >= 3:
        print(f"stage 3 (witness in the allocator's stage-3 set): witness {units} units vs allocator value "
              f"{stages[3]['value']!r} bound {stages[3]['bound']!r} ({stages[3]['status']}): "
              f"{'BEYOND THE BOUND' if stages[3]['bound'] is not None and units < stages[3]['bound'] else 'within the bound or no bound'}")
    print(f"exports in {work}")


if __name__ == "__main__":
    main()
