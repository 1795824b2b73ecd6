"""What a solve returns: the verified allocation, its evaluation and each stage's claim."""

from __future__ import annotations

from dataclasses import dataclass, field

from allocator.allocation import Allocation, Evaluation
from allocator.options import SolveOptions
from allocator.problem import Problem
from allocator.stages.claims import Status

STAGE_NAMES = {1: "lowest link recovery", 2: "weighted output", 3: "boxes+passes+buses"}


@dataclass(frozen=True)
class StageResult:
    """One stage's claim: its status, the recomputed value of the plan it kept, its proven bound."""

    stage: int
    name: str
    sense: str  # max | min
    status: Status
    value: float | None
    bound: float | None
    gap: float | None
    seconds: float
    nodes: int = 0
    note: str = ""


@dataclass(frozen=True, eq=False)
class Result:
    problem: Problem
    options: SolveOptions
    allocation: Allocation
    evaluation: Evaluation
    stages: tuple[StageResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seats_filled: int = 0  # waiting workers the last stage's plan seated on spare seats

    @property
    def has_plan(self) -> bool:
        return self.evaluation.feasible

    @property
    def interrupted(self) -> bool:
        """Whether the officer stopped the search (Ctrl-C): the plan is verified, the gaps say the rest."""
        return any(s.status is Status.INTERRUPTED for s in self.stages)

    @property
    def proven(self) -> bool:
        return all(s.status in (Status.OPTIMAL, Status.WITHIN_GAP, Status.SKIPPED) for s in self.stages)
