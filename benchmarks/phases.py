"""Where a large solve spends its time: each guided phase's start, end and outcome (not part of the tests).

    .venv/bin/python benchmarks/phases.py                       # the province (generated into benchmarks/cache/)
    .venv/bin/python benchmarks/phases.py FILE --set key=value  # any register

One in-process solve with ``exports=True`` (the finish kept back as for ``solve --export``),
printing a line when each LP, search in the box, bus bound, price search and stage-3 priced
bound begins and ends, with its outcome, objective and bound; then the timings, the priced
relaxation's evaluations (count and seconds) and each stage's claim.  The province's figures in docs/performance.md (2026-12-06) came from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def traced(owner, name: str, began: float) -> None:
    """Replace ``owner.name`` by a wrapper that prints its start, end and outcome."""
    inner = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        print(f"{start - began:6.1f} > {name}", flush=True)
        out = inner(*args, **kwargs)
        seen = f" -> {out}" if isinstance(out, int) else ""
        if hasattr(out, "outcome"):
            seen = f" {out.outcome} objective={out.objective} bound={out.bound}"
        print(f"{time.perf_counter() - began:6.1f} < {name} ({time.perf_counter() - start:.1f} s){seen}", flush=True)
        return out

    setattr(owner, name, wrapper)


def counted(owner, name: str) -> dict:
    """Replace ``owner.name`` by a wrapper that counts its calls and the seconds they take."""
    inner, tally = getattr(owner, name), {"calls": 0, "seconds": 0.0}

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            tally["calls"] += 1
            tally["seconds"] += time.perf_counter() - start

    setattr(owner, name, wrapper)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", help="register (default: the generated province)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--search", choices=("auto", "full", "guided"), default="auto")
    args = parser.parse_args()
    began = time.perf_counter()
    from allocator.backends.highs import HighsModel
    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions
    from allocator.pricing.bound import PricedBound
    from allocator.stages import driver, exclusion, guided, prices_first

    for owner, name in [(guided, "around_lp"), (guided, "bus_bound"), (prices_first, "priced_output"),
                        (exclusion, "units_bound"), (prices_first, "lp_and_prices"), (HighsModel, "relaxation"), (HighsModel, "run")]:
        traced(owner, name, began)
    evaluations = counted(PricedBound, "best")
    if args.instance is None:
        import run

        instance, sets = run.generated("province"), [s for s in run.PROVINCE_SUPPLY if s != "--set"]
    else:
        instance, sets = Path(args.instance), args.sets
    problem = load_problem(instance, None, sets)
    result = driver.solve(problem, SolveOptions(time_limit=args.time_limit, exports=True, search=args.search), started=began)
    print({k: round(v, 2) for k, v in result.timings.items()})
    print(f"priced evaluations: {evaluations['calls']} in {evaluations['seconds']:.1f} s")
    for stage in result.stages:
        print(stage.stage, stage.status.value, stage.gap, round(stage.seconds, 2))


if __name__ == "__main__":
    main()
