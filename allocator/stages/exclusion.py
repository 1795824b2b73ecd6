"""Stage 3's proofs: that no plan with fewer units keeps the holds of stages 1 and 2.

After a tight stage 2 the kept plan is all but optimal for stage 3, so stage 3 is mostly a
proof.  Three ways, cheapest first:

* stage 2's best prices, rescaled to price units as stage 3 does (Prices.for_units), may
  bound stage 3 at the plan's own count (:func:`by_prices`; one does on Keqiao);
* the exclusion search (:func:`by_exclusion`): a solver run for a plan with at most N - 1
  units that keeps both holds, stopped at the first one found; each found becomes the new
  N, and "infeasible" proves the last N optimal.  The holds are the SPEC's rows exactly: a
  tighter row would prove over a smaller set (two firms of outputs 10^6 and 1.4 were
  "proven" to need a pass with the output hold 4e-7 tighter);
* a priced bound over whole units (:func:`priced_bound`) when a limit stops the others.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.allocation import evaluate
from allocator.backends.base import SolverRun
from allocator.model.columns import counting
from allocator.stages import branch_and_bound
from allocator.stages.claims import gap, output_hold

if TYPE_CHECKING:
    from allocator.allocation import Allocation
    from allocator.pricing.bound import Prices
    from allocator.result import StageResult
    from allocator.stages.session import Session

#: Evaluations stage 2's prices get to prove stage 3 before its own search (one does on Keqiao).
PROOF_EVALUATIONS = 3


def by_prices(session: Session, plan: Allocation) -> StageResult | None:
    """Stage 3 proven by stage 2's prices alone, when their bound meets the plan's units; a few
    evaluations, else nothing is claimed and the search follows."""
    started, count = time.perf_counter(), float(evaluate(session.problem, plan).resources_used)
    bound = units_bound(session, session.stage2_prices.for_units(), PROOF_EVALUATIONS, session.stage_ends, count)
    session.clock.mark("stage3")
    if bound < count:
        return None
    session.notes.append("stage 3 is proven by stage 2's best prices over whole units")
    return session.claim(3, "min", SolverRun("priced", count, count, None, time.perf_counter() - started, 0),
                         count, count)


def by_exclusion(session: Session, start: Allocation, units: np.ndarray) -> tuple[Allocation, StageResult]:
    """Prove that no plan with one unit fewer holds stages 1 and 2, or find one and start again.

    A search steered by weighted output and stopped at the first plan that holds is a
    stronger proof than minimising units (Keqiao: 5.6 s against 9.0 s; without chain
    balance 8.5 s against 18.2 s).  A bound comes first, from the LP and prices over whole
    units (a few evaluations): it may prove the plan at once, and it is what the stage
    reports if a limit stops the search (that search once ran 38 s on a heavy-tailed
    register and left stage 3 without any bound)."""
    f, model, best = session.f, session.model, start
    count = evaluate(session.problem, start).resources_used
    first = lp_bound(session, units, float(count))
    if first.bound is not None and first.bound >= count:
        return best, session.claim(3, "min", first, float(count), first.bound)
    row = model.add_row(units, np.ones(len(units)), -math.inf, count - 1)
    costs = np.zeros(f.num_cols)
    costs[f.c[f.c >= 0]] = -f.value_weight
    model.set_objective(costs, -f.constant_output, maximize=False)
    model.set_target(-output_hold(session.z2))  # any plan that holds stage 2 will do
    seconds, nodes, proven, run = 0.0, 0, count == 0, None
    while not proven:
        model.set_row_bounds(row, -math.inf, count - 1)
        run = branch_and_bound.search(session, None, 1, heuristics=False)
        seconds, nodes = seconds + run.seconds, nodes + run.nodes
        if run.outcome == "infeasible":
            proven = True
            break
        candidate = session.verify(best, run, hold_links=True, hold_output=True)
        fewer = evaluate(session.problem, candidate).resources_used
        if candidate is best or fewer >= count:
            break  # stopped by a limit before finding or excluding a better plan
        best, count = candidate, fewer
    model.set_target(None)
    if proven:
        return best, session.claim(3, "min", SolverRun("optimal", count, count, None, seconds, nodes), float(count),
                                   float(count))
    model.set_row_bounds(row, -math.inf, math.inf)
    limited = SolverRun(run.outcome, count, first.bound, None, seconds + first.seconds, nodes)
    return best, session.claim(3, "min", limited, float(count), first.bound)


def lp_bound(session: Session, units: np.ndarray, count: float) -> SolverRun:
    """Stage 3's LP (its bound, the least whole number at or above it) tightened by pricing its
    duals over whole units in a few evaluations; the bound is in the run (None if the LP failed)."""
    f, model = session.f, session.model
    model.set_objective(counting(f.num_cols, units), 0.0, maximize=False)
    relaxed = model.relaxation(time_limit=session.clock.share(1))
    if relaxed is None or relaxed.outcome != "optimal":
        return SolverRun("time", None, None, None, relaxed.seconds if relaxed is not None else 0.0, 0)
    run = SolverRun("lp", None, math.ceil(relaxed.objective - 1e-6), None, relaxed.seconds, 0, duals=relaxed.duals)
    run, bound = priced_bound(session, run, count, run.bound, evaluations=PROOF_EVALUATIONS)
    return replace(run, bound=bound)


def priced_bound(session: Session, run: SolverRun, value: float, bound: float | None,
                 evaluations: int | None = None) -> tuple[SolverRun, float | None]:
    """Stage 3's bound, tightened by pricing (the output hold priced too): from stage 2's best
    prices where there are some, else from the LP's duals; at most ``evaluations`` (default:
    the stage's price budget)."""
    found = gap("min", value, bound)
    if session.output_row < 0 or (found is not None and found <= 0):
        return run, bound
    if session.stage2_prices is not None:
        prices = session.stage2_prices.for_units()
    elif run.duals is not None:
        prices = session.prices(run.duals, output=abs(float(run.duals[session.output_row])))
    else:
        return run, bound
    started = time.perf_counter()
    budget, deadline = session.price_budget()
    priced = units_bound(session, prices, evaluations or budget, deadline, value * (1 - session.options.rel_gap))
    run = replace(run, seconds=run.seconds + time.perf_counter() - started)
    session.clock.mark("stage3")
    if bound is not None and priced <= bound:
        return run, bound
    source = "stage 2's best prices" if session.stage2_prices is not None else "the LP's duals"
    lp = "" if bound is None else f" (LP bound {bound:.0f})"
    session.notes.append(f"stage 3's bound prices {source} over whole units, bus group by bus group{lp}")
    return run, float(priced)


def units_bound(session: Session, prices: Prices, evaluations: int, deadline: float | None, enough: float) -> int:
    """Stage 3's priced bound from ``prices``, searched until ``enough`` (a whole number of units:
    the least count at or above the proven bound, less 1e-6 of rounding)."""
    units = session.pricing.units_bound(prices, output_hold(session.z2), session.link_hold, evaluations, deadline,
                                        enough)
    return math.ceil(units - 1e-6)
