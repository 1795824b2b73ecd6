"""Take back units whose loss the holds can afford: stage 3's plans, without a solver.

Stage 3 may give up 1e-6 of stage 2's output (and keep every listed link within 1e-6 of
stage 1's value) to save boxes, passes and buses.  A plan kept by stage 2 leaves that
slack unspent, and a firm of tiny output (1 next to 10^6) can give back its units for
almost nothing.  Greedy, cheapest loss first, in up to two steps, both ways tried (see trim):

* boxes firm by firm: a firm's c is the least of its masks term, linear in its boxes, and
  terms the boxes do not move, so each box it gives back costs at least what the one
  before did (c is concave in the boxes), and the firms whose boxes cost least on
  average give back all of them, or as many as the slack still allows, in that order.
  A firm of 10,000 staff and output 2 holds thousands of boxes worth almost nothing; the
  rounds below alone spent a heavy-tailed register's slack on the first boxes of many
  firms, at most 64 of each: stage 3 of heavytail-10000, seeds 1-3, ended on 26,312 /
  27,514 / 26,091 units, with this step first on 24,069 / 25,525 / 22,989
  (benchmarks/families_run.py, every other figure the same);
* rounds of one unit per firm, which also take passes (alone, or after the first step):
  each round prices every firm's next box and next pass (the output and link recovery it
  would lose), takes them in that order while the output slack and every link's slack
  allow, and recomputes.

A bus goes when its group's riders fit in one bus fewer.  Firms of a tier with a mask
reserve keep their boxes (the reserve rule counts them).  The result is checked by
recomputation; on any doubt the plan comes back unchanged.
"""

from __future__ import annotations

import numpy as np

from allocator.allocation import Allocation, evaluate
from allocator.problem import Problem, capacity, capacity_terms

#: Rounds of one unit per firm after the boxes firm by firm; a firm rarely has more passes
#: (or boxes the first step left) to spare than this.
ROUNDS = 64


def trim(problem: Problem, plan: Allocation, output_floor: float, link_floor: float | None) -> Allocation:
    """``plan`` with the units removed that keep weighted output >= ``output_floor`` and every
    listed link >= ``link_floor`` (None: no link to hold): the leaner of the two ways below.

    Boxes firm by firm spend the slack by a firm's average loss, the rounds by each unit's
    own, passes included; where the slack is a few units' worth the rounds may do better
    (plentiful-10000-1: 38,205 units by the rounds alone, 38,207 with boxes firm by firm
    first, which left stage 3 1.3e-4 from its bound and its proof 17 s longer), so both run
    (a few milliseconds at 10,000 firms) and the one with fewer units is kept, the rounds'
    on a tie."""
    check = evaluate(problem, plan)
    if check.violations or check.weighted_output < output_floor:
        return plan
    rounds, fewer = _trimmed(problem, plan, check, output_floor, link_floor, by_firm=False)
    both, fewest = _trimmed(problem, plan, check, output_floor, link_floor, by_firm=True)
    return both if fewest < fewer else rounds


