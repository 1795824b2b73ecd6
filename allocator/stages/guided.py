"""Guided by the LP: a large model's stages take their bound from the LP relaxation and search
only a box around its solution.

HiGHS's root cut loop cannot be interrupted (at 100,000 firms one pass ran 37 s against a
10 s limit), so full branch and bound on a large model overruns ``--time-limit`` and can
stall.  A guided stage solves the LP (its optimum is the stage's proven bound), then runs
branch and bound inside the box [0, max(ceil(LP), start)]: the box holds the start, so the
search can only improve on it.  Stage 1's bound is then tightened by the relaxation that
keeps only the buses integer (allocator.model.bus_bound); a guided stage 2 prices first
(allocator.stages.prices_first) and searches around the LP only if the gap is still above
the target.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from allocator import progress
from allocator.backends import open_model
from allocator.backends.base import SolverRun
from allocator.model.bus_bound import bus_relaxation
from allocator.model.columns import counting, start_vector
from allocator.stages.claims import OPTIMAL_REL_STAGE2, gap

if TYPE_CHECKING:
    from allocator.allocation import Allocation
    from allocator.stages.session import Session

#: The bus relaxation's root gets what is left of stage 1's share, at most this part of the
#: time limit: its cut rounds cannot be interrupted (about 5 s each at 100,000 firms), so a
#: larger budget buys a few rounds and overruns by one; at 100,000 firms 10 s take the bound
#: from 2.1e-3 to about 9e-4 and 18 s to 7e-4, while the whole run must stay within a
#: minute.  Below MIN_BUS_BOUND_SECONDS it is skipped.
BUS_BOUND_SHARE = 1 / 6
MIN_BUS_BOUND_SECONDS = 2.0
#: A guided stage 1 searches the whole model only above this gap (see stage1_whole).
WHOLE_STAGE1_ABOVE = 1e-3
#: A guided stage 2 or 3 searches the whole model only with this many times stage 2's LP seconds
#: left: HiGHS's root (its own LP, presolve, cut rounds) cannot be interrupted.  At 10,000 firms
#: with --time-limit 10 stage 2's ran 5.2 s where 2.3 s were left (heavytail; its LP 0.6 s),
#: 11.8 s in all; with the default 60 s stage 3's minimising ran 15 s where 6.5 s were left
#: (threshold; stage 2's LP 0.9 s), 63 s in all.
ROOT_PER_LP = 8.0
#: A guided stage 2 searches around the LP after its price search only with this much time left.
MIN_SEARCH_SECONDS = 2.0


def search(session: Session, start: Allocation | None, stages_left: int, **limits) -> SolverRun:
    """One guided run in the stage's share; a guided stage 3 from a lean plan only solves its LP
    (at 100,000 firms its search ran its whole share, 17 s, without finding fewer units)."""
    known = start_vector(session.problem, session.f, start) if start is not None else None
    share = session.share(stages_left)
    run = around_lp(session, known, share, session.limits(**limits), search=stages_left > 1 or known is None)
    session.clock.mark(f"stage{4 - stages_left}")
    return run


def around_lp(session: Session, known: np.ndarray | None, share: float | None, limits: dict, search: bool,
              relaxed: SolverRun | None = None) -> SolverRun:
    """The LP relaxation for the bound, then branch and bound inside the box around it and ``known``.

    Only the LP's optimum is a proven bound; ``relaxed``: the LP already solved (and its time
    counted) by the caller.
    """
    model = session.model
    solved = relaxed is not None
    relaxed = relaxed or model.relaxation(time_limit=share)
    if relaxed is None or relaxed.outcome != "optimal":
        return _no_lp(relaxed)
    if not search:
        return SolverRun("guided", None, relaxed.objective, None, relaxed.seconds, 0, duals=relaxed.duals)
    upper = np.ceil(relaxed.values - 1e-6)
    if known is not None:  # offered only now: set before the LP, it cost the LP 3 s of 10 at 100,000 firms
        upper = np.maximum(upper, known)
        model.set_start(known)
    left = None if share is None else max(0.05, share - (0.0 if solved else relaxed.seconds))
    run = model.run_within(upper, time_limit=left, **limits)
    outcome = run.outcome if run.outcome in ("time", "interrupted") else "guided"
    seconds = run.seconds + (0.0 if solved else relaxed.seconds)
    return SolverRun(outcome, run.objective, relaxed.objective, run.values, seconds, run.nodes, duals=relaxed.duals)


def bus_bound(session: Session, run: SolverRun, share: float | None) -> SolverRun:
    """A guided stage 1's LP bound, tightened by the relaxation that keeps only the buses integer.

    Only its root is solved (cut rounds on the buses do the work; a node limit of 1 keeps
    --deterministic runs bounded by work), in what is left of stage 1's share.
    """
    options = session.options
    left = None if share is None else min(share - run.seconds, BUS_BOUND_SHARE * options.time_limit)
    relaxed = bus_relaxation(session.problem, session.f)
    if relaxed is None or (left is not None and left < MIN_BUS_BOUND_SECONDS):
        return run
    model = open_model(options, relaxed)
    model.bound_only()
    model.set_objective(counting(relaxed.num_cols, relaxed.z), 0.0, maximize=True)
    tighter = model.run(time_limit=left, rel_gap=options.rel_gap, node_limit=1)
    session.clock.mark("stage1")
    bound = run.bound
    if tighter.bound is not None and (bound is None or tighter.bound < bound):
        bound = tighter.bound
        session.notes.append(f"stage 1's bound is that of the relaxation keeping only the buses integer "
                             f"(LP bound {run.bound / session.f.z_scale:.7g})")
    return SolverRun(run.outcome, run.objective, bound, run.values, run.seconds + tighter.seconds,
                     run.nodes + tighter.nodes)


def stage1_whole(session: Session, best: Allocation, run: SolverRun, left: float | None) -> tuple[Allocation, SolverRun]:
    """A guided stage 1 still open after its box search and the bus bound: branch and bound over
    the whole model from its best plan (Session.whole_search), in what is left of stage 1's share
    and at most the bus bound's part of the limit (time that stage 2 got before, when stage 1
    ended early).

    On a register with scarce masks (10,000 firms, the reserve family) the box around the LP
    held a plan 1.9e-2 below the LP bound and the bus bound did not help (the masks bind, not
    the buses); 10 s of branch and bound over the whole model take the bound to 1.2e-4 of that
    plan.  Gaps at or below WHOLE_STAGE1_ABOVE are left as they are: on the fragmented family
    (5e-4) 20 s of it moved nothing; the scarce family (5e-3) still searches, 14 s for 5% of
    its gap, paid by stage 3.
    """
    from allocator.allocation import evaluate

    if left is not None:
        left = min(left, BUS_BOUND_SHARE * session.options.time_limit)
        if left < MIN_SEARCH_SECONDS:
            return best, run
    session.model.set_start(start_vector(session.problem, session.f, best))
    found = session.model.run(time_limit=left, **session.limits())
    session.clock.mark("stage1")
    candidate = session.verify(best, found)
    if evaluate(session.problem, candidate).min_link > evaluate(session.problem, best).min_link:
        best = candidate
    bound = run.bound
    if found.bound is not None and (bound is None or found.bound < bound):
        session.notes.append(f"stage 1's bound is that of branch and bound over the whole model, from the best "
                             f"plan found (bound before it {run.bound / session.f.z_scale:.7g})")
        bound = found.bound
    return best, replace(run, outcome=found.outcome if found.outcome in ("time", "work", "interrupted") else run.outcome,
                         bound=bound, seconds=run.seconds + found.seconds, nodes=run.nodes + found.nodes)


def stage2(session: Session, start: Allocation) -> tuple[Allocation, SolverRun]:
    """LP, then the price search (bound and plans), then, while the gap is above the target, a
    search around the LP from the best plan in what is left, and where the model is small
    enough (Session.whole_search) and time is left, branch and bound over the whole model
    (its bound may beat the priced one)."""
    from allocator.allocation import evaluate
    from allocator.stages.prices_first import lp_and_prices

    began, share = time.perf_counter(), session.share(2)
    relaxed, run, best = lp_and_prices(session, start, share, "guided", session.price_budget())
    session.lp_seconds = relaxed.seconds if relaxed is not None else 0.0
    if run is None:
        return start, _no_lp(relaxed)
    limits = session.limits(rel_gap=min(session.options.rel_gap, OPTIMAL_REL_STAGE2))
    value = evaluate(session.problem, best).weighted_output
    if _open(session, value, run.bound, _left(share, began)):
        found = around_lp(session, start_vector(session.problem, session.f, best), _left(share, began), limits,
                          search=True, relaxed=relaxed)
        best, value = better(session, best, value, found)
        run = replace(run, outcome=found.outcome, seconds=run.seconds + found.seconds, nodes=found.nodes)
    if session.whole_search and _open(session, value, run.bound, _left(share, began), ROOT_PER_LP * session.lp_seconds):
        session.model.set_start(start_vector(session.problem, session.f, best))
        found = session.model.run(time_limit=_left(share, began), **limits)
        best, value = better(session, best, value, found)
        if found.bound is not None and found.bound < run.bound:
            session.notes.append(f"stage 2's bound is that of branch and bound over the whole model, from the "
                                 f"best plan found (priced bound {run.bound:.9g})")
            run = replace(run, bound=found.bound)
        run = replace(run, outcome=found.outcome, seconds=run.seconds + found.seconds, nodes=run.nodes + found.nodes)
    session.clock.mark("stage2")
    return best, run


def _left(share: float | None, began: float) -> float | None:
    return None if share is None else share - (time.perf_counter() - began)


def _open(session: Session, value: float, bound: float, left: float | None, needs: float = 0.0) -> bool:
    """Whether stage 2's gap is above the target with time enough left to search on (at least
    MIN_SEARCH_SECONDS and ``needs``)."""
    enough = left is None or left >= max(MIN_SEARCH_SECONDS, needs)
    return (gap("max", value, bound) or 0.0) > session.options.rel_gap and enough


def better(session: Session, best: Allocation, value: float, found: SolverRun) -> tuple[Allocation, float]:
    """The search's plan and its output if it keeps every rule and beats ``best`` (of output
    ``value``), else ``best``: a search may stop on a worse incumbent than its start, since HiGHS
    drops a start it finds infeasible at its own tolerance, and a second search follows."""
    from allocator.allocation import evaluate

    candidate = session.verify(best, found, hold_links=True)
    output = evaluate(session.problem, candidate).weighted_output
    return (candidate, output) if output > value else (best, value)


def _no_lp(relaxed: SolverRun | None) -> SolverRun:
    """A stage's run when its LP gave no bound: infeasible, stopped (by the officer or its time limit)
    or failed, after the seconds it took.  A 30,000-firm stage 1 whose LP ran out its 26 s share was
    reported as taking 0.0 s."""
    if relaxed is None:
        return SolverRun(_stopped(), None, None, None, 0.0, 0)
    return SolverRun(relaxed.outcome, None, None, None, relaxed.seconds, 0)


def _stopped() -> str:
    """Why an LP gave no answer: the officer's stop, or its time limit."""
    return "interrupted" if progress.stopping() else "time"
