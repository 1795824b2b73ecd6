"""The three lexicographic stages over a window of the week, on one solver model.

Every plan a stage keeps passes the same rules as ``solve``'s (allocator.stages.session):
it is read back as whole decisions, recomputed (allocator.plan.evaluation), checked
against every rule and the holds of the earlier stages, and claimed with its bound as
proven (allocator.stages.claims.judge).  The holds are the SPEC's rows exactly:

    (H11) stage 2:  sum_k m_k z_k >= z1 - 1e-6          z1: stage 1's kept plan, recomputed
    (H12) stage 3:  weighted output-days >= z2 (1 - 1e-6)

A stage that cannot improve on its start keeps it; a stage that may not run (time is up,
or the stop flag is raised) keeps it too and claims nothing it did not prove.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from allocator.backends import open_model
from allocator.backends.base import SolverRun
from allocator.options import SolveOptions
from allocator.plan.bounds import DayBounds, merge_bound
from allocator.plan.budget import Budget
from allocator.plan.columns import WeekFormulation, read_plan, start_vector, to_model
from allocator.plan.evaluation import Plan, PlanEvaluation, evaluate
from allocator.plan.fill import fill_week, seat_waiting
from allocator.plan.formulation import build
from allocator.plan.problem import Horizon
from allocator.plan.result import STAGE_NAMES
from allocator.plan.surplus import drop_surplus
from allocator.result import StageResult
from allocator.stages.claims import (OPTIMAL_REL_STAGE2, Status, at_least_no_units, gap, holds, is_optimal, judge,
                                     link_hold, output_hold)


class Searched(NamedTuple):
    """What a window's search returns."""

    plan: Plan
    evaluation: PlanEvaluation
    stages: tuple[StageResult, ...]
    notes: list[str]
    seats_filled: int = 0  # waiting workers seated on spare seats after the last stage


@dataclass
class Window:
    """One window's search: its model, the values its stages kept, its notes."""

    horizon: Horizon
    options: SolveOptions
    budget: Budget
    seconds: float | None  # for the three stages together (None: bounded by work)
    label: str = ""  # prefix of the timings' names ("baseline " for a day of the baseline)
    f: WeekFormulation = field(init=False)
    notes: list[str] = field(default_factory=list)
    z1: float | None = None
    z2: float | None = None
    seats_filled: int = 0  # waiting workers seated on spare seats after the last stage
    day_bounds: bool = False  # bound each stage by the days alone too (allocator.plan.bounds)
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)  # the stages' parts of the window's time
    carry: float = 1.0  # how much more than its part a stage may take of what earlier stages left
    known_links: dict[int, float] = field(default_factory=dict)  # bounds of the days' lowest links proven elsewhere

    def __post_init__(self) -> None:
        self.began = time.perf_counter()
        self.f = build(self.horizon)
        self.budget.mark(self.label + "build")
        self.model = open_model(self.options, self.f)
        self.budget.mark(self.label + "load")
        self.days = None
        if self.day_bounds and len(self.horizon.blocks) > 1:
            days = DayBounds(self.horizon, self.options, self.budget, known=dict(self.known_links))
            self.days = days if days.applies else None

    # -- the honesty rules --------------------------------------------------------------

    def shaped(self, plan: Plan) -> Plan | None:
        """``plan`` in the model's shape, if it keeps every rule (else None)."""
        shaped = to_model(self.horizon, self.f, plan)
        return shaped if evaluate(self.horizon, shaped).feasible else None

    def verify(self, start: Plan | None, run: SolverRun, stage: int) -> Plan | None:
        """The solver's plan if it keeps every rule and the earlier stages' holds, recomputed; else ``start``."""
        if run.values is None:
            return start
        candidate = read_plan(self.horizon, self.f, run.values)
        check = evaluate(self.horizon, candidate)
        problems = list(check.violations)
        if stage >= 2 and not holds(check.min_link, check.weighted_output, self.z1, None):
            problems.append("stage 1 not held")
        if stage >= 3 and not holds(check.min_link, check.weighted_output, None, self.z2):
            problems.append("stage 2 not held")
        if problems:
            self.notes.append(f"stage {stage}: solver point rejected after recomputation ("
                              + "; ".join(problems[:3]) + "); kept the previous plan")
            return start
        return candidate

    def claim(self, stage: int, sense: str, run: SolverRun, value: float | None, bound: float | None) -> StageResult:
        if stage == 3:
            bound = at_least_no_units(value, bound)
        verdict = judge(stage, sense, value, bound, run.outcome, self.options.rel_gap)
        if verdict.note:
            self.notes.append(verdict.note)
        return StageResult(stage, STAGE_NAMES[stage], sense, verdict.status, value, verdict.bound, verdict.gap,
                           run.seconds, run.nodes)

    # -- time ------------------------------------------------------------------------------

    def stage_seconds(self, stage: int) -> float | None:
        """This stage's part of the window's time (None: bounded by work).  What an earlier stage did not
        use goes to this stage only as far as its own weight says; the rest goes back to the run.  The
        later stages' own parts are never taken: Keqiao's week once left stage 3 0.1 s and no bound."""
        if self.seconds is None:
            return None
        left = self.seconds - (time.perf_counter() - self.began)
        own = self.seconds * self.weights[stage - 1] / sum(self.weights)
        later = self.seconds * sum(self.weights[stage:]) / sum(self.weights)
        return max(0.05, min(left - later, own * (1.0 + self.carry), self.budget.left() or 0.05))

    def run(self, start: Plan | None, limit: float | None, rel_gap: float) -> SolverRun:
        """One branch and bound from ``start`` within ``limit`` seconds, unless time is up or a stop is asked."""
        if self.budget.stopped():
            return SolverRun(self.budget.outcome(), None, None, None, 0.0, 0)
        if start is not None:
            self.model.set_start(start_vector(self.horizon, self.f, start))
        opts = self.options
        return self.model.run(time_limit=limit, rel_gap=rel_gap, node_limit=opts.node_limit if opts.deterministic else None)


