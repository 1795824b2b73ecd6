"""solve_assignment(problem) -> AssignResult: the three lexicographic stages of the SPEC.

    stage 1  max key firms served one to one by a leader   CP-SAT on classes (allocator.assign.model)
    stage 2  max sum of pi over served firms, holding z1   CP-SAT on classes with pi rounded to 1e-9,
                                                           made exact and proven by the certificate
    stage 3  min parks per person (away counting 2),       CP-SAT on the exact aggregated park model,
             holding z1 and z2 exactly                     started from a plan built by hand rules

Holds: stage 1's value is a whole count, held exactly; stage 2's is held exactly too (the
fixings of allocator.assign.certificate are the set of plans with sum of pi = z2, no tolerance).
Claims follow allocator.stages.claims.judge: "optimal" only when the bound as proven meets the
recomputed value (stages 1 and 3: whole numbers, equal; stage 2: exact fractions, equal).

A stop (``should_stop()``: Ctrl-C, a progress interface) ends stage 3's search as a time limit
would, keeping the best plan so far.  Stages 1 and 2 run whatever it says, for at most
AFTER_STOP seconds each once it has come: they close at the root (about a second at Keqiao),
and without them there is no assignment at all: a Ctrl-C during the allocation once exported
Keqiao's 9,924 firms as unserved, "no capacity in reach", where a time limit would have served
every one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from allocator.assign.certificate import Certificate, certify
from allocator.assign.cpsat import Limits, Run
from allocator.assign.disaggregate import counts, names
from allocator.assign.improve import improve
from allocator.assign.model import ClassPlan, solve_stage
from allocator.assign.park_cuts import components
from allocator.assign.park_model import ParkModel
from allocator.assign.plan import Plan, Values, evaluate, first_plan
from allocator.assign.problem import AssignProblem
from allocator.assign.structure import Structure
from allocator.result import StageResult
from allocator.stages.claims import Status, judge

STAGE_NAMES = {1: "key firms served one to one by a leader", 2: "sum of pi over served firms",
               3: "parks per person (away counting 2)"}
#: Stages 1 and 2 are transportation problems closed at the root; each gets at most this share.
SMALL_SHARE = 0.15
#: ... and after a stop at most this many seconds each (CP-SAT cannot be interrupted here): a
#: review found a Ctrl-C could wait 0.3 x --time-limit + 3 s for them and the first plan's polish.
AFTER_STOP = 2.0


@dataclass(frozen=True)
class AssignOptions:
    time_limit: float = 60.0  # seconds for the three stages (the allocation has its own)
    rel_gap: float = 1e-4
    workers: int = 1  # CP-SAT workers: one LP-guided search proved fastest on 2 cores (README)
    seed: int = 0


@dataclass(frozen=True, eq=False)
class AssignResult:
    problem: AssignProblem
    options: AssignOptions
    plan: Plan
    values: Values
    stages: tuple[StageResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def proven(self) -> bool:
        return all(s.status in (Status.OPTIMAL, Status.WITHIN_GAP) for s in self.stages)


class _Clock:
    def __init__(self, limit: float):
        self.start, self.limit = time.perf_counter(), limit

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.start)


def solve_assignment(problem: AssignProblem, options: AssignOptions | None = None,
                     should_stop: Callable[[], bool] | None = None) -> AssignResult:
    """Solve the three stages and return the verified plan with each stage's claim."""
    options = options or AssignOptions()
    stop = should_stop or (lambda: False)
    clock, timings, notes = _Clock(options.time_limit), {}, []
    began = time.perf_counter()
    st = Structure.build(problem)
    timings["structure"] = time.perf_counter() - began

    def limits(share: float) -> Limits:
        seconds = min(share * options.time_limit, clock.left(), AFTER_STOP if stop() else math.inf)
        return Limits(max(0.05, seconds), options.workers, options.seed)

    empty = ClassPlan({}, {}, [[0] * len(g) for g in st.groups])
    # stage 1
    run1, plan1 = solve_stage(st, 1, limits(SMALL_SHARE))
    plan1 = plan1 or _no_leaders(empty)
    z1 = plan1.leaders_serving()
    first = _claim(1, "max", z1, _whole(run1.bound, "max") if run1.found else None, run1, options)
    timings["stage1"] = run1.seconds
    # stage 2
    run2, plan2 = solve_stage(st, 2, limits(SMALL_SHARE), z1=z1, hint=plan1)
    began = time.perf_counter()
    cert = certify(st, plan2 or plan1, z1)
    timings["stage2"] = run2.seconds + time.perf_counter() - began
    z2 = cert.value
    note = "proven exactly by the residual-graph certificate (fractions)"
    if cert.pushes:
        note += f"; it improved CP-SAT's rounded plan by {cert.pushes} exchange(s)"
    second = StageResult(2, STAGE_NAMES[2], "max", Status.OPTIMAL, float(z2), float(z2), 0.0, timings["stage2"],
                         run2.branches, note)
    # stage 3
    began = time.perf_counter()
    polish = 0.0 if stop() else min(3.0, 0.1 * options.time_limit)
    start = improve(problem, first_plan(st, cert.plan), seconds=polish)
    start_values = evaluate(problem, start)
    _check_holds(start_values, z1, z2, "the first plan")
    timings["first_plan"] = time.perf_counter() - began
    if stop():
        third = _claim(3, "min", start_values.parks, None, Run("unknown", None, None, 0.0), options,
                       note="stopped before stage 3's search; the first plan is kept")
        return AssignResult(problem, options, start, start_values, (first, second, third), timings, tuple(notes))
    plan, values, third = stage3(st, cert, z1, start, start_values, options, clock, timings, notes, stop)
    return AssignResult(problem, options, plan, values, (first, second, third), timings, tuple(notes))


