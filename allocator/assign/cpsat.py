"""One CP-SAT run, mapped onto plain data: no ``CpSolver`` leaks out of this module.

``Run.values`` reads the integer value of every variable the caller names, so the stages
get numbers, not solver objects.  The status says how the search ended; what a stage may
*claim* from it is decided in :mod:`allocator.assign.solve`, from recomputed values.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Run:
    """How a search ended: ``outcome`` is optimal, feasible, infeasible, unknown or invalid."""

    outcome: str
    objective: float | None
    bound: float | None
    seconds: float
    values: dict[Any, int] = field(default_factory=dict)
    branches: int = 0

    @property
    def found(self) -> bool:
        return self.outcome in ("optimal", "feasible")


@dataclass(frozen=True)
class Limits:
    """Seconds and workers for one run; ``seed`` makes a run repeatable."""

    seconds: float
    workers: int = 1
    seed: int = 0


def run(model, variables: dict[Any, Any], limits: Limits, hint: dict[Any, int] | None = None) -> Run:
    """Solve ``model`` within ``limits``; read back the values of ``variables`` (name -> CP-SAT variable)."""
    from ortools.sat.python import cp_model

    if hint:
        model.clear_hints()
        for name, value in hint.items():
            if name in variables:
                model.add_hint(variables[name], value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, limits.seconds)
    solver.parameters.num_workers = max(1, limits.workers)
    solver.parameters.random_seed = limits.seed
    solver.parameters.log_search_progress = False
    started = time.perf_counter()
    status = solver.solve(model)
    seconds = time.perf_counter() - started
    outcome = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
               cp_model.MODEL_INVALID: "invalid"}.get(status, "unknown")
    if outcome not in ("optimal", "feasible"):
        return Run(outcome, None, None, seconds, branches=solver.num_branches)
    values = {name: int(solver.value(var)) for name, var in variables.items()}
    bound = solver.best_objective_bound
    return Run(outcome, solver.objective_value, bound if math.isfinite(bound) else None, seconds, values,
               solver.num_branches)
