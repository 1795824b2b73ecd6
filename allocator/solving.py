"""solve(problem) -> Result: build the formulation, load it into a solver, run the stages.

The stages, their proofs and what each may claim are in :mod:`allocator.stages`; this
module is the entry point a Python user calls (``from allocator import solve``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocator.model import build
from allocator.problem import Problem, mask_cap
from allocator.result import Allocation, Evaluation, evaluate
from allocator.stages import (
    SEARCHES,
    SOLVERS,
    STAGE_NAMES,
    Clock,
    StageResult,
    StageRunner,
    Status,
    open_model,
)

__all__ = ["SEARCHES", "SOLVERS", "Result", "SolveOptions", "StageResult", "Status", "solve"]

@dataclass(frozen=True)
class SolveOptions:
    """How hard to search; every field has the documented CLI default."""

    time_limit: float = 60.0
    rel_gap: float = 1e-4
    seed: int = 0
    deterministic: bool = False
    node_limit: int = 2000  # per stage, used instead of wall time when deterministic
    threads: int = 1
    log: bool = False
    search: str = "auto"  # full: branch and bound; guided: LP bound + LP-guided plan; auto: by size
    solver: str = "highs"  # highs (default, fastest measured) or scip (through OR-Tools MathOpt)


@dataclass(frozen=True, eq=False)
class Result:
    problem: Problem
    options: SolveOptions
    allocation: Allocation
    evaluation: Evaluation
    stages: tuple[StageResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seats_filled: int = 0  # waiting workers given spare seats after the last stage

    @property
    def has_plan(self) -> bool:
        return self.evaluation.feasible

    @property
    def proven(self) -> bool:
        return all(s.status in (Status.OPTIMAL, Status.WITHIN_GAP, Status.SKIPPED) for s in self.stages)


def solve(problem: Problem, options: SolveOptions | None = None, *, started: float | None = None) -> Result:
    """Solve the three stages of the SPEC model and return the verified allocation.

    ``started`` (``time.perf_counter()`` when reading began) makes the reading count
    against ``options.time_limit``, so that a run from the command line ends near it.
    """
    options = options or SolveOptions()
    clock = Clock(options, started)
    formulation = build(problem)
    clock.mark("build")
    model = open_model(options, formulation)
    clock.mark("load")
    run = StageRunner(problem, formulation, model, options, clock)
    current = initial_allocation(problem)
    stages = []
    if problem.stage1_active:
        current, stage = run.stage1(current)
    else:
        stage = StageResult(1, STAGE_NAMES[1], "max", Status.SKIPPED, None, None, None, 0.0, note=_skip_reason(problem))
    stages.append(stage)
    current, stage = run.stage2(current)
    stages.append(stage)
    current, stage = run.stage3(current)
    stages.append(stage)
    clock.mark("solve")
    return Result(problem, options, current, evaluate(problem, current), tuple(stages), clock.timings, tuple(run.notes),
                  run.seats_filled)


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