def search(horizon: Horizon, options: SolveOptions, budget: Budget, seconds: float | None,
           starts: list[Plan], label: str = "", day_bounds: bool = False,
           weights: tuple[float, float, float] = (1.0, 1.0, 1.0), carry: float = 1.0,
           known_links: dict[int, float] | None = None) -> Searched:
    """The three stages over ``horizon``, from the best of ``starts`` and the initial plan (each in the
    model's shape and keeping every rule).  Without any plan, the initial one is returned, with its
    violations and no claim."""
    w = Window(horizon, options, budget, seconds, label, day_bounds=day_bounds, weights=weights, carry=carry,
               known_links=known_links or {})
    shaped = [s for s in (w.shaped(plan) for plan in [*starts, Plan.initial(horizon)]) if s is not None]
    checks = [evaluate(horizon, s) for s in shaped]
    if horizon.problem.stage1_active:
        ranked = sorted(zip(shaped, checks, strict=True), key=lambda pc: (pc[1].min_link, pc[1].weighted_output))
        current, first = _stage1(w, ranked[-1][0] if ranked else None)
        shaped = [s for s, c in zip(shaped, checks, strict=True) if holds(c.min_link, c.weighted_output, w.z1, None)]
    else:
        first = StageResult(1, STAGE_NAMES[1], "max", Status.SKIPPED, None, None, None, 0.0, note=_skip(horizon))
        current = None
    if current is None and horizon.problem.stage1_active:
        return _no_plan(w, first)
    candidates = [s for s in [current, *shaped] if s is not None]
    filled = [w.shaped(fill_week(horizon, s)) for s in candidates]  # the leftovers handed out, from the day they fit
    candidates += [s for s in filled if s is not None and _holds(w, s, stage=2)]
    best = max(candidates, key=lambda s: evaluate(horizon, s).weighted_output) if candidates else None
    current, second = _stage2(w, best)
    if current is None:
        return _no_plan(w, first, second)
    current, third = _stage3(w, current)
    seated = seat_waiting(horizon, current)  # spare seats cost no unit: every stage's value stands
    if seated is not current and _holds(w, seated, stage=3):
        w.seats_filled = int((seated.returned[-1] - current.returned[-1]).sum())
        current = seated
    return Searched(current, evaluate(horizon, current), (first, second, third), w.notes, w.seats_filled)


def _no_plan(w: Window, *stages: StageResult) -> Searched:
    """Nothing that keeps every rule was found: the initial plan with its violations, and no claim."""
    missing = StageResult(0, "", "max", Status.NO_SOLUTION, None, None, None, 0.0)
    names = {1: "max", 2: "max", 3: "min"}
    stages = stages + tuple(replace(missing, stage=k, name=STAGE_NAMES[k], sense=names[k])
                            for k in range(len(stages) + 1, 4))
    plan = Plan.initial(w.horizon)
    return Searched(plan, evaluate(w.horizon, plan), stages, w.notes)


