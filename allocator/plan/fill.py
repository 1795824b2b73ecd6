"""Hand out what a week's plan leaves unused, as early as it can be used: seats, passes, boxes.

Stage 1 cares only about the lowest link, so its plan can leave much of every store
unused; a unit handed out on day k raises a firm's capacity on every day from k on, and
never lowers any c_id, so the holds stand.  Day by day from the first: waiting workers
into seats already chartered that day, then passes, then boxes, best weighted output per
unit first (allocator.plans.fill's greedy share-out).  A unit given on day k must fit
every later day too: the cumulative stores, the trucks and workers over the week, and
each later day's no-waste cap.  The caller verifies the plan and keeps it only if better.
"""

from __future__ import annotations

import numpy as np

from allocator.plan.evaluation import Plan
from allocator.plan.problem import Horizon
from allocator.plans.fill import box_gain, pass_gain, shares
from allocator.problem import capacity, mask_cap, needed_for


def fill_week(horizon: Horizon, plan: Plan) -> Plan:
    """``plan`` with the leftovers of every day handed out from that day on."""
    p = horizon.problem
    inst, seats = p.instance, p.scenario.supply.bus_seats
    boxes, passes, returned = plan.boxes.copy(), plan.passes.copy(), plan.returned.copy()
    worth = p.weight * inst.output_value
    useful = np.minimum(inst.workers_away, needed_for(p, p.c_max)[2])
    waiting = np.flatnonzero((p.group >= 0) & ~p.reserve_bound)
    none = np.zeros(len(p), dtype=np.int64)
    for k in range(horizon.days):
        days = horizon.days - k  # a unit given on day k counts on every day from k
        before = returned[k - 1] if k else horizon.start.returned
        riders = returned[k] - before
        spare = plan.buses[k] * seats - np.bincount(p.group[p.group >= 0], weights=riders[p.group >= 0],
                                                    minlength=horizon.groups).astype(np.int64)
        room = np.minimum(useful - returned[k], inst.workers_away - returned[-1])[waiting]
        gain = (days * worth / inst.employees)[waiting]
        returned[k:, waiting] += shares(room, gain, p.group[waiting], np.maximum(spare, 0))
        top = capacity(p, mask_cap(p, returned[k]), inst.trucks_needed, returned[k])
        room = np.minimum(needed_for(p, top)[1] - passes[k], inst.trucks_needed - passes[-1])
        left = int(np.min(horizon.passes[k:] - passes[k:].sum(axis=1)))
        passes[k:] += shares(room, days * pass_gain(p, worth), none, np.array([max(left, 0)]))
        cap = mask_cap(p, returned[k])
        level = capacity(p, cap, passes[k], returned[k])
        later = np.min(np.vstack([mask_cap(p, returned[d]) - boxes[d] for d in range(k, horizon.days)]), axis=0)
        room = np.minimum(np.minimum(needed_for(p, level)[0], cap) - boxes[k], later)
        left = int(np.min(horizon.boxes[k:] - boxes[k:].sum(axis=1)))
        boxes[k:] += shares(room, days * box_gain(p, worth), none, np.array([max(left, 0)]))
    return Plan(boxes, passes, returned, plan.buses)


def seat_waiting(horizon: Horizon, plan: Plan) -> Plan:
    """Spare seats of each day's chartered buses to workers still waiting at the same origin for the
    same park (firms in input order), as ``solve`` does after its last stage: returned workers cost
    no unit and never lower any figure.  A worker seated on day k is back from day k on, so every
    firm stays within its workers away over the week; eligible firms of a reserved tier are left
    out (a higher cap could unmeet an 'all at cap' reserve)."""
    p = horizon.problem
    seats = p.scenario.supply.bus_seats
    returned = plan.returned.copy()
    allowed = (p.group >= 0) & ~p.reserve_bound
    for k in range(horizon.days):
        before = returned[k - 1] if k else horizon.start.returned
        riders = returned[k] - before
        for g in np.flatnonzero(plan.buses[k] > 0):
            members = np.flatnonzero((p.group == g) & allowed)
            spare = seats * int(plan.buses[k][g]) - int(riders[p.group == g].sum())
            if spare <= 0 or not len(members):
                continue
            waiting = p.instance.workers_away[members] - returned[-1][members]
            ahead = np.concatenate([[0], np.cumsum(waiting)[:-1]])
            returned[k:, members] += np.clip(spare - ahead, 0, waiting)
    if np.array_equal(returned, plan.returned):
        return plan
    return Plan(plan.boxes, plan.passes, returned, plan.buses)
