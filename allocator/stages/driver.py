"""solve(problem) -> Result: the three lexicographic stages on one solver model.

Each stage is searched by one of the ways in this package, chosen here; whatever finds
the plan, the session's rules decide what is kept and claimed (allocator.stages.session):
every plan is recomputed, must keep the holds of the earlier stages, and is reported
with its bound as proven.  A stage that cannot improve on its start keeps it: the start
is feasible for it by construction.

    stage 1  max lowest link             branch and bound, or guided (+ the bus relaxation's bound)
    stage 2  max weighted output         prices first (chain balance off), a unit price that
                                         also proves stage 3, branch and bound (+ priced bound),
                                         or guided (prices, then a search around the LP)
    stage 3  min boxes + passes + buses  proven in stage 2, by stage 2's prices, by exclusion
                                         (near its bound, then minimised), or searched (+ priced bound)
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from allocator import progress
from allocator.allocation import Allocation, evaluate
from allocator.backends.base import SolverRun
from allocator.data.loading import load_problem
from allocator.model.columns import counting, output_costs, start_vector, unit_columns
from allocator.model.formulation import build
from allocator.options import SolveOptions
from allocator.plans.fill import fill_leftovers
from allocator.plans.surplus import drop_surplus
from allocator.plans.trim import trim
from allocator.problem import Problem, mask_cap
from allocator.progress import Watch
from allocator.result import STAGE_NAMES, Result, StageResult
from allocator.stages import branch_and_bound, exclusion, guided, prices_first, served, unit_price
from allocator.stages.claims import HOLD_OUTPUT_REL, OPTIMAL_REL_STAGE2, Status, gap, link_hold, output_hold
from allocator.stages.clock import Clock
from allocator.stages.session import Session


def solve(problem: Problem, options: SolveOptions | None = None, *, started: float | None = None,
          watch: Watch | None = None) -> Result:
    """Solve the three stages of the SPEC model and return the verified allocation.

    ``started`` (``time.perf_counter()`` when reading began) makes the reading count
    against ``options.time_limit``, so that a run from the command line ends near it.
    ``watch`` receives progress events and may ask the search to stop (allocator.progress):
    every stage then ends as at its time limit, with its best verified plan.
    """
    with progress.watching(watch if watch is not None else progress.current()):
        return _solve(problem, options or SolveOptions(), started)


def _solve(problem: Problem, options: SolveOptions, started: float | None) -> Result:
    clock = Clock(options, started, len(problem.instance))
    formulation = build(problem)
    clock.mark("build")
    session = Session(problem, formulation, options, clock)
    skipped = StageResult(1, STAGE_NAMES[1], "max", Status.SKIPPED, None, None, None, 0.0, note=_skip_reason(problem))
    at_most = served.everyone_at_most(problem) if options.search != "full" else None
    if at_most is not None:  # the store covers every firm's most: stages 1 and 2 need no search
        current, first, second = served.stages(session, at_most, skipped)
    else:
        current = initial_allocation(problem)
        current, first = stage1(session, current) if problem.stage1_active else (current, skipped)
        current, second = stage2(session, current)
    current, third = stage3(session, current, second)
    clock.mark("solve")
    return Result(problem, options, current, evaluate(problem, current), (first, second, third), clock.timings,
                  tuple(session.notes), session.seats_filled)


def solve_file(instance: str | Path, scenario: str | Path | None = None, sets: list[str] | None = None, *,
               options: SolveOptions | None = None, encoding: str | None = None, watch: Watch | None = None) -> Result:
    """Load, validate and solve in one call; reading counts against the time limit."""
    started = time.perf_counter()
    return solve(load_problem(instance, scenario, sets, encoding), options, started=started, watch=watch)


def stage1(session: Session, start: Allocation) -> tuple[Allocation, StageResult]:
    """Max the lowest listed link recovery."""
    f = session.f
    session.begin_stage(1)
    session.model.set_objective(counting(f.num_cols, f.z), 0.0, maximize=True)
    began, share = time.perf_counter(), session.share(3)
    # the start (nothing handed out but the reserves) is not offered to branch and bound: a run with a
    # start goes without presolve's dual-fixing probing (allocator.backends.highs.STARTED_RULES_OFF),
    # which stage 1 needs (fragmented-1000-3 went from within gap to its time limit) and this start
    # does not help; a search that finds nothing keeps it all the same
    run = guided.search(session, start, 3) if session.guided else branch_and_bound.search(session, None, 3)
    best = _higher_link(session, session.verify(start, run), fill_leftovers(session.problem, start))
    if session.guided and _open1(session, best, run):
        run = guided.bus_bound(session, run, share)
    if session.guided and session.whole_search and _open1(session, best, run, guided.WHOLE_STAGE1_ABOVE):
        best, run = guided.stage1_whole(session, best, run, None if share is None else share - (time.perf_counter() - began))
    best = session.keep(best)
    session.z1 = evaluate(session.problem, best).min_link
    return best, session.claim(1, "max", run, session.z1, _link_bound(f, run))


def _higher_link(session: Session, found: Allocation, filled: Allocation) -> Allocation:
    """The search's plan, or the start with the leftovers handed out where its lowest link is higher:
    at 30,000 firms (concentrated) stage 1's LP took its whole 26 s share, and the stage kept its start,
    the reserves alone (lowest link 0.037), where handing out the store gives 0.155 in 0.03 s (LP bound
    0.227).  Adding units never lowers a link (allocator.plans.fill)."""
    link = lambda plan: evaluate(session.problem, plan).min_link  # noqa: E731
    return filled if link(filled) > link(found) else found


def _open1(session: Session, best: Allocation, run: SolverRun, above: float = 0.0) -> bool:
    """Whether stage 1's gap is still above the stopping gap (and ``above``)."""
    value = evaluate(session.problem, best).min_link
    return (gap("max", value, _link_bound(session.f, run)) or 0.0) > max(session.options.rel_gap, above)


