"""Drop what a plan hands out beyond need: the cheapest plan with the same capacity per firm.

A plan found under a time limit can give a firm more boxes or passes than its scarcest
input lets it use, or charter a bus for riders who add nothing.  Stage 3 removes such
surplus by search; this does the obvious part directly, so that a large model that
cannot be searched to the end still starts stage 3 from a lean plan.  Every firm keeps
its c_i exactly (checked by recomputation), so stages 1 and 2 hold unchanged.
"""

from __future__ import annotations

import numpy as np

from allocator.problem import Problem, capacity, needed_for
from allocator.allocation import Allocation, evaluate


def drop_surplus(problem: Problem, allocation: Allocation) -> Allocation:
    """The allocation with the fewest boxes, passes and buses that keeps every c_i; or the same one."""
    sc = problem.scenario
    c = capacity(problem, allocation.boxes, allocation.passes, allocation.returned)
    need_boxes, need_passes, need_workers = needed_for(problem, c)
    returned = np.minimum(allocation.returned, need_workers)
    boxes = np.minimum(allocation.boxes, need_boxes) if sc.rules.masks_per_worker > 0 else allocation.boxes
    passes = np.minimum(allocation.passes, need_passes)
    keep = problem.reserve_bound | (capacity(problem, boxes, passes, returned) < c)
    boxes = np.where(keep, allocation.boxes, boxes)
    passes = np.where(keep, allocation.passes, passes)
    returned = np.where(keep, allocation.returned, returned)
    rides = problem.group >= 0
    riders = np.bincount(problem.group[rides], weights=returned[rides], minlength=len(allocation.buses))
    buses = np.minimum(allocation.buses, -(-riders.astype(np.int64) // sc.supply.bus_seats))
    lean = Allocation(boxes.astype(np.int64), passes.astype(np.int64), returned.astype(np.int64), buses)
    same = all(np.array_equal(a, b) for a, b in zip(_arrays(lean), _arrays(allocation), strict=True))
    if same or evaluate(problem, lean).violations:
        return allocation
    return lean


def _arrays(allocation: Allocation) -> tuple[np.ndarray, ...]:
    return allocation.boxes, allocation.passes, allocation.returned, allocation.buses
