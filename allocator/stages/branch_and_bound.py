"""Plain branch and bound: the solver searches the whole model, warm-started from the stage's start.

This is how every stage of a model below the guided size is searched (and every model
with ``search="full"``); its bound is the solver's proven dual bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocator.model.columns import start_vector

if TYPE_CHECKING:
    from allocator.allocation import Allocation
    from allocator.backends.base import SolverRun
    from allocator.stages.session import Session


def search(session: Session, start: Allocation | None, stages_left: int, seconds: float | None = None,
           **limits) -> SolverRun:
    """One solver run in the stage's share of the time (at most ``seconds`` of it), from ``start``
    (None: no start offered)."""
    if start is not None:
        session.model.set_start(start_vector(session.problem, session.f, start))
    limit = session.clock.share(stages_left)
    if limit is not None and seconds is not None:
        limit = max(0.05, min(limit, seconds))
    run = session.model.run(time_limit=limit, **session.limits(**limits))
    session.clock.mark(f"stage{4 - stages_left}")
    return run
