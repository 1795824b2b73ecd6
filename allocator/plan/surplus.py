"""Drop what a week's plan hands out beyond need: the same capacity every day, fewer units.

A plan found under a time limit can give a firm more boxes or passes than its scarcest
input lets it use that day, or charter a bus for nobody.  Cumulative amounts are cut to
what each day's capacity needs (the least of two nondecreasing sequences stays
nondecreasing), never below what the firm held before the window; riders are kept, since
moving a worker to another day could overfill that day's seats.  Every c_id stays as it
was (checked), so the holds of stages 1 and 2 stand; the caller verifies the plan.
"""

from __future__ import annotations

import numpy as np

from allocator.plan.evaluation import Plan
from allocator.plan.problem import Horizon
from allocator.problem import capacity, needed_for


def drop_surplus(horizon: Horizon, plan: Plan) -> Plan:
    """``plan`` with the fewest boxes, passes and buses that keep every firm's capacity on every day."""
    p, start = horizon.problem, horizon.start
    sc = p.scenario
    boxes, passes = plan.boxes.copy(), plan.passes.copy()
    for k in range(horizon.days):
        c = capacity(p, plan.boxes[k], plan.passes[k], plan.returned[k])
        need_b, need_p, _ = needed_for(p, c)
        b = np.maximum(np.minimum(plan.boxes[k], need_b), start.boxes) if sc.rules.masks_per_worker > 0 else plan.boxes[k]
        pi = np.maximum(np.minimum(plan.passes[k], need_p), start.passes)
        keep = p.reserve_bound | (capacity(p, b, pi, plan.returned[k]) < c)
        boxes[k] = np.where(keep, plan.boxes[k], b)
        passes[k] = np.where(keep, plan.passes[k], pi)
    boxes, passes = np.maximum.accumulate(boxes, axis=0), np.maximum.accumulate(passes, axis=0)
    riders = np.diff(np.vstack([start.returned, plan.returned]), axis=0)
    rides = p.group >= 0
    buses = plan.buses.copy()
    for k in range(horizon.days):
        seated = np.bincount(p.group[rides], weights=riders[k][rides], minlength=horizon.groups).astype(np.int64)
        buses[k] = np.minimum(plan.buses[k], -(-seated // sc.supply.bus_seats))
    return Plan(boxes, passes, plan.returned, buses)