def _link_bound(f, run: SolverRun) -> float | None:
    """Stage 1's bound in link recovery (the model holds it scaled, see allocator.model.formulation)."""
    return None if run.bound is None else run.bound / f.z_scale


def stage2(session: Session, start: Allocation) -> tuple[Allocation, StageResult]:
    """Max weighted output, holding the links at z1 - 1e-6 (C11)."""
    f, model = session.f, session.model
    session.begin_stage(2)
    if session.z1 is not None:
        model.set_lower(f.z, link_hold(session.z1) * f.z_scale)  # (C11), the SPEC's hold exactly
    if session.guided:
        model.set_objective(output_costs(f), f.constant_output, maximize=True)
        best, run = guided.stage2(session, fill_leftovers(session.problem, start))  # see allocator.plans.fill
    else:
        if session.z1 is None and session.options.search == "auto":  # no link to hold: prices alone may prove it
            start, report = prices_first.stage2(session, start)
            if report is not None:
                return start, report
        start = fill_leftovers(session.problem, start)  # see allocator.plans.fill
        start, report = unit_price.stage2(session, start)
        if report is not None and report.status in (Status.OPTIMAL, Status.WITHIN_GAP):
            return start, report
        spent, earlier = (report.seconds, report.bound) if report is not None else (0.0, None)
        model.set_objective(output_costs(f), f.constant_output, maximize=True)
        boxed_before = report is not None and report.status in (Status.TIME_LIMIT, Status.WORK_LIMIT)
        if boxed_before:
            start, boxed = _around_lp(session, start)
            spent += boxed.seconds
            earlier = min((b for b in (earlier, boxed.bound) if b is not None), default=None)
        share = session.share(2)
        # no start offered: presolve's dual-fixing probing is off in a run given one (allocator.backends.
        # highs.STARTED_RULES_OFF) and this search needs it (fragmented-2000, chain on: stage 2 proven in
        # 2 s with it, 0.10 - 0.14 after 19 s without); its plan is kept unless the start has more output
        own = None if share is None else (PLAIN_PART * share if not boxed_before else _stage_left(session))
        run = branch_and_bound.search(session, None, 2, seconds=own,
                                      rel_gap=min(session.options.rel_gap, OPTIMAL_REL_STAGE2))
        found = session.verify(start, run, hold_links=True)
        output = evaluate(session.problem, start).weighted_output
        best = found if evaluate(session.problem, found).weighted_output >= output else start
        if not boxed_before and run.outcome in ("time", "work"):  # without a start it may have found little
            best, boxed = _around_lp(session, best)
            spent += boxed.seconds
            earlier = min((b for b in (earlier, boxed.bound) if b is not None), default=None)
        bound = min((b for b in (run.bound, earlier) if b is not None), default=None)  # both proven: the lower
        run = SolverRun(run.outcome, run.objective, bound, run.values, run.seconds + spent, run.nodes, run.duals)
        duals = run.duals if run.duals is not None else session.output_duals
        run, best = prices_first.priced_output(session, run, best, duals, session.price_budget())
    best = session.keep(best)
    session.z2 = evaluate(session.problem, best).weighted_output
    return best, session.claim(2, "max", run, session.z2, run.bound)


