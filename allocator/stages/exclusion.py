"""Stage 3's proofs: that no plan with fewer units keeps the holds of stages 1 and 2.

After a tight stage 2 the kept plan is all but optimal for stage 3, so stage 3 is mostly a
proof.  Three ways, cheapest first:

* stage 2's best prices, rescaled to price units as stage 3 does (Prices.for_units), may
  bound stage 3 at the plan's own count (:func:`by_prices`, where the exclusion search
  does not follow: its bound prices them too, after the LP, which alone proves plentiful
  registers in 0.1 s where the prices took 0.2 s and did not);
* the exclusion search (:func:`by_exclusion`): a solver run for a plan with at most N - 1
  units that keeps both holds, stopped at the first one found; each found becomes the new
  N, and "infeasible" proves the last N optimal.  The holds are the SPEC's rows exactly: a
  tighter row would prove over a smaller set (two firms of outputs 10^6 and 1.4 were
  "proven" to need a pass with the output hold 4e-7 tighter).  It is tried near the bound
  only, and for part of the stage: then branch and bound minimising units takes over from
  its best plan (allocator.stages.driver);
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

#: Evaluations stage 2's prices get to prove stage 3 before its own search.
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


#: The exclusion search is tried only while the plan is within this part of its first bound:
#: each round finds a plan with at least one unit fewer, so far from the bound it crawls
#: (a heavy-tailed register of 1,000 firms: 2,955 -> 2,943 units in 58 s against a bound of
#: 1,236, where minimising units proves 2,784 in 6 s); near it, it proves faster than
#: minimising (3,000 fragmented firms, 4% from the bound: 3.3 s against 14.7 s).
EXCLUSION_NEAR = 0.2
#: ... and for at most this part of stage 3's share; branch and bound minimising units, from
#: the best plan found, gets the rest.
EXCLUSION_PART = 0.5
#: ... and for at most this many rounds that find a plan: each round's plan is often only one
#: unit better (a heavy-tailed register of 1,000 firms, chain balance off: 185 rounds of
#: 0.16 s, 2,955 -> 2,771 units against a bound of 2,554, where minimising units from there
#: proved 2,675 in 0.2 s); on the families' registers that the exclusion proves, it found
#: at most 2 plans before its proof.
EXCLUSION_ROUNDS = 3
#: ... and each round for at most this many seconds, plus EXCLUSION_ROUND_GROWTH times what
#: the exclusion has taken so far: a round that neither finds a plan nor proves none exists
#: rarely does either later.  Without this cap 5 of 36 family registers of 2,000 and 3,000
#: firms (chain balance off) spent 19 - 28 s in one such round (threshold-2000-2: bound
#: -19,094.954 against the hold -19,094.946 after 26 s), where minimising units then proved
#: the plan in 0.8 - 2.4 s; the longest round that proved (fragmented-2000-1) took 5.9 s,
#: after 2.6 s of rounds that found plans.
EXCLUSION_ROUND_SECONDS = 2.0
EXCLUSION_ROUND_GROWTH = 2.0


def by_exclusion(session: Session, start: Allocation, units: np.ndarray
                 ) -> tuple[Allocation, StageResult | None, SolverRun]:
    """Prove that no plan with one unit fewer holds stages 1 and 2, or find one and start again.

    A search steered by weighted output and stopped at the first plan that holds is a
    stronger proof than minimising units where the plan is near optimal (Keqiao: 5.6 s
    against 9.0 s; without chain balance 8.5 s against 18.2 s).  A bound comes first, from
    the LP and prices over whole units (a few evaluations): it may prove the plan at once,
    and it says whether the exclusion is worth trying (EXCLUSION_NEAR).  Returns the best
    plan, the claim if proven (else None: minimising units follows from that plan), and the
    run so far (its bound, seconds and nodes)."""
    f, model, best, began = session.f, session.model, start, time.perf_counter()
    count = evaluate(session.problem, start).resources_used
    first = lp_bound(session, units, float(count))
    if first.bound is not None and first.bound >= count:
        return best, session.claim(3, "min", first, float(count), first.bound), first
    far = gap("min", float(count), first.bound)
    if far is None or far > EXCLUSION_NEAR:  # without a bound, nothing says it is near
        return best, None, first
    if far <= session.options.rel_gap:  # the SPEC's stopping rule: claimed "within gap", its gap shown
        return best, session.claim(3, "min", first, float(count), first.bound), first
    share = session.share(1)
    deadline = None if share is None else time.perf_counter() + EXCLUSION_PART * share
    row = model.add_row(units, np.ones(len(units)), -math.inf, count - 1)
    costs = np.zeros(f.num_cols)
    costs[f.c[f.c >= 0]] = -f.value_weight
    model.set_objective(costs, -f.constant_output, maximize=False)
    model.set_target(-output_hold(session.z2))  # any plan that holds stage 2 will do
    seconds, nodes, proven, rounds = 0.0, 0, count == 0, 0
    while not proven and rounds < EXCLUSION_ROUNDS:
        now = time.perf_counter()
        left = None if deadline is None else deadline - now
        if left is not None and left < 0.05:
            break
        cap = EXCLUSION_ROUND_SECONDS + EXCLUSION_ROUND_GROWTH * (now - began)
        left = None if left is None else min(left, cap)
        model.set_row_bounds(row, -math.inf, count - 1)
        run = branch_and_bound.search(session, None, 1, seconds=left, heuristics=False)
        seconds, nodes = seconds + run.seconds, nodes + run.nodes
        if run.outcome == "infeasible":
            proven = True
            break
        candidate = session.verify(best, run, hold_links=True, hold_output=True)
        fewer = evaluate(session.problem, candidate).resources_used
        if candidate is best or fewer >= count:
            break  # stopped by a limit before finding or excluding a better plan
        best, count, rounds = candidate, fewer, rounds + 1
    model.set_target(None)
    model.set_row_bounds(row, -math.inf, math.inf)
    so_far = SolverRun("optimal" if proven else "time", count, count if proven else first.bound, None,
                       seconds + first.seconds, nodes)
    if proven:
        return best, session.claim(3, "min", so_far, float(count), float(count)), so_far
    return best, None, so_far


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
