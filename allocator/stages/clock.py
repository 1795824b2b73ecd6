"""Wall time since the run began: per-phase timings and each stage's share of the limit."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocator.options import SolveOptions

#: The last stage's search stops this part of the limit before it ends: the report and the
#: exports still have to be written (about 1.5 s at 100,000 firms).
FINISH_SHARE = 0.05


class Clock:
    """``--time-limit`` counts from when reading began; the stages share what is left."""

    def __init__(self, options: SolveOptions, started: float | None = None):
        """``started``: when reading the instance began (``time.perf_counter``); it counts against the limit."""
        now = time.perf_counter()
        self.started = now if started is None else started
        self.last = now
        self.timings: dict[str, float] = {} if started is None else {"read": now - started}
        self.options = options

    def mark(self, name: str) -> None:
        """Add the time since the last mark to phase ``name``."""
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def share(self, stages_left: int, last_weight: float = 1.0) -> float | None:
        """A stage's share of the remaining time: what is left, split by the stages' weights
        (the last stage counting ``last_weight``); None when work, not time, bounds the search."""
        if self.options.deterministic:
            return None
        left = self.options.time_limit - (time.perf_counter() - self.started)
        return max(0.05, left / (stages_left - 1 + last_weight))

    def stage_end(self, stages_left: int, last_weight: float = 1.0) -> float | None:
        """When this stage's share ends (a ``time.perf_counter`` value), leaving the finish its part."""
        share = self.share(stages_left, last_weight)
        if share is None:
            return None
        left = self.share(1) - FINISH_SHARE * self.options.time_limit
        return time.perf_counter() + min(share, left)
