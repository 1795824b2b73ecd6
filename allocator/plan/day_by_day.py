"""The baseline an officer gets by hand: day 1 alone, then day 2 with what day 1 left, and so on.

Each morning is a one-day solve with the three stages of ``solve`` (lowest link that day,
then that day's weighted output, then the fewest units, the rest staying in store for
tomorrow), from what the firms already hold.  Day 1, with nothing held yet, is exactly
``allocator solve`` under the day's store (:func:`solve_first_day`); later days run the
week's engine on a one-day window (their freight and reserve terms count what the firms
already hold, which a one-day instance cannot say).  The baseline is a feasible plan of
the whole week, so the week's search starts from it and never ends below it in stage 1.
"""

from __future__ import annotations

import time
from dataclasses import replace

from allocator.options import SolveOptions
from allocator.plan.budget import Budget
from allocator.plan.evaluation import Plan, PlanEvaluation, evaluate
from allocator.plan.problem import Horizon
from allocator.plan.result import STAGE_NAMES, Baseline, DayRun
from allocator.plan.solve import search
from allocator.result import StageResult

#: The baseline's part of the time limit against the week's three stages (3).
BASELINE_WEIGHT = 1.0
HORIZON_WEIGHT = 3.0


def day_by_day(horizon: Horizon, options: SolveOptions, budget: Budget) -> tuple[Baseline, list[str]]:
    """Each day of ``horizon`` solved alone, in turn, from what the days before left."""
    levels, plans, runs, notes = horizon.start, [], [], []
    for k, day in enumerate(horizon.day_numbers):
        began = time.perf_counter()
        window = horizon.window(day, day, levels)
        days_left = horizon.days - k
        seconds = budget.share(BASELINE_WEIGHT / horizon.days, BASELINE_WEIGHT * days_left / horizon.days + HORIZON_WEIGHT)
        if day == 1 and not window.start.boxes.any() and not window.start.passes.any() and not window.start.returned.any():
            plan, _, stages, day_notes = solve_first_day(window, options, seconds)
            budget.mark("baseline day 1")
        else:
            plan, _, stages, day_notes = search(window, options, budget, seconds, [], label="baseline ")
        notes += [f"day-by-day, day {day}: {note}" for note in day_notes]
        plans.append(plan)
        runs.append(DayRun(day, stages, time.perf_counter() - began))
        levels = plan.day(0)
    whole = plans[0]
    for plan in plans[1:]:
        whole = whole.then(plan)
    return Baseline(whole, evaluate(horizon, whole), tuple(runs)), notes


def solve_first_day(horizon: Horizon, options: SolveOptions, seconds: float | None
                    ) -> tuple[Plan, PlanEvaluation, tuple[StageResult, ...], list[str]]:
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
    limited = options if seconds is None else replace(options, time_limit=seconds)
    result = solve(day_one, limited)
    a = result.allocation
    plan = Plan(a.boxes[None, :], a.passes[None, :], a.returned[None, :], a.buses[None, :])
    stages = tuple(replace(s, name=STAGE_NAMES[s.stage]) for s in result.stages)
    return plan, evaluate(horizon, plan), stages, list(result.notes)
