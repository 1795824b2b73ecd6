"""Stage 2 from the price search: bounds from prices over whole units, plans from relaxed plans.

The LP's duals price what ties the firms together (supplies, link holds); the priced
relaxation then falls apart by firm and bus group and is solved exactly over whole units
(allocator.pricing.bound), and the level method improves the prices.  Every evaluation
proves a bound and yields a whole plan, repaired into one that keeps every rule
(allocator.pricing.plans): a Lagrangian heuristic.  This serves three ways:

* after branch and bound, to tighten stage 2's bound (:func:`priced_output`);
* in a guided stage 2, as its main search (allocator.stages.guided);
* without links to hold (chain balance off, ``search="auto"``), first and alone
  (:func:`stage2`): on Keqiao seeds 1-3 it closes the gap to 6e-8, 5e-8 and 5e-8 in 1.6 s,
  a proof of its own, where branch and bound took 9.7, 2.7 and 4.3 s; where it does not,
  its plan is the search's start.  With the links held at stage 1's optimum the relaxation
  stays 2.5e-4 above its best plan after 20 evaluations, so chain balance keeps branch and
  bound first.  ``search="full"`` skips it: branch and bound alone, an independent check.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.allocation import evaluate
from allocator.backends.base import SolverRun
from allocator.model.columns import output_costs
from allocator.pricing.plans import PUSH_EVALUATIONS, PricedPlans
from allocator.stages.claims import OPTIMAL_REL_STAGE2, gap

if TYPE_CHECKING:
    from allocator.allocation import Allocation
    from allocator.result import StageResult
    from allocator.stages.session import Session

#: Evaluations of the price search a stage 2 without links to hold tries before branch and bound.
PRICE_FIRST_EVALUATIONS = 20


def stage2(session: Session, start: Allocation) -> tuple[Allocation, StageResult | None]:
    """Stage 2 by the price search alone, if it closes the gap to 1e-7 (the report's "optimal");
    else its best plan, as the start of the search that follows, and no claim."""
    f = session.f
    session.model.set_objective(output_costs(f), f.constant_output, maximize=True)
    evaluations, ends = session.price_budget()
    budget = (min(evaluations, PRICE_FIRST_EVALUATIONS), ends)
    _, run, best = lp_and_prices(session, start, session.clock.share(2), "priced", budget)
    if run is None:
        return start, None
    best = session.keep(best)
    value = evaluate(session.problem, best).weighted_output
    found = gap("max", value, run.bound)
    if found is None or found > min(session.options.rel_gap, OPTIMAL_REL_STAGE2):
        return best, None
    session.z2 = value
    return best, session.claim(2, "max", run, value, run.bound)


def lp_and_prices(session: Session, start: Allocation, share: float | None, outcome: str,
                  budget: tuple[int, float | None]) -> tuple[SolverRun | None, SolverRun | None, Allocation]:
    """Stage 2's LP, then the price search from its duals: the LP's run, the stage's run (None
    if the LP did not solve to optimality) and the better of ``start`` and the search's plan."""
    relaxed = session.model.relaxation(time_limit=share)
    if relaxed is None or relaxed.outcome != "optimal":
        return relaxed, None, start
    run = SolverRun(outcome, None, relaxed.objective, None, relaxed.seconds, 0, duals=relaxed.duals)
    run, best = priced_output(session, run, start, relaxed.duals, budget)
    return relaxed, run, best


def priced_output(session: Session, run: SolverRun, best: Allocation, duals: np.ndarray | None,
                  budget: tuple[int, float | None]) -> tuple[SolverRun, Allocation]:
    """Stage 2's bound, tightened by pricing the LP's duals over whole units, and its plan, if one
    of the search's relaxed plans repairs to a better one."""
    value = evaluate(session.problem, best).weighted_output
    found = gap("max", value, run.bound)  # None: no bound yet (a search stopped before its root), so price
    if duals is None or (found is not None and found <= OPTIMAL_REL_STAGE2):
        return run, best
    started, hold = time.perf_counter(), session.link_hold
    enough = value * (1 + session.options.rel_gap)  # the stage's own target: no need to go lower
    plans = PricedPlans(session.problem, session.pricing, hold)
    priced = session.pricing.output_bound(session.prices(duals), hold, *budget, enough, seen=plans)
    plans.push(min(PUSH_EVALUATIONS, budget[0]), budget[1])
    seconds = run.seconds + time.perf_counter() - started
    session.clock.mark("stage2")
    session.stage2_prices = plans.prices
    if plans.output > value:
        session.notes.append(f"stage 2's plan is a relaxed plan of the price search, repaired (output "
                             f"{plans.output:.9g} against {value:.9g})")
        best = plans.plan
    if run.bound is not None and priced >= run.bound:
        return replace(run, seconds=seconds), best
    before = "no bound before" if run.bound is None else f"LP bound {run.bound:.9g}"
    session.notes.append(f"stage 2's bound prices the LP's duals over whole units, bus group by bus group "
                         f"({before}; {plans.evaluations} evaluations)")
    return replace(run, bound=priced, seconds=seconds), best
