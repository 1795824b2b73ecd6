"""What every solver back-end returns, and the few operations the stages ask of one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class SolverRun:
    """What one MIP run returned, in the solver's own objective units."""

    outcome: str  # optimal | gap | time | work | infeasible | interrupted | error
    objective: float | None
    bound: float | None
    values: np.ndarray | None
    seconds: float
    nodes: int
    duals: np.ndarray | None = None  # an LP's row duals (prices), for allocator.pricing.bound


class SolverModel(Protocol):
    """A formulation loaded into a solver; objectives, holds and rows change per stage."""

    def bound_only(self) -> None: ...
    def set_objective(self, costs: np.ndarray, offset: float, maximize: bool) -> None: ...
    def set_lower(self, col: int, lower: float) -> None: ...
    def add_row(self, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> int: ...
    def set_row_bounds(self, row: int, lower: float, upper: float) -> None: ...
    def set_target(self, target: float | None) -> None: ...
    def set_start(self, values: np.ndarray) -> None: ...
    def relaxation(self, time_limit: float | None) -> SolverRun | None: ...
    def run(self, *, time_limit: float | None, rel_gap: float, node_limit: int | None, heuristics: bool = True,
            abs_gap: float = 0.0) -> SolverRun: ...
    def run_within(self, upper: np.ndarray, **run_options) -> SolverRun: ...