#: Above this many nonzeros the week's own search is not run when the days can bound it: it rarely
#: moves in a stage's share (Keqiao, 3 days: 570 s of branch and bound on stage 2 found nothing
#: better than the day-by-day plan and proved 6.8e-4, where the days alone prove 2.4e-4), and the
#: time goes to the days' bounds instead; the week's plans are then the day-by-day baseline's.
DAYS_ONLY_ABOVE = 60_000


#: Stages 2 and 3 first solve the LP (a bound) and search the box between 0 and the larger of its
#: rounded-up solution and the start (the one-day guided search's idea, allocator.stages.guided) for
#: this part of their share: on Keqiao's day 1 it found 121,899 in 0.7 s where filling the stage-1
#: plan gave 119,846 and 3 s of branch and bound found nothing better (the optimum is 121,955).
LP_PART = 0.3


def _search(w: Window, start: Plan | None, stage: int, sense: str,
            value: Callable[[Plan], float | None], by_days: Callable[[Plan | None, float | None], float | None] | None
            ) -> tuple[SolverRun, Plan | None]:
    """The stage's search: the days' bounds (allocator.plan.bounds, where they apply), a search around
    the LP (stages 2 and 3), and branch and bound on the window; the tightest bound is kept and each
    step is skipped once the gap is closed."""
    began, share = time.perf_counter(), w.stage_seconds(stage)

    def left(part: float = 1.0) -> float | None:
        return None if share is None else max(0.05, part * (share - (time.perf_counter() - began)))

    by_days = by_days if w.days is not None and start is not None else None
    large = by_days is not None and w.f.num_nonzeros > DAYS_ONLY_ABOVE
    bounds: dict[str, float | None] = {}
    best, run = start, SolverRun("guided", None, None, None, 0.0, 0)

    target = w.options.rel_gap if stage != 2 else min(w.options.rel_gap, OPTIMAL_REL_STAGE2)  # as solve's stage 2

    def closed() -> bool:
        bound = merge_bound(sense, *bounds.values())
        if best is None or bound is None:
            return False
        mine = value(best)
        if stage == 3:
            bound = math.ceil(bound - 1e-6)
        return is_optimal(stage, sense, mine, bound) or (gap(sense, mine, bound) or 0.0) <= target

    if large:
        bounds["days"] = by_days(best, left())
        limited = w.budget.stopped() or w.days.limited
        run = SolverRun(w.budget.outcome() if limited else "days", None, None, None, 0.0, 0)
    if stage >= 2 and best is not None and not large and not closed():
        bounds["lp"], best = _around_lp(w, best, stage, left(LP_PART), sense)
    if not large and not closed():
        # stage 2 is offered no start, as solve's is: a run given one goes without presolve's dual-fixing
        # probing (allocator.backends.highs.STARTED_RULES_OFF); the better of its plan and the start is kept
        run = w.run(None if stage == 2 else best, left(), target)
        best = _better(sense, value, best, w.verify(best, run, stage))
        bounds["search"] = run.bound if stage != 1 or run.bound is None else run.bound / w.f.z_scale  # in links
    if by_days is not None and not large and not closed():
        bounds["days"] = by_days(best, left())
    bound = merge_bound(sense, *bounds.values())
    if bound is not None and bound == bounds.get("days") and bound != bounds.get("search"):
        w.notes.append(f"stage {stage}'s bound is that of the days alone, each with every supply that reached the "
                       f"store by then (the week's search proved {_shown(bounds.get('search'))}, its LP "
                       f"{_shown(bounds.get('lp'))})")
    return replace(run, bound=bound, seconds=time.perf_counter() - began), best


def _better(sense: str, value: Callable[[Plan], float | None], best: Plan | None, found: Plan | None) -> Plan | None:
    """The better of the plan kept and the search's (``found`` on a tie): HiGHS may drop a start it
    finds infeasible at its own tolerance and stop on a worse plan, and a search offered no start
    may end on one."""
    if best is None or found is None:
        return found if found is not None else best
    mine, theirs = value(best), value(found)
    if mine is None or theirs is None:
        return found
    return found if (theirs >= mine if sense == "max" else theirs <= mine) else best


