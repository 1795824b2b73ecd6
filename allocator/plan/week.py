"""plan(horizon) -> PlanResult: the day-by-day baseline, then the three stages over the week from it.

    baseline   allocator.plan.day_by_day: what an officer gets by hand, a feasible plan of
               the week, and the first plan the week's search starts from
    stages     allocator.plan.solve: max the lowest link summed over the days, then
               weighted output-days, then the fewest units, with solve's holds and claims
"""

from __future__ import annotations

from collections.abc import Callable

from allocator.options import SolveOptions
from allocator.plan.budget import Budget
from allocator.plan.day_by_day import day_by_day, solve_first_day
from allocator.plan.problem import Horizon
from allocator.plan.result import Baseline, DayRun, PlanResult
from allocator.plan.solve import search
from allocator.stages.claims import Status

#: The week's stages: stage 1's days are quick to bound, stage 2's bounds are where the time goes
#: (one output search per day), stage 3's search rarely gains on the lean plan it starts from.
WEEK_WEIGHTS = (1.0, 2.5, 0.6)


def plan(horizon: Horizon, options: SolveOptions | None = None, *, started: float | None = None,
         stop: Callable[[], bool] | None = None) -> PlanResult:
    """Plan the week: the day-by-day baseline, then the three stages over the horizon from it.

    ``started`` (``time.perf_counter()`` when reading began) makes reading count against the
    limit; ``stop`` is asked between solver runs (a time limit and a stop end a stage alike).
    A one-day horizon is ``allocator solve`` under day 1's store, and is its own baseline.
    """
    options = options or SolveOptions()
    budget = Budget(options, started, stop, len(horizon.problem.instance) * horizon.days)
    if horizon.days == 1 and horizon.first == 1:
        found, check, stages, notes, seated = solve_first_day(horizon, options, budget.left())
        budget.mark("solve")
        baseline = Baseline(found, check, (DayRun(1, stages, sum(s.seconds for s in stages)),))
        return PlanResult(horizon, options, found, check, stages, baseline, budget.timings, tuple(notes),
                          budget.interrupted(), seated)
    baseline, notes = day_by_day(horizon, options, budget)
    first = baseline.days[0].stages[0]  # day 1 alone is the first of the days that bound the week
    known = {0: first.bound} if first.bound is not None and first.status is not Status.SKIPPED else {}
    found, check, stages, more, seated = search(horizon, options, budget, budget.left(), [baseline.plan], day_bounds=True,
                                                weights=WEEK_WEIGHTS, carry=0.5, known_links=known)
    return PlanResult(horizon, options, found, check, stages, baseline, budget.timings, tuple(notes + more),
                      budget.interrupted(), seated)
