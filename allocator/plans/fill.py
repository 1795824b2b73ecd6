"""Hand out what a plan leaves unused: spare bus seats, passes and boxes, by output gained.

Stage 1 only cares about the lowest link, so its plan can leave most supplies in the
store (at 100,000 firms: 43,000 of 77,540 units).  Adding resources never lowers any
c_i, so every link keeps its recovery and stage 1 still holds; a plan with the leftovers
handed out is a far better start for stage 2.  That matters where stage 2's search may
find nothing within its share (at 100,000 firms with a 40 s limit it returned the
stage-1 plan, 15% below the output it reaches with 60 s).  Greedy, by weighted output
per unit, in three passes: riders into seats already paid for, then passes, then boxes.
"""

from __future__ import annotations

import numpy as np

from allocator.problem import Problem, capacity, mask_cap, needed_for
from allocator.allocation import Allocation, evaluate


def fill_leftovers(problem: Problem, allocation: Allocation) -> Allocation:
    """The allocation with its leftovers handed out; the same one if nothing fits or a rule objects."""
    returned = _seat_riders(problem, allocation)
    supply = problem.scenario.supply
    worth = problem.weight * problem.instance.output_value
    passes = _hand_out(allocation.passes, _passes_wanted(problem, returned) - allocation.passes, supply.passes,
                       pass_gain(problem, worth))
    boxes = _hand_out(allocation.boxes, _boxes_wanted(problem, passes, returned) - allocation.boxes, supply.boxes,
                      box_gain(problem, worth))
    filled = Allocation(boxes, passes, returned, allocation.buses)
    check = evaluate(problem, filled)
    if check.violations or check.weighted_output <= evaluate(problem, allocation).weighted_output:
        return allocation
    return filled


def _hand_out(given: np.ndarray, room: np.ndarray, supply: int, gain: np.ndarray) -> np.ndarray:
    """Give up to ``room`` more units per firm, best ``gain`` first, until the supply is used."""
    pool = np.zeros(len(given), dtype=np.int64)
    return given + shares(room, gain, pool, np.array([supply - int(given.sum())]))


def shares(room: np.ndarray, gain: np.ndarray, pool: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Each pool's ``left`` units among its members, best ``gain`` first, at most ``room`` each."""
    order = np.lexsort((-gain, pool))  # by pool, best first inside it
    room, pool = np.maximum(room[order], 0), pool[order]
    before = np.cumsum(room) - room
    before -= before[np.searchsorted(pool, pool)]  # counted from the start of each pool
    taken = np.zeros(len(order), dtype=np.int64)
    taken[order] = np.minimum(room, np.maximum(left[pool] - before, 0))
    return taken


def _seat_riders(problem: Problem, allocation: Allocation) -> np.ndarray:
    """Fill the seats of buses already chartered with waiting workers, best output per worker first."""
    inst, seats = problem.instance, problem.scenario.supply.bus_seats
    waiting = np.flatnonzero(problem.group >= 0)
    returned = allocation.returned.copy()
    useful = np.minimum(inst.workers_away, needed_for(problem, problem.c_max)[2])
    groups = problem.group[waiting]
    spare = allocation.buses * seats - np.bincount(groups, weights=returned[waiting], minlength=len(allocation.buses))
    gain = (problem.weight * inst.output_value / inst.employees)[waiting]
    returned[waiting] += shares(useful[waiting] - returned[waiting], gain, groups, spare.astype(np.int64))
    return returned


def _passes_wanted(problem: Problem, returned: np.ndarray) -> np.ndarray:
    """Passes that raise c up to what workers and all the boxes a firm may take allow."""
    top = capacity(problem, mask_cap(problem, returned), problem.instance.trucks_needed, returned)
    return needed_for(problem, top)[1]


def _boxes_wanted(problem: Problem, passes: np.ndarray, returned: np.ndarray) -> np.ndarray:
    """Boxes that raise c up to what workers and passes allow, within the no-waste cap."""
    cap = mask_cap(problem, returned)
    return np.minimum(needed_for(problem, capacity(problem, cap, passes, returned))[0], cap)


def pass_gain(problem: Problem, worth: np.ndarray) -> np.ndarray:
    """What a pass adds to a firm whose freight binds, for ``worth`` per unit of its c."""
    inst, share = problem.instance, problem.scenario.rules.freight_free_share
    return worth * (1 - share) / np.maximum(inst.trucks_needed, 1)


def box_gain(problem: Problem, worth: np.ndarray) -> np.ndarray:
    """What a box adds to a firm whose masks bind, for ``worth`` per unit of its c."""
    inst, sc = problem.instance, problem.scenario
    q, pack = sc.rules.masks_per_worker, sc.supply.mask_pack
    return worth * pack / (max(q, 1) * inst.employees)
