"""The baseline an officer gets by hand: day 1 alone, then day 2 with what day 1 left, and so on.

Each morning is a one-day solve with the three stages of ``solve`` (lowest link that day,
then that day's weighted output, then the fewest units, the rest staying in store for
tomorrow), from what the firms already hold.  Each day runs the week's engine on a one-day window (from day 2 on, the
freight and reserve terms count what the firms already hold, which a one-day instance
cannot say; day 1 runs the same engine, which hands out leftovers before its stage-2
search, so a short share does not leave it at stage 1's plan).  A one-day plan
(``plan --days 1``) is exactly ``allocator solve`` under day 1's store
(:func:`solve_first_day`).  The baseline is a feasible plan of
the whole week, so the week's search starts from it and never ends below it in stage 1.
"""

from __future__ import annotations

import time
from dataclasses import replace

from allocator.options import SolveOptions
from allocator.plan.budget import Budget
from allocator.plan.evaluation import Plan, evaluate
from allocator.plan.problem import Horizon
from allocator.plan.result import STAGE_NAMES, Baseline, DayRun
from allocator.plan.solve import Searched, search

#: The baseline's part of the time limit against the week's (its plans are the week's first, and
#: on Keqiao's first three days the best it could find within 2.4e-4 of the days' bound).
BASELINE_WEIGHT = 1.0
HORIZON_WEIGHT = 1.0
#: A morning's stages: stage 1 decides what the next days start from and is cheap to prove;
#: stage 3 only hands back units beyond need.
DAY_WEIGHTS = (2.0, 2.0, 1.0)
#: Day 1 starts from nothing, so its search is the hardest (later days' stage 1 is settled in 0.1 s).
FIRST_DAY_WEIGHT = 2.0


def day_by_day(horizon: Horizon, options: SolveOptions, budget: Budget) -> tuple[Baseline, list[str]]:
    """Each day of ``horizon`` solved alone, in turn, from what the days before left."""
    levels, plans, runs, notes = horizon.start, [], [], []
    for k, day in enumerate(horizon.day_numbers):
        began = time.perf_counter()
        window = horizon.window(day, day, levels)
        weights = [FIRST_DAY_WEIGHT if d == 1 else 1.0 for d in horizon.day_numbers]
        part = BASELINE_WEIGHT / sum(weights)
        seconds = budget.share(part * weights[k], part * sum(weights[k:]) + HORIZON_WEIGHT)
        plan, _, stages, day_notes, _ = search(window, options, budget, seconds, [], label="baseline ",
                                               weights=DAY_WEIGHTS, carry=0.0)
        notes += [f"day-by-day, day {day}: {note}" for note in day_notes]
        plans.append(plan)
        runs.append(DayRun(day, stages, time.perf_counter() - began))
        levels = plan.day(0)
    whole = plans[0]
    for plan in plans[1:]:
        whole = whole.then(plan)
    return Baseline(whole, evaluate(horizon, whole), tuple(runs)), notes


def solve_first_day(horizon: Horizon, options: SolveOptions, seconds: float | None) -> Searched:
    """Day 1 with nothing held yet: ``allocator solve`` under day 1's store (the scenario's supply
    and day 1's arrivals), so that ``plan --days 1`` is ``solve``, figure for figure."""
    from allocator.problem import Problem
    from allocator.stages.driver import solve

    assert horizon.days == 1 and horizon.first == 1
    p = horizon.problem
    sup = p.scenario.supply
    arrived = {kind: int(horizon.arrived[kind][0]) for kind in ("masks", "passes", "buses")}
    scenario = p.scenario
    if any(arrived.values()):
        scenario = scenario.with_overrides({"supply.masks": sup.masks + arrived["masks"],
                                            "supply.passes": sup.passes + arrived["passes"],
                                            "supply.buses": sup.buses + arrived["buses"]})
    day_one = Problem(p.instance, scenario) if scenario is not p.scenario else p
    # the plan's budget has already set its export's time aside: solve's clock must not again
    limited = options if seconds is None else replace(options, time_limit=seconds, exports=False, visuals=False)
    result = solve(day_one, limited)
    a = result.allocation
    plan = Plan(a.boxes[None, :], a.passes[None, :], a.returned[None, :], a.buses[None, :])
    stages = tuple(replace(s, name=STAGE_NAMES[s.stage]) for s in result.stages)
    return Searched(plan, evaluate(horizon, plan), stages, list(result.notes), result.seats_filled)
