"""Stage 2 with a price on every unit: one search that also proves stage 3.

With L the proven bound of max (output - p units) over all plans, any plan x has
output(x) <= L + p units(x).  So (a) no plan beats L + p (most units there are): stage 2's
bound; and (b) if L + p (N - 1) < z2 (1 - 1e-6) for the plan kept (N units, output z2), no
plan with fewer units holds stage 2: stage 3 is proven optimal without a search of its own.
(b) holds whenever the search closes its gap below p - 1e-6 z2.  On Keqiao this one search
takes about as long as stage 2 alone did, and stage 3's 4-10 s are gone.  The price needs a
scale, the LP bound; (a) is loose when many units stay unused, and then plain branch and
bound follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocator.allocation import evaluate
from allocator.backends.base import SolverRun
from allocator.model.columns import most_units, output_costs, unit_columns
from allocator.stages import branch_and_bound
from allocator.stages.guided import better
from allocator.stages.claims import FLOAT_NOISE, OPTIMAL_REL_STAGE2, Status, output_hold, wrong_side

if TYPE_CHECKING:
    from allocator.allocation import Allocation
    from allocator.result import StageResult
    from allocator.stages.session import Session

#: The price on every box, pass and bus, relative to stage 2's LP bound; the search runs to
#: 1e-7 on the same scale.  The price must exceed the 1e-6 that stage 3 may trade plus the
#: search's gap plus the solver's imprecision: 5e-6 - 1e-6 - 1e-7 leaves 3.9e-6.
UNIT_PRICE = 5e-6
#: The proof of stage 3 must clear the solver's resolution: its optimum can miss a plan
#: better by its feasibility tolerance times a firm's weight, so the proof's slack must
#: exceed 1e-5 x the heaviest firm's weight.  Without this, a one-firm instance whose price
#: was 1e-7 was "proven" to need a bus that added nothing.
PRICE_RESOLUTION = 1e-5


def stage2(session: Session, start: Allocation) -> tuple[Allocation, StageResult | None]:
    """Stage 2 searched with a price on units; its claim, and stage 3's proof when (b) holds.
    None when the price cannot be set (no units, no LP) or would leave units unused."""
    f, model = session.f, session.model
    units, most, output = unit_columns(f), most_units(session.problem, f), output_costs(f)
    if len(units) == 0:
        return start, None
    model.set_objective(output, f.constant_output, maximize=True)
    relaxed = model.relaxation(time_limit=session.clock.share(2))
    if relaxed is None or relaxed.outcome != "optimal" or relaxed.objective <= 0:
        return start, None
    session.output_duals = relaxed.duals
    price = UNIT_PRICE * relaxed.objective
    costs = output.copy()
    costs[units] -= price
    model.set_objective(costs, f.constant_output, maximize=True)
    priced_lp = model.relaxation(time_limit=session.clock.share(2))
    if priced_lp is None or priced_lp.outcome != "optimal":
        return start, None
    if most - float(priced_lp.values[units].sum()) > 0.5:
        # units worth less than the price: the search would leave them unused and its
        # bound would be loose by price x unused (650k masks: 2.9e-3), so go plain now
        return start, None
    target = min(OPTIMAL_REL_STAGE2, session.options.rel_gap)
    # no start offered: a run with one goes without presolve's dual-fixing probing
    # (allocator.backends.highs.STARTED_RULES_OFF), and this search needs it (fragmented-1000-3: 41.8 s
    # with stage 1's plan as its start, 17.7 s without); the better of its plan and the start is kept
    run = branch_and_bound.search(session, None, 2, rel_gap=target, abs_gap=target * relaxed.objective)
    best, _ = better(session, start, evaluate(session.problem, start).weighted_output, run)
    best = session.keep(best)
    check = evaluate(session.problem, best)
    value, count = check.weighted_output, check.resources_used
    lagrange = run.bound  # L as proven: the bound of max (output - price x units)
    bound = lagrange + price * most if lagrange is not None else None
    seconds = relaxed.seconds + priced_lp.seconds + run.seconds
    report = session.claim(2, "max", SolverRun(run.outcome, run.objective, bound, None, seconds, run.nodes), value,
                           bound)
    if report.status in (Status.OPTIMAL, Status.WITHIN_GAP):
        session.z2 = value
        slack = output_hold(value) - (lagrange + price * (count - 1))
        margin = PRICE_RESOLUTION * float(f.value_weight.max(initial=0.0)) + FLOAT_NOISE * max(1.0, abs(value))
        # an L below the plan's own priced value is a numerical failure: it proves nothing
        if wrong_side("max", value - price * count, lagrange) <= FLOAT_NOISE and slack > margin:
            session.stage3_proven = count
    return best, report