def _trimmed(problem: Problem, plan: Allocation, check, output_floor: float, link_floor: float | None,
             by_firm: bool) -> tuple[Allocation, int]:
    """One way of trimming ``plan`` (``check`` its evaluation): boxes firm by firm first
    (``by_firm``), then the rounds; the plan and its units."""
    boxes, passes, buses = plan.boxes.copy(), plan.passes.copy(), _spare_buses(problem, plan)
    worth = problem.weight * problem.instance.output_value
    links = _link_index(problem)
    shares = _link_shares(problem)
    level = check.c_after.copy()
    slack = check.weighted_output - output_floor
    link_slack = np.array([check.link_after[link] - link_floor for link in problem.links]) if link_floor is not None \
        else np.full(len(problem.links), np.inf)
    keep_boxes = problem.reserve_bound
    n = len(problem)
    if by_firm:
        slack -= _boxes_by_firm(problem, boxes, passes, plan.returned, level, worth, keep_boxes,
                                (slack, link_slack, links, shares))
    for _ in range(ROUNDS):
        losses, lowers, kinds = _next_losses(problem, boxes, passes, plan.returned, level, worth, keep_boxes)
        order = np.lexsort((np.arange(len(losses)), losses))
        taken, touched = False, np.zeros(n, dtype=bool)
        for index in order:
            loss = losses[index]
            if not np.isfinite(loss) or loss > slack:
                break
            firm, kind = index % n, kinds[index // n]
            if touched[firm]:  # its other unit's loss was priced at the level before this round's
                continue
            new_level = lowers[index]
            link_loss = (level[firm] - new_level) * shares[firm]
            if links[firm] >= 0 and link_loss > link_slack[links[firm]]:
                continue
            slack -= loss
            if links[firm] >= 0:
                link_slack[links[firm]] -= link_loss
            (boxes if kind == "boxes" else passes)[firm] -= 1
            level[firm] = new_level
            touched[firm] = taken = True
        if not taken:
            break
    lean = Allocation(boxes, passes, plan.returned, buses)
    again = evaluate(problem, lean)
    if again.violations or again.weighted_output < output_floor or (
            link_floor is not None and again.min_link is not None and again.min_link < link_floor):
        return plan, check.resources_used
    return lean, again.resources_used


def _boxes_by_firm(problem: Problem, boxes, passes, returned, level, worth, keep_boxes, slacks) -> float:
    """Boxes given back firm by firm, cheapest on average first (``boxes``, ``level`` and the
    link slack updated in place); returns the output slack spent."""
    slack, link_slack, links, shares = slacks
    sc = problem.scenario
    q, pack = sc.rules.masks_per_worker, sc.supply.mask_pack
    if q <= 0:
        return 0.0
    inst = problem.instance
    terms = capacity_terms(problem, boxes, passes, returned)
    others = np.minimum.reduce([np.ones(len(boxes)), terms["workers"], terms["freight"]])  # c but for masks
    employees = inst.employees.astype(float)
    bare = np.minimum(others, inst.masks_in_stock / (q * employees))  # with every box given back
    loss = np.maximum(worth * (level - bare), 0.0)
    open_ = np.flatnonzero((boxes > 0) & ~keep_boxes)
    order = open_[np.lexsort((open_, loss[open_] / boxes[open_]))]
    one_fewer = np.minimum(others, (inst.masks_in_stock + pack * (boxes - 1)) / (q * employees))
    cheapest_after = np.minimum.accumulate(np.maximum(worth * (level - one_fewer), 0.0)[order][::-1])[::-1]
    spent = 0.0
    for firm, least in zip(order, cheapest_after):
        if least > slack - spent:  # no firm from here on can give back even one box
            break
        given = np.arange(boxes[firm] + 1)  # boxes given back: 0 .. all
        kept = inst.masks_in_stock[firm] + pack * (boxes[firm] - given)
        levels = np.minimum(others[firm], kept / (q * employees[firm]))
        lost = np.maximum(worth[firm] * (level[firm] - levels), 0.0)
        fits = lost <= slack - spent
        if links[firm] >= 0:
            fits &= (level[firm] - levels) * shares[firm] <= link_slack[links[firm]]
        fits[0] = True  # giving back nothing costs nothing (whatever the rounding says)
        k = len(fits) - 1 if fits.all() else int(np.argmin(fits)) - 1  # the loss only grows with k
        if k == 0:
            continue
        spent += lost[k]
        if links[firm] >= 0:
            link_slack[links[firm]] -= (level[firm] - levels[k]) * shares[firm]
        boxes[firm] -= k
        level[firm] = levels[k]
    return spent


def _next_losses(problem: Problem, boxes, passes, returned, level, worth, keep_boxes):
    """Each firm's output lost by giving back one box, then one pass (inf where it has none), and
    its level after; both blocks side by side (boxes first)."""
    losses, lowers, kinds = [], [], ("boxes", "passes")
    for kind in kinds:
        given = boxes if kind == "boxes" else passes
        fewer = np.maximum(given - 1, 0)
        lower = capacity(problem, fewer, passes, returned) if kind == "boxes" else capacity(problem, boxes, fewer, returned)
        no_unit = (given <= 0) | (keep_boxes if kind == "boxes" else np.zeros(len(given), dtype=bool))
        losses.append(np.where(no_unit, np.inf, np.maximum(worth * (level - lower), 0.0)))
        lowers.append(lower)
    return np.concatenate(losses), np.concatenate(lowers), kinds


def _spare_buses(problem: Problem, plan: Allocation) -> np.ndarray:
    """Buses no rider needs: a group keeps ceil(riders / seats)."""
    seats, rides = problem.scenario.supply.bus_seats, problem.group >= 0
    riders = np.bincount(problem.group[rides], weights=plan.returned[rides], minlength=len(plan.buses))
    return np.minimum(plan.buses, -(-riders.astype(np.int64) // seats))


def _link_index(problem: Problem) -> np.ndarray:
    """Each firm's position in problem.links (-1 for an unlisted link)."""
    index = np.full(len(problem), -1, dtype=np.int64)
    for k, link in enumerate(problem.links):
        index[problem.link_members(link)] = k
    return index


def _link_shares(problem: Problem) -> np.ndarray:
    """v_i / V_L of each firm's listed link (0 for an unlisted one)."""
    v = problem.instance.output_value
    share = np.zeros(len(problem))
    for link in problem.links:
        members = problem.link_members(link)
        share[members] = v[members] / v[members].sum()
    return share
