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
from dataclasses import dataclass, field, replace

import numpy as np

from allocator.backends import open_model
from allocator.backends.base import SolverRun
from allocator.options import SolveOptions
from allocator.plan.budget import Budget
from allocator.plan.columns import WeekFormulation, read_plan, start_vector, to_model
from allocator.plan.evaluation import Plan, PlanEvaluation, evaluate
from allocator.plan.formulation import build
from allocator.plan.problem import Horizon
from allocator.plan.result import STAGE_NAMES
from allocator.plan.surplus import drop_surplus
from allocator.result import StageResult
from allocator.stages.claims import Status, holds, judge, link_hold, output_hold


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

    def __post_init__(self) -> None:
        self.began = time.perf_counter()
        self.f = build(self.horizon)
        self.budget.mark(self.label + "build")
        self.model = open_model(self.options, self.f)
        self.budget.mark(self.label + "load")

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
        verdict = judge(stage, sense, value, bound, run.outcome, self.options.rel_gap)
        if verdict.note:
            self.notes.append(verdict.note)
        return StageResult(stage, STAGE_NAMES[stage], sense, verdict.status, value, bound, verdict.gap, run.seconds,
                           run.nodes)

    # -- time ------------------------------------------------------------------------------

    def run(self, start: Plan | None, stages_left: int, rel_gap: float) -> SolverRun:
        """One branch and bound from ``start`` in the stage's share, unless time is up or a stop is asked."""
        if self.budget.stopped():
            return SolverRun(self.budget.outcome(), None, None, None, 0.0, 0)
        limit = None
        if self.seconds is not None:
            left = self.seconds - (time.perf_counter() - self.began)
            limit = max(0.05, min(left / stages_left, self.budget.left() or 0.05))
        if start is not None:
            self.model.set_start(start_vector(self.horizon, self.f, start))
        opts = self.options
        return self.model.run(time_limit=limit, rel_gap=rel_gap, node_limit=opts.node_limit if opts.deterministic else None)


def search(horizon: Horizon, options: SolveOptions, budget: Budget, seconds: float | None,
           starts: list[Plan], label: str = "") -> tuple[Plan, PlanEvaluation, tuple[StageResult, ...], list[str]]:
    """The three stages over ``horizon``, from the best of ``starts`` and the initial plan (each in the
    model's shape and keeping every rule).  Without any plan, the initial one is returned, with its
    violations and no claim."""
    w = Window(horizon, options, budget, seconds, label)
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
    best = max(candidates, key=lambda s: evaluate(horizon, s).weighted_output) if candidates else None
    current, second = _stage2(w, best)
    if current is None:
        return _no_plan(w, first, second)
    current, third = _stage3(w, current)
    return current, evaluate(horizon, current), (first, second, third), w.notes


def _no_plan(w: Window, *stages: StageResult) -> tuple[Plan, PlanEvaluation, tuple[StageResult, ...], list[str]]:
    """Nothing that keeps every rule was found: the initial plan with its violations, and no claim."""
    missing = StageResult(0, "", "max", Status.NO_SOLUTION, None, None, None, 0.0)
    names = {1: "max", 2: "max", 3: "min"}
    stages = stages + tuple(replace(missing, stage=k, name=STAGE_NAMES[k], sense=names[k])
                            for k in range(len(stages) + 1, 4))
    plan = Plan.initial(w.horizon)
    return plan, evaluate(w.horizon, plan), stages, w.notes


def _stage1(w: Window, start: Plan | None) -> tuple[Plan | None, StageResult]:
    """Max the lowest listed link, summed over the days."""
    f = w.f
    costs = np.zeros(f.num_cols)
    costs[f.zs] = f.days
    w.model.set_objective(costs, 0.0, maximize=True)
    run = w.run(start, 3, w.options.rel_gap)
    best = w.verify(start, run, 1)
    w.z1 = evaluate(w.horizon, best).min_link if best is not None else None
    w.budget.mark(w.label + "stage1")
    return best, w.claim(1, "max", run, w.z1, run.bound)


def _stage2(w: Window, start: Plan | None) -> tuple[Plan | None, StageResult]:
    """Max weighted output-days, holding the links (H11)."""
    f, model = w.f, w.model
    if w.z1 is not None:
        model.add_row(f.zs, f.days.astype(float), link_hold(w.z1), math.inf)  # (H11), the SPEC's hold exactly
    model.set_objective(f.output_weight, f.constant_output, maximize=True)
    run = w.run(start, 2, w.options.rel_gap)
    best = w.verify(start, run, 2)
    w.z2 = evaluate(w.horizon, best).weighted_output if best is not None else None
    w.budget.mark(w.label + "stage2")
    return best, w.claim(2, "max", run, w.z2, run.bound)


def _stage3(w: Window, start: Plan) -> tuple[Plan, StageResult]:
    """Min boxes + passes + buses over the window, holding the links and the output (H12)."""
    f, model = w.f, w.model
    lean = w.shaped(drop_surplus(w.horizon, start))
    if lean is not None and _holds(w, lean):
        start = lean
    cols = np.flatnonzero(f.output_weight)
    model.add_row(cols, f.output_weight[cols], output_hold(w.z2) - f.constant_output, math.inf)  # (H12)
    costs = np.zeros(f.num_cols)
    for block in (f.bs[-1], f.ps[-1], f.ys.ravel()):
        costs[block[block >= 0]] = 1.0
    model.set_objective(costs, f.unit_offset, maximize=False)
    run = w.run(start, 1, w.options.rel_gap)
    best = w.verify(start, run, 3)
    value = float(evaluate(w.horizon, best).resources_used)
    bound = math.ceil(run.bound - 1e-6) if run.bound is not None else None  # whole units
    w.budget.mark(w.label + "stage3")
    return best, w.claim(3, "min", run, value, bound)


def _holds(w: Window, plan: Plan) -> bool:
    check = evaluate(w.horizon, plan)
    return check.feasible and holds(check.min_link, check.weighted_output, w.z1, w.z2)


def _skip(horizon: Horizon) -> str:
    if not horizon.problem.scenario.rules.chain_balance:
        return "chain_balance is off"
    return "no listed chain link has members in this instance"