def stage3(st: Structure, cert: Certificate, z1: int, start: Plan, start_values: Values, options: AssignOptions,
           clock: _Clock, timings: dict, notes: list, stop: Callable[[], bool] = lambda: False
           ) -> tuple[Plan, Values, StageResult]:
    """Min parks per person among the plans that keep z1 and z2, from the first plan.

    The fields fall apart into components no kind links (industry; commerce with trade): each
    is its own model, solved in turn in a share of the time left by its size; the bounds add up."""
    server = start.server.copy()
    bounds, outcomes, seconds, branches = [], [], 0.0, 0
    parts = components(st)
    began = time.perf_counter()
    models = [ParkModel(st, cert.fixings, fields, _leading(cert, fields)) for fields in parts]
    timings["stage3_build"] = time.perf_counter() - began
    weight = [max(1, len(m.var)) for m in models]
    for n, park_model in enumerate(models):
        if stop():  # as a time limit: the parts not searched keep the first plan and have no bound
            notes.append(f"stage 3 was stopped after {n} of {len(models)} parts; the rest keep the first plan")
            outcomes.append("unknown")
            bounds.append(None)
            break
        share = clock.left() * weight[n] / sum(weight[n:])
        run3 = park_model.solve(Limits(max(0.05, share), options.workers, options.seed), counts(park_model, start))
        seconds += run3.seconds
        branches += run3.branches
        outcomes.append(run3.outcome)
        bounds.append(run3.bound if run3.found else None)
        if run3.found:
            mine = names(park_model, run3.values).server
            ours = np.isin(np.array([p.field for p in st.problem.staff] + [""])[server], list(park_model.fields)) & (server >= 0)
            trial = np.where(ours, -1, server)
            trial = np.where(mine >= 0, mine, trial)
            if evaluate(st.problem, Plan(trial)).parks <= evaluate(st.problem, Plan(server)).parks:
                server = trial
    began = time.perf_counter()
    plan = Plan(server)
    values = evaluate(st.problem, plan)
    _check_holds(values, z1, cert.value, "stage 3's plan")
    timings["stage3"] = seconds + time.perf_counter() - began
    bound = _whole(sum(bounds), "min") if all(b is not None for b in bounds) else None
    worst = next((o for o in ("invalid", "infeasible", "unknown", "feasible") if o in outcomes), "optimal")
    run = Run(worst, None, None, seconds, branches=branches)
    claim = _claim(3, "min", values.parks, bound, run, options, seconds=timings["stage3"],
                   note=f"{len(models)} independent parts" if len(models) > 1 else "")
    return plan, values, claim


def _leading(cert: Certificate, fields: frozenset[str]) -> int:
    """Key firms the leaders of these fields serve in stage 2's plan: every optimal plan keeps it."""
    return sum(v for (f, _), v in cert.plan.l.items() if f in fields)


def _claim(stage: int, sense: str, value: float | None, bound: float | None, run: Run, options: AssignOptions,
           note: str = "", seconds: float | None = None) -> StageResult:
    """judge() with its exact rule for whole-number objectives (its stage 3) for stages 1 and 3."""
    outcome = {"optimal": "optimal", "feasible": "time", "unknown": "time"}.get(run.outcome, run.outcome)
    claim = judge(3, sense, value, bound, outcome, options.rel_gap)
    text = "; ".join(x for x in (note, claim.note) if x)
    return StageResult(stage, STAGE_NAMES[stage], sense, claim.status, None if value is None else float(value),
                       claim.bound, claim.gap, run.seconds if seconds is None else seconds, run.branches, text)


def _whole(bound: float | None, sense: str) -> float | None:
    """A proven bound on a whole-number objective, rounded the way integrality allows."""
    if bound is None:
        return None
    return float(math.floor(bound + 1e-6) if sense == "max" else math.ceil(bound - 1e-6))


def _check_holds(values: Values, z1: int, z2, what: str) -> None:
    if values.violations or values.leaders_on_key < z1 or values.priority != z2:
        raise AssertionError(f"{what} breaks the rules or an earlier stage: {values.violations[:3]}, "
                             f"leaders {values.leaders_on_key} (z1 {z1}), priority {values.priority} (z2 {z2})")


def _no_leaders(empty: ClassPlan) -> ClassPlan:
    return ClassPlan(dict(empty.x), dict(empty.l), [list(c) for c in empty.s])

