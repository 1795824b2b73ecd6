"""Every firm at its most: when the store covers what every firm could use, stages 1 and 2 need no search.

No plan takes a firm above c_max (all its waiting workers back, a pass for every truck, boxes
up to the no-waste cap with everyone back), so a plan that brings every firm to c_max is
optimal for the lowest link and for the output at once: its values are the bounds.  The
fewest units that do it are each firm's least boxes, passes and riders for c_max
(allocator.problem.needed_for) and, per bus group, its riders over the seats, rounded up.
When those fit in the store and the plan keeps every rule (the tiers' reserves included),
stages 1 and 2 are claimed from it without a solver run, as a what-if sweep with generous
supplies meets them (the plentiful family: stage 1 by branch and bound, stage 2's two LPs and
its search took 0.26 s of 1.2 s at 3,000 firms).  Stage 3 still searches from it: a unit whose
loss fits within the output hold's 1e-6 may go (plentiful-3000-1: 11,052 units at c_max,
11,048 optimal).  ``search="full"`` skips this, so that it stays a plain independent check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allocator.allocation import Allocation, evaluate
from allocator.backends.base import SolverRun
from allocator.model.columns import output_costs
from allocator.problem import LEVEL_ROUNDING, Problem, capacity, needed_for, recovery
from allocator.result import StageResult
from allocator.stages.claims import link_hold

if TYPE_CHECKING:
    from allocator.stages.session import Session

#: The run's note (the stage table's status column stays short: "optimal").
NOTE = "stages 1 and 2: the store covers all that every firm could use, so every firm is at its most: proven without a search"


def everyone_at_most(problem: Problem) -> Allocation | None:
    """The plan with every firm at c_max in the fewest units, if the store holds them and it keeps
    every rule; else None."""
    boxes, passes, riders = needed_for(problem, problem.c_max)
    group, seats = problem.group, problem.scenario.supply.bus_seats
    boxes = np.where(problem.eligible, boxes, 0)
    riders = np.where(group >= 0, riders, 0)
    aboard = np.bincount(group[group >= 0], weights=riders[group >= 0], minlength=len(problem.group_keys))
    buses = -(-aboard.astype(np.int64) // max(seats, 1))
    plan = Allocation(boxes, passes, riders, buses)
    if evaluate(problem, plan).violations:  # a supply short, a reserve unmet: the stages search
        return None
    level = capacity(problem, plan.boxes, plan.passes, plan.returned)
    if np.any(level < problem.c_max - LEVEL_ROUNDING):  # needed_for counts a level within rounding as reached
        return None
    return plan


def stages(session: Session, plan: Allocation, skipped: StageResult) -> tuple[Allocation, StageResult, StageResult]:
    """Stages 1 and 2 claimed from ``plan`` (every firm at c_max), with the holds set for stage 3;
    ``skipped``: stage 1's report when chain balance does not apply."""
    problem, f = session.problem, session.f
    check = evaluate(problem, plan)
    proven = SolverRun("optimal", None, None, None, 0.0, 0)
    session.begin_stage(1)
    if problem.stage1_active:
        session.z1 = check.min_link
        bound = min(recovery(problem, link, problem.c_max) for link in problem.links)
        first = session.claim(1, "max", proven, session.z1, bound)
        session.model.set_lower(f.z, link_hold(session.z1) * f.z_scale)  # (C11), as stage 2 sets it
    else:
        first = skipped
    session.clock.mark("stage1")
    session.begin_stage(2)
    session.model.set_objective(output_costs(f), f.constant_output, maximize=True)
    kept = session.keep(plan)
    session.z2 = evaluate(problem, kept).weighted_output
    bound = float((problem.weight * problem.instance.output_value) @ problem.c_max)
    second = session.claim(2, "max", proven, session.z2, bound)
    session.notes.append(NOTE)
    session.clock.mark("stage2")
    return kept, first, second
