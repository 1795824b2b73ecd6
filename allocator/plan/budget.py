"""Time and stopping for a plan: one clock for the baseline's days and the week's stages.

``--time-limit`` counts from when the command began to when the outputs are written.  Every
solver run asks :meth:`Budget.stopped` first: a time limit and a stop flag (Ctrl-C, or a
caller's progress watch) end a stage the same way, with the best plan verified so far and
no claim the search did not prove.  With ``--deterministic`` runs are bounded by nodes,
not time, and only the stop flag stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from allocator.stages.clock import finish_seconds

if TYPE_CHECKING:
    from allocator.options import SolveOptions

#: With an export, the search leaves this many seconds per firm and day for it (or 5% of the
#: limit if that is more, see allocator.stages.clock): Keqiao's week (9,924 firms, 7 days)
#: took 0.64 s to export on 2 cores, and ``plan --time-limit 10`` ended at 10.6 s.
EXPORT_PER_FIRM_DAY = 12e-6


class Budget:
    """The run's clock, per-phase timings, and the stop flag."""

    def __init__(self, options: SolveOptions, started: float | None = None, stop: Callable[[], bool] | None = None,
                 firm_days: int = 0):
        """``firm_days``: the register's firms times the horizon's days (the export's size)."""
        now = time.perf_counter()
        self.finish = finish_seconds(options, EXPORT_PER_FIRM_DAY * firm_days)
        self.options, self.stop = options, stop
        self.started = now if started is None else started
        self.last = now
        self.timings: dict[str, float] = {} if started is None else {"read": now - started}

    def mark(self, name: str) -> None:
        """Add the time since the last mark to phase ``name``."""
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def left(self) -> float | None:
        """Seconds left for searching (the finish's part kept back); None when work bounds the runs."""
        if self.options.deterministic:
            return None
        spent = time.perf_counter() - self.started
        return self.options.time_limit - self.finish - spent

    def share(self, weight: float, of: float) -> float | None:
        """``weight`` parts of ``of`` of what is left (never below 0.05 s)."""
        left = self.left()
        return None if left is None else max(0.05, left * weight / of)

    def interrupted(self) -> bool:
        return self.stop is not None and bool(self.stop())

    def stopped(self) -> bool:
        """Time is up or the caller asked to stop: no further solver run starts."""
        left = self.left()
        return self.interrupted() or (left is not None and left <= 0)

    def outcome(self) -> str:
        """How a stage that could not run ended: interrupted, or out of time."""
        return "interrupted" if self.interrupted() else "time"
