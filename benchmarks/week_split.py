"""Where the week's stage-2 gap is: each model day's output in the kept plan against its bound
from the days alone (allocator.plan.bounds), and the baseline days' own claims (not part of the tests).

    .venv/bin/python benchmarks/week_split.py 3 20     # Keqiao's first 3 days, --time-limit 20
    .venv/bin/python benchmarks/week_split.py 7 60     # the bundled week

One in-process plan; DayBounds' stage-2 and stage-3 bounds are read as they are computed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from plan_bench import KEQIAO, WEEK, first_days  # noqa: E402

from allocator.cli.plan import load_horizon  # noqa: E402
from allocator.options import SolveOptions  # noqa: E402
from allocator.plan import bounds  # noqa: E402
from allocator.plan.evaluation import evaluate  # noqa: E402
from allocator.plan.week import plan  # noqa: E402


def main(days: int, limit: float) -> None:
    horizon = load_horizon(KEQIAO, days, first_days(days) if days < 7 else WEEK, None, None, None)
    seen: dict = {}
    stage2, stage3 = bounds.DayBounds.stage2, bounds.DayBounds.stage3

    def watched2(self, plan_, z1, seconds):
        seen["days"], seen["stage2"] = self, stage2(self, plan_, z1, seconds)
        return seen["stage2"]

    def watched3(self, plan_, z2, seconds):
        seen["stage3"] = stage3(self, plan_, z2, seconds)
        return seen["stage3"]

    bounds.DayBounds.stage2, bounds.DayBounds.stage3 = watched2, watched3
    began = time.perf_counter()
    result = plan(horizon, SolveOptions(time_limit=limit))
    print(f"{time.perf_counter() - began:.1f} s;", {k: round(v, 2) for k, v in result.timings.items()})
    for s in result.stages:
        print(f"stage {s.stage}: {s.status.value}, value {s.value}, bound {s.bound}, gap {s.gap}")
    check, days_ = evaluate(horizon, result.plan), seen.get("days")
    if days_ is not None:
        print(f"links' slack {days_.slack:.3g}")
        for k, (at, m) in enumerate(horizon.blocks):
            print(f"day {at + 1} (x{m}): plan {check.output[at]:,.1f}, bound {days_.outputs[k]:,.1f}, "
                  f"above by {days_.outputs[k] - check.output[at]:,.1f}; lowest link {check.lowest[at]:.7f}, "
                  f"bound {days_.links[k]:.7f}")
        print(f"units {check.resources_used}, stage-3 bound of the days {seen.get('stage3')}")
    for day in result.baseline.days:
        print(f"baseline day {day.day}: " + ", ".join(f"{s.status.value} ({s.gap:.1e})" if s.gap is not None
                                                      else s.status.value for s in day.stages) + f"; {day.seconds:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
