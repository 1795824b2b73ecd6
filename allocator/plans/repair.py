"""Whole plans from the priced relaxation: take back what it over-uses where it is worth least.

At good prices the relaxation's own plan (see :mod:`allocator.pricing.bound`, which already
keeps it within the bus supply) is whole and nearly right: at 100,000 firms it used 411
boxes more than the store holds, because the prices leave many firms indifferent, and
left the market link 1e-5 below its hold.  Taking the excess back where the prices say it
is worth least, handing out whatever is left (:mod:`allocator.plans.fill`) and moving boxes and
passes into a link that falls short gives a plan that meets every rule, close to the
bound those prices prove.  The caller checks it (evaluate) all the same.
"""

from __future__ import annotations

import numpy as np

from allocator.plans.fill import box_gain, fill_leftovers, pass_gain, shares
from allocator.problem import Problem, capacity, mask_cap, needed_for, recovery, whole_at_least
from allocator.allocation import Allocation


def repair(problem: Problem, plan: Allocation, worth: np.ndarray, lowest_link: float | None = None) -> Allocation:
    """``plan`` within the box and pass supplies, filled, and its links topped up to ``lowest_link``.

    ``worth``: each firm's value of one unit of its c at the relaxation's prices.
    """
    supply = problem.scenario.supply
    boxes = np.minimum(plan.boxes, mask_cap(problem, plan.returned))
    level = capacity(problem, boxes, plan.passes, plan.returned)
    need_boxes, need_passes, _ = needed_for(problem, level)
    boxes, passes = np.minimum(boxes, need_boxes), np.minimum(plan.passes, need_passes)
    boxes = _take_back(boxes, supply.boxes, box_gain(problem, worth))
    passes = _take_back(passes, supply.passes, pass_gain(problem, worth))
    filled = fill_leftovers(problem, Allocation(boxes, passes, plan.returned, plan.buses))
    return filled if lowest_link is None else top_up_links(problem, filled, lowest_link, worth)


def _take_back(given: np.ndarray, supply: int, gain: np.ndarray) -> np.ndarray:
    """``given`` less its excess over ``supply``, taken where ``gain`` per unit is least."""
    excess = int(given.sum()) - supply
    if excess <= 0:
        return given
    return given - shares(given, -gain, np.zeros(len(given), dtype=np.int64), np.array([excess]))


def top_up_links(problem: Problem, plan: Allocation, lowest_link: float, worth: np.ndarray) -> Allocation:
    """``plan`` with each chain link below ``lowest_link`` raised to it, if boxes or passes moved
    into the link from where they are worth least can do it (else as far as they can).

    The relaxation priced the links, so its plan misses a link's hold by a hair (at 100,000
    firms, at the best prices, the market link by 1e-5).  Units go to the link's members
    whose c rises most per unit when their room is filled (a firm a hair below its next
    limit gains little per unit, so the average counts, not the first unit's slope), and
    come from the store, then from outside the link, least worth per unit first.
    """
    for _ in range(TOP_UP_ROUNDS):
        level = capacity(problem, plan.boxes, plan.passes, plan.returned)
        short = [link for link in problem.links if recovery(problem, link, level) < lowest_link]
        if not short:
            return plan
        for link in short:
            for kind in ("boxes", "passes"):
                plan = _move_into(problem, plan, link, lowest_link, kind, worth)
    return plan


#: Rounds of :func:`top_up_links`: a round's estimate of what a unit adds can fall short
#: where a firm's other inputs bind, and the next round tops up what is left.
TOP_UP_ROUNDS = 3


def _move_into(problem: Problem, plan: Allocation, link: str, lowest_link: float, kind: str,
               worth: np.ndarray) -> Allocation:
    """Move boxes (or passes) into ``link`` until it reaches ``lowest_link``, as estimated."""
    members, v = problem.link_members(link), problem.instance.output_value
    level = capacity(problem, plan.boxes, plan.passes, plan.returned)
    short = (lowest_link - recovery(problem, link, level)) * v[members].sum()
    if short <= 0:
        return plan
    given = getattr(plan, kind)
    if kind == "boxes":
        full = capacity(problem, mask_cap(problem, plan.returned), plan.passes, plan.returned)
        room = np.minimum(needed_for(problem, full)[0], mask_cap(problem, plan.returned)) - given
        loss = box_gain(problem, worth)
    else:
        full = capacity(problem, plan.boxes, problem.instance.trucks_needed, plan.returned)
        room = needed_for(problem, full)[1] - given
        loss = pass_gain(problem, worth)
    inside = np.zeros(len(problem), dtype=bool)
    inside[members] = True
    room = np.where(inside, np.maximum(room, 0), 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(room > 0, v * (full - level) / room, 0.0)  # per unit, the room filled
    order = np.flatnonzero(room > 0)
    order = order[np.lexsort((order, -gain[order]))]
    reach = np.cumsum(room[order] * gain[order])
    count = min(int(np.searchsorted(reach, short)) + 1, len(order))
    added = np.zeros(len(problem), dtype=np.int64)
    added[order[:count]] = room[order[:count]]
    if count:  # the last firm only as far as the link needs
        last = order[count - 1]
        before = reach[count - 2] if count > 1 else 0.0
        added[last] = min(room[last], int(whole_at_least((short - before) / gain[last])))
    spare = max(getattr(problem.scenario.supply, kind) - int(given.sum()), 0)  # what the store still holds
    donors = np.where(inside, 0, given)
    moved = min(int(added.sum()), int(donors.sum()) + spare)
    taken = shares(donors, -loss, np.zeros(len(problem), dtype=np.int64), np.array([max(moved - spare, 0)]))
    if moved < added.sum():  # not enough in the store and outside the link: the best gain first
        added = shares(added, gain, np.zeros(len(problem), dtype=np.int64), np.array([moved]))
    changed = given - taken + added
    return Allocation(*(changed if name == kind else getattr(plan, name) for name in ("boxes", "passes", "returned")),
                      plan.buses)