def _stage_left(session: Session) -> float | None:
    """What is left of the running stage's share as reckoned when it began (None: work bounds it)."""
    return None if session.stage_ends is None else max(0.05, session.stage_ends - time.perf_counter())


#: Where no box search ran before it (no unit-price search, or one that proved nothing), stage 2's
#: branch and bound takes this part of the stage's share; stopped there, the search in the box around
#: the LP (below) follows: without a start it can end with no plan at all (fragmented-2000-3, chain
#: on: none in 19 s, where the box search finds one).
PLAIN_PART = 0.8
#: After a search with a unit price stopped without its proof, this part of stage 2's share goes
#: to a search in the box around the LP (allocator.stages.guided) before branch and bound runs
#: again.  Keqiao with --time-limit 10: the priced search (3.4 s) and a second one from its
#: start (2.4 s) both ended on stage 1's plan, 0.19 below the bound; the box search found a
#: plan within 3.7e-4 of it in 0.4 - 0.6 s (LP included); with 0.3 of the share (0.5 s) one run in
#: four stopped just before it.
BOX_PART = 0.5


def _around_lp(session: Session, start: Allocation) -> tuple[Allocation, SolverRun]:
    """The better of ``start`` and the best plan in the box around stage 2's LP, and the box
    search's run (its bound is the LP's)."""
    share = session.share(2)
    limits = session.limits(rel_gap=min(session.options.rel_gap, OPTIMAL_REL_STAGE2))
    known = start_vector(session.problem, session.f, start)
    found = guided.around_lp(session, known, None if share is None else BOX_PART * share, limits, search=True)
    session.clock.mark("stage2")
    before = evaluate(session.problem, start).weighted_output
    best, value = guided.better(session, start, before, found)
    if value > before:
        session.notes.append(f"stage 2's plan comes from a search in the box around its LP, after a search "
                             f"stopped at its limit (output {value:.9g} against {before:.9g})")
    return best, found


def stage3(session: Session, start: Allocation, second: StageResult) -> tuple[Allocation, StageResult]:
    """Min boxes + passes + buses, holding the links (C11) and the output at z2 (1 - 1e-6) (C12)."""
    best, report = _stage3(session, start, second)
    return session.keep(best), report  # spare seats cost no unit: the value stands


def _stage3(session: Session, start: Allocation, second: StageResult) -> tuple[Allocation, StageResult]:
    f, model = session.f, session.model
    session.begin_stage(3)
    if session.stage3_proven is not None:
        units = float(session.stage3_proven)
        progress.emit("claim", value=units, bound=units, text=Status.OPTIMAL.value)
        return start, StageResult(3, STAGE_NAMES[3], "min", Status.OPTIMAL, units, units, 0.0, 0.0,
                                  note="proven in stage 2")
    start = drop_surplus(session.problem, start)
    start = trim(session.problem, start, output_hold(session.z2), session.link_hold)  # the holds' slack, spent
    floor = output_hold(session.z2) - f.constant_output  # the SPEC's hold exactly: it may prove
    session.output_row = model.add_row(f.c[f.c >= 0], f.value_weight, floor, math.inf)  # (C12)
    units = unit_columns(f)
    tight = second.gap is not None and second.gap <= HOLD_OUTPUT_REL
    excluding = tight and session.whole_search  # a search around the LP cannot prove the exclusion
    if not session.guided and session.stage2_prices is not None and not excluding:  # the exclusion prices them too
        proof = exclusion.by_prices(session, start)
        if proof is not None:
            return start, proof
    excluded = None  # the exclusion search's run, when it ran without proving
    if excluding:
        start, proof, excluded = exclusion.by_exclusion(session, start, units)
        if proof is not None:
            return start, proof
    model.set_objective(counting(f.num_cols, units), 0.0, maximize=False)
    if excluded is not None:
        run = _minimise_after(session, start, excluded)
    elif session.guided and session.whole_search and session.stage2_prices is not None:
        best, run = _priced_then_minimised(session, start)
        return best, session.claim(3, "min", run, float(evaluate(session.problem, best).resources_used), run.bound)
    elif session.guided and session.stage2_prices is not None:  # its LP's bound is far looser than theirs
        run = SolverRun("guided", None, None, None, 0.0, 0)
    elif session.guided:
        run = guided.search(session, start, 1)
    else:
        run = branch_and_bound.search(session, start, 1, seconds=_before_pricing(session))
    best = session.verify(start, run, hold_links=True, hold_output=True)
    value = float(evaluate(session.problem, best).resources_used)
    run, bound = exclusion.priced_bound(session, run, value, _whole(run.bound))
    return best, session.claim(3, "min", run, value, bound)


