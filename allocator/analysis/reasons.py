"""Why an enterprise received nothing, as a stable code officers can filter on.

allocated   it received boxes, passes or returned workers
need_met    no input can raise its capacity (already at full capacity, or its limiting
            input is one nobody hands out, e.g. staff that are not away but absent)
ineligible  masks would raise its capacity, but its electricity recovery is below its
            tier's threshold, and nothing else it could receive would help
outranked   something would have helped, but the supplies went where the rules
            (chain balance, then weighted output) valued them more
"""

from __future__ import annotations

import numpy as np

from allocator.problem import Problem, capacity
from allocator.allocation import Allocation

REASONS = ("allocated", "need_met", "ineligible", "outranked")


def reasons(problem: Problem, allocation: Allocation) -> np.ndarray:
    inst, sc = problem.instance, problem.scenario
    got = (allocation.boxes > 0) | (allocation.passes > 0) | (allocation.returned > 0)
    q, pack = sc.rules.masks_per_worker, sc.supply.mask_pack
    need = q * (inst.on_post + inst.workers_away) - inst.masks_in_stock
    cap_if_eligible = np.maximum(0, -(-need // pack))
    best_if_eligible = capacity(problem, cap_if_eligible, inst.trucks_needed, inst.workers_away)
    out = np.full(len(problem), "outranked", dtype=object)
    out[~problem.variable] = "need_met"
    out[~problem.variable & ~problem.eligible & (best_if_eligible > problem.c_before)] = "ineligible"
    out[got] = "allocated"
    return out
