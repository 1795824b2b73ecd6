"""Spare seats on chartered buses go to workers still waiting at the same origin for the same park.

Returned workers cost nothing in stage 3, so among the equally good plans the tool
picks the one that brings the most people back: after the last stage, every empty
seat is offered to the waiting workers of the bus's own (origin, park) group, firms in
input order.  More workers on post never lowers any c_i and only raises no-waste caps,
so every figure stays at least as good.  Eligible firms of a tier with a mask reserve
are left out: a higher cap could turn a met "all at cap" reserve into an unmet one.
"""

from __future__ import annotations

import numpy as np

from allocator.problem import Problem
from allocator.allocation import Allocation


def fill_spare_seats(problem: Problem, allocation: Allocation) -> Allocation:
    """The allocation with spare seats filled; the same object when no seat is spare."""
    seats = problem.scenario.supply.bus_seats
    inst = problem.instance
    allowed = ~problem.reserve_bound
    returned = allocation.returned.copy()
    for g in np.flatnonzero(allocation.buses > 0):
        members = np.flatnonzero((problem.group == g) & allowed)
        spare = seats * int(allocation.buses[g]) - int(allocation.returned[problem.group == g].sum())
        if spare <= 0 or len(members) == 0:
            continue
        waiting = inst.workers_away[members] - returned[members]
        before = np.concatenate([[0], np.cumsum(waiting)[:-1]])
        returned[members] += np.clip(spare - before, 0, waiting)
    if np.array_equal(returned, allocation.returned):
        return allocation
    return Allocation(allocation.boxes, allocation.passes, returned, allocation.buses)