def _before_pricing(session: Session) -> float | None:
    """Stage 3's search, less one evaluation of the priced bound that follows it (stage 2's prices
    over whole units): that evaluation ran after the search's share, and Keqiao with --time-limit
    10 ended its stages 0.2 - 0.3 s after their end.  None: the share as it is."""
    share, step = session.share(1), session.priced_step()
    if share is None or session.stage2_prices is None or step <= 0:
        return None
    return share - step


def _whole(bound: float | None) -> float | None:
    """A bound on units as the least whole number at or above it (less 1e-6 of rounding)."""
    return math.ceil(bound - 1e-6) if bound is not None else None


def _priced_then_minimised(session: Session, start: Allocation) -> tuple[Allocation, SolverRun]:
    """A guided stage 3 that may search the whole model (Session.whole_search) after an open
    stage 2: the priced bound from stage 2's prices first, as above that size, then, while its
    gap is open and time is left, branch and bound minimising units; the larger bound is kept.

    At 10,000 firms (reserve family) minimising took stage 3 from 0.29 to 2.7e-2 in 3 s where
    the priced bound alone stays far below the plan (stage 2 still open, it meets the output
    hold with a tenth of the units).  Returns the verified plan (never one with more units than
    ``start``: HiGHS may drop the start and stop on a worse one) and the run with its bound.
    """
    value = float(evaluate(session.problem, start).resources_used)
    priced, bound = exclusion.priced_bound(session, SolverRun("guided", None, None, None, 0.0, 0), value, None)
    left = session.clock.share(1)
    closed = bound is not None and (gap("min", value, bound) or 0.0) <= session.options.rel_gap
    needs = max(guided.MIN_SEARCH_SECONDS, guided.ROOT_PER_LP * session.lp_seconds)
    if closed or (left is not None and left < needs):  # None: nodes bound it
        return start, replace(priced, bound=bound)
    run = branch_and_bound.search(session, start, 1)
    bounds = [b for b in (_whole(run.bound), bound) if b is not None]
    found = session.verify(start, run, hold_links=True, hold_output=True)
    kept = found if evaluate(session.problem, found).resources_used <= value else start
    return kept, SolverRun(run.outcome, run.objective, max(bounds) if bounds else None, run.values,
                           run.seconds + priced.seconds, run.nodes)


def _minimise_after(session: Session, start: Allocation, excluded: SolverRun) -> SolverRun:
    """Branch and bound minimising units from the exclusion search's best plan, with the rest of
    the stage; the larger of the two bounds is kept (each is proven)."""
    run = branch_and_bound.search(session, start, 1, seconds=_before_pricing(session))
    bounds = [b for b in (run.bound, excluded.bound) if b is not None]
    return SolverRun(run.outcome, run.objective, max(bounds) if bounds else None, run.values,
                     run.seconds + excluded.seconds, run.nodes + excluded.nodes)


def initial_allocation(problem: Problem) -> Allocation:
    """Nothing handed out, except that each tier's mask reserve is met (in input order)."""
    start = Allocation.empty(problem)
    sc = problem.scenario
    cap = mask_cap(problem, start.returned)
    boxes = start.boxes.copy()
    for tier in sc.tiers:
        reserve = sc.reserve_boxes(tier)
        members = np.flatnonzero((problem.instance.tier == tier) & problem.eligible)
        need = min(reserve, int(cap[members].sum()))
        if need <= 0:
            continue
        before = np.concatenate([[0], np.cumsum(cap[members])[:-1]])
        boxes[members] = np.clip(need - before, 0, cap[members])
    return Allocation(boxes, start.passes, start.returned, start.buses)


def _skip_reason(problem: Problem) -> str:
    if not problem.scenario.rules.chain_balance:
        return "chain_balance is off"
    return "no listed chain link has members in this instance"