def _around_lp(w: Window, start: Plan, stage: int, limit: float | None, sense: str) -> tuple[float | None, Plan]:
    """The stage's LP (its optimum is a bound), then branch and bound inside the box between 0 and the
    larger of the LP's solution rounded up and ``start``: the start lies in the box, so this only improves."""
    if w.budget.stopped():
        return None, start
    began = time.perf_counter()
    relaxed = w.model.relaxation(time_limit=limit)
    if relaxed is None or relaxed.outcome != "optimal":
        return None, start
    known = start_vector(w.horizon, w.f, start)
    upper = np.maximum(np.ceil(relaxed.values - 1e-6), known)
    w.model.set_start(known)
    opts = w.options
    rest = None if limit is None else max(0.05, limit - (time.perf_counter() - began))
    run = w.model.run_within(upper, time_limit=rest, rel_gap=opts.rel_gap,
                             node_limit=opts.node_limit if opts.deterministic else None)
    bound = relaxed.objective if sense == "max" else math.ceil(relaxed.objective - 1e-6)
    return bound, w.verify(start, run, stage)


def _shown(bound: float | None) -> str:
    return "no bound" if bound is None else f"{bound:.10g}"


def _stage1(w: Window, start: Plan | None) -> tuple[Plan | None, StageResult]:
    """Max the lowest listed link, summed over the days."""
    f = w.f
    costs = np.zeros(f.num_cols)
    costs[f.zs] = f.days
    w.model.set_objective(costs, 0.0, maximize=True)
    by_days = (lambda plan, secs: w.days.stage1(plan, secs)) if w.days is not None else None
    run, best = _search(w, start, 1, "max", lambda plan: evaluate(w.horizon, plan).min_link, by_days)
    w.z1 = evaluate(w.horizon, best).min_link if best is not None else None
    w.budget.mark(w.label + "stage1")
    return best, w.claim(1, "max", run, w.z1, run.bound)


def _stage2(w: Window, start: Plan | None) -> tuple[Plan | None, StageResult]:
    """Max weighted output-days, holding the links (H11)."""
    f, model = w.f, w.model
    if w.z1 is not None:
        model.add_row(f.zs, f.days.astype(float), f.z_scale * link_hold(w.z1), math.inf)  # (H11), the SPEC's hold
    model.set_objective(f.output_weight, f.constant_output, maximize=True)
    by_days = (lambda plan, secs: w.days.stage2(plan, w.z1, secs)) if w.days is not None else None
    run, best = _search(w, start, 2, "max", lambda plan: evaluate(w.horizon, plan).weighted_output, by_days)
    w.z2 = evaluate(w.horizon, best).weighted_output if best is not None else None
    w.budget.mark(w.label + "stage2")
    return best, w.claim(2, "max", run, w.z2, run.bound)


def _stage3(w: Window, start: Plan) -> tuple[Plan, StageResult]:
    """Min boxes + passes + buses over the window, holding the links and the output (H12)."""
    f, model = w.f, w.model
    lean = w.shaped(drop_surplus(w.horizon, start))
    if lean is not None and _holds(w, lean, stage=3):
        start = lean
    cols = np.flatnonzero(f.output_weight)
    model.add_row(cols, f.output_weight[cols], output_hold(w.z2) - f.constant_output, math.inf)  # (H12)
    costs = np.zeros(f.num_cols)
    for block in (f.bs[-1], f.ps[-1], f.ys.ravel()):
        costs[block[block >= 0]] = 1.0
    model.set_objective(costs, f.unit_offset, maximize=False)
    by_days = (lambda plan, secs: w.days.stage3(plan, w.z2, secs)) if w.days is not None else None
    units = lambda plan: float(evaluate(w.horizon, plan).resources_used)  # noqa: E731
    run, best = _search(w, start, 3, "min", units, by_days)
    bound = math.ceil(run.bound - 1e-6) if run.bound is not None else None  # whole units
    w.budget.mark(w.label + "stage3")
    return best, w.claim(3, "min", run, units(best), bound)


def _holds(w: Window, plan: Plan, stage: int) -> bool:
    """Whether a plan keeps every rule and the holds of the stages before ``stage``."""
    check = evaluate(w.horizon, plan)
    return check.feasible and holds(check.min_link, check.weighted_output, w.z1, w.z2 if stage >= 3 else None)


def _skip(horizon: Horizon) -> str:
    if not horizon.problem.scenario.rules.chain_balance:
        return "chain_balance is off"
    return "no listed chain link has members in this instance"

