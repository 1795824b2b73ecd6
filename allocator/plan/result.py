"""What planning a week returns: the verified plan, its evaluation, each stage's claim, the baseline."""

from __future__ import annotations

from dataclasses import dataclass, field

from allocator.options import SolveOptions
from allocator.plan.evaluation import Plan, PlanEvaluation
from allocator.plan.problem import Horizon
from allocator.result import StageResult
from allocator.stages.claims import Status

#: The week's stage objectives (summed over the days), as summary.json names them.
STAGE_NAMES = {1: "lowest link recovery, summed over the days", 2: "weighted output-days",
               3: "boxes+passes+buses over the horizon"}


@dataclass(frozen=True, eq=False)
class DayRun:
    """One day of the day-by-day baseline: that day's three stages, as an officer's morning solve."""

    day: int
    stages: tuple[StageResult, ...]
    seconds: float


@dataclass(frozen=True, eq=False)
class Baseline:
    """Day by day: day 1 alone, then day 2 with what day 1 left, and so on."""

    plan: Plan
    evaluation: PlanEvaluation
    days: tuple[DayRun, ...]

    @property
    def worst_gap(self) -> float | None:
        gaps = [s.gap for run in self.days for s in run.stages if s.gap is not None]
        return max(gaps) if gaps else None

    @property
    def proven(self) -> bool:
        return all(s.status in _PROVEN for run in self.days for s in run.stages)


_PROVEN = (Status.OPTIMAL, Status.WITHIN_GAP, Status.SKIPPED)


@dataclass(frozen=True, eq=False)
class PlanResult:
    """A week's plan: stage claims are about the horizon's values (summed over its days)."""

    horizon: Horizon
    options: SolveOptions
    plan: Plan
    evaluation: PlanEvaluation
    stages: tuple[StageResult, ...]
    baseline: Baseline | None
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    interrupted: bool = False
    seats_filled: int = 0  # waiting workers the plan seats on spare seats after its last stage

    @property
    def has_plan(self) -> bool:
        return self.evaluation.feasible

    @property
    def proven(self) -> bool:
        return all(s.status in _PROVEN for s in self.stages)
