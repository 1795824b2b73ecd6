"""Wall time since the run began: per-phase timings and each stage's share of the limit."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocator.options import SolveOptions

#: This part of the limit is set aside before the stages share it: the report and the
#: outputs still have to be written ...
FINISH_SHARE = 0.05
#: ... or, when the caller writes the export folder within the limit (``SolveOptions.exports``),
#: this many seconds per firm if that is more: from the province's last stage (100,232
#: firms) to the process's exit took 5.0 s on 2 cores, the export 4.0 - 4.9 s of it.
EXPORT_PER_FIRM = 60e-6
#: ... and this many seconds more when it also draws an HTML page or PNG charts (matplotlib's
#: import and drawing, about the same at any size): from the last stage to the exit took
#: 0.86 s with --html alone and 1.2 s with --export, --html and --plots on a register of 296
#: firms, 0.84 s and 1.57 s at Keqiao (--export alone 0.54 s), 1.37 s for plan's week page;
#: without it, Keqiao with --time-limit 10 ended at 10.4 - 11.7 s.
VISUALS_SECONDS = 1.2
#: The finish never takes more than this part of the limit: a search always gets the rest.
FINISH_MOST = 0.5


def finish_seconds(options: SolveOptions, export: float) -> float:
    """What the search leaves at the end of the limit: FINISH_SHARE of it, or ``export``
    seconds (and VISUALS_SECONDS with a page or charts) if the caller writes its outputs
    within the limit and that is more, never more than FINISH_MOST of it."""
    writing = (export if options.exports else 0.0) + (VISUALS_SECONDS if options.visuals else 0.0)
    needed = max(FINISH_SHARE * options.time_limit, writing)
    return min(needed, FINISH_MOST * options.time_limit)


class Clock:
    """``--time-limit`` counts from when the command began (from Python: when reading began) and
    ends when the outputs are written: the stages share what is left after the finish (report
    and exports) is set aside."""

    def __init__(self, options: SolveOptions, started: float | None = None, firms: int = 0):
        """``started``: when reading the instance began (``time.perf_counter``); it counts against the limit."""
        now = time.perf_counter()
        self.finish = finish_seconds(options, EXPORT_PER_FIRM * firms)
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
        """A stage's share of the remaining time: what is left before the finish (set aside
        first, so that it does not eat the last stage's share), split by the stages' weights
        (the last stage counting ``last_weight``; alone, it has all); None when work, not
        time, bounds the search."""
        if self.options.deterministic:
            return None
        left = self.options.time_limit - self.finish - (time.perf_counter() - self.started)
        return max(0.05, left if stages_left == 1 else left / (stages_left - 1 + last_weight))

    def stage_end(self, stages_left: int, last_weight: float = 1.0) -> float | None:
        """When this stage's share ends (a ``time.perf_counter`` value)."""
        share = self.share(stages_left, last_weight)
        return None if share is None else time.perf_counter() + share
