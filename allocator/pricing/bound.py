"""Bounds from the LP's prices, applied one bus group at a time over whole units.

A large model's LP bound is loose where the plan must be whole: a bus group's last
bus, a firm's last box.  Price what ties the firms together — the box, pass and bus
supplies, the link holds and (stage 3) the output hold — and the rest falls apart
into one small problem per firm without returning workers and one per bus group
(origin, park).  Each is solved exactly over whole boxes, passes, workers and buses:

* a firm's best at capacity level c pays for the boxes and passes that c needs, and
  the best level with r workers back is the best candidate level up to
  min(c_max, (P + r) / E) (the value rises between the points where a box or pass
  is needed, so only those points, c_before, c_max and the worker levels matter);
* a group's best with y buses is a max-plus knapsack of its firms' curves over
  seats * y riders, then the best y at the bus price.

Any prices >= 0 give a valid bound (weak duality: every plan of the SPEC model pays
no more than the prices promise), so the LP's duals need not be exact; rows this
relaxation ignores (no-waste beyond what a level needs, tier reserves) only loosen it.
At the LP's duals it is never above the LP bound and on large models well below:
province stage 2 (100,232 firms) 3.9e-3 -> 1.8e-3 in about a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from allocator.pricing.level_method import Oracle, minimise
from allocator.pricing.seating import Seatings, methods
from allocator.model.formulation import Formulation
from allocator.problem import Problem, needed_for
from allocator.allocation import Allocation


@dataclass(frozen=True)
class Prices:
    """What one more unit of each supply, or of each link's or the output's hold, is worth."""

    boxes: float
    passes: float
    buses: float
    links: np.ndarray  # one per listed link, in Problem.links order
    output: float = 1.0  # stage 3's price of output (stage 2 counts output at 1)

    def for_units(self) -> Prices:
        """Stage 2's prices as stage 3's: output at the price theta at which the cheapest supply's
        price, less the 1 every unit costs in stage 3, just stays above 0.

        Scaled by theta, stage 2's relaxation prices the units as stage 3's does, less 1 a
        unit: with every supply used, the bound is the units in store less theta times what
        stage 2's bound exceeds its plan, so the least theta is best.  At 100,000 firms, with
        stage 2's plan 15 below its bound, 77,530.8 of the 77,540 units in store; stage 3's
        own LP duals, improved by the level method, gave 76,974.  THETA_MARGIN keeps that
        cheapest price off 0, where the level method would leave it.
        """
        supplies = np.array([self.boxes, self.passes, self.buses])
        positive = supplies[supplies > 0]
        theta = self.output * (1 + THETA_MARGIN) / positive.min() if len(positive) else self.output
        return Prices(*np.maximum(theta * supplies - 1, 0), links=theta * self.links, output=theta)


#: See :meth:`Prices.for_units`.
THETA_MARGIN = 1e-3


@dataclass(frozen=True)
class Relaxed:
    """The priced relaxation's best plan: its worth, and what it uses (the prices' subgradient)."""

    worth: float  # the relaxation's maximum, summed part by part: the bound's term
    plan_worth: float  # the plan read back, recomputed: equal but for rounding, or less where groups are over envelopes
    boxes: float
    passes: float
    buses: float
    links: np.ndarray  # recovery of each listed link
    output: float  # weighted output
    allocation: Allocation  # whole: the relaxation's, buses re-chosen within their supply (boxes, passes may exceed)
    prices: Prices


#: Shown each evaluation of a bound search: the bound those prices prove and their relaxed plan.
Seen = Callable[[float, Relaxed], None]


@dataclass(frozen=True)
class _Candidates:
    """Every firm's candidate capacity levels, sorted by (firm, level), with the units each needs."""

    firms: np.ndarray  # the model's variable firms
    owner: np.ndarray  # position in ``firms`` of each candidate
    level: np.ndarray
    boxes: np.ndarray
    passes: np.ndarray
    at_workers: np.ndarray  # for each (firm, r): the last candidate at or below its worker level
    curve_start: np.ndarray  # where each firm's (r = 0, 1, ...) entries start in at_workers
    most_riders: np.ndarray
    group_order: np.ndarray  # riders (positions in ``firms``), sorted by bus group
    group_start: np.ndarray
    groups: np.ndarray  # the bus group of each run in group_order
    most_buses: np.ndarray  # per group in that order: the model's bound on its buses (<= the supply)


class PricedBound:
    """Built once per model; :meth:`best` is then about a second at 100,000 firms."""

    def __init__(self, problem: Problem, formulation: Formulation, threads: int = 1):
        """``threads``: the HiGHS thread count of the process (see :func:`allocator.pricing.level_method.minimise`)."""
        self.problem, self.threads = problem, threads
        self.slowest = 0.0  # seconds of the slowest evaluation (best) so far: what a stage keeps back for one more
        self._c = _candidates(problem, formulation)
        self._link_share = _link_shares(problem)
        c, seats = self._c, problem.scenario.supply.bus_seats
        self._large, self._compiled = methods(c.most_riders[c.group_order], c.group_start, seats * c.most_buses + 1)

    def output_bound(self, prices: Prices, lowest_link: float | None, evaluations: int = 1,
                     deadline: float | None = None, enough: float = -np.inf, seen: Seen | None = None) -> float:
        """Stage 2: no plan holding every listed link at ``lowest_link`` has more weighted output.

        With ``evaluations`` > 1 the prices are improved from ``prices`` by the level method
        until ``deadline`` (a ``time.perf_counter`` value) or a bound of ``enough``; the lowest
        bound found is returned.  ``seen`` is shown each evaluation's bound and relaxed plan.
        """
        return self.output_bound_and_prices(prices, lowest_link, evaluations, deadline, enough, seen)[0]

    def output_bound_and_prices(self, prices: Prices, lowest_link: float | None, evaluations: int = 1,
                                deadline: float | None = None, enough: float = -np.inf, seen: Seen | None = None
                                ) -> tuple[float, Prices]:
        """:meth:`output_bound` and the prices that proved it.  At those prices (p, l) the bound B
        holds as a line in the lowest link z: no plan has more output than B + (lowest_link - z) x
        sum(l), since each link's recovery is at least z (allocator.plan.bounds couples the days
        of a week with it)."""
        links = prices.links if lowest_link is not None else 0 * prices.links
        start = np.r_[prices.boxes, prices.passes, prices.buses, links]
        dual = self._dual(lowest_link, None, seen)
        value, x = minimise(dual, start, evaluations, deadline, enough, threads=self.threads)
        return value, Prices(float(x[0]), float(x[1]), float(x[2]), np.asarray(x[3:], dtype=float))

    def units_bound(self, prices: Prices, output_floor: float, lowest_link: float | None, evaluations: int = 1,
                    deadline: float | None = None, enough: float = np.inf, seen: Seen | None = None) -> float:
        """Stage 3: no plan holding ``output_floor`` and the links uses fewer boxes + passes + buses (same search)."""
        start = np.r_[prices.boxes, prices.passes, prices.buses,
                      prices.links if lowest_link is not None else 0 * prices.links, prices.output]
        dual = self._dual(lowest_link, output_floor, seen)
        return -minimise(dual, start, evaluations, deadline, -enough, threads=self.threads)[0]

    def _dual(self, lowest_link: float | None, output_floor: float | None, seen: Seen | None = None) -> Oracle:
        """The priced relaxation as a function of the prices, to be minimised, with its subgradient.

        Prices are (boxes, passes, buses, one per link[, output]): with an output floor (stage 3)
        its value is minus the units bound, else (stage 2) the output bound.
        """
        supply = self.problem.scenario.supply
        supplies = np.array([supply.boxes, supply.passes, supply.buses], dtype=float)
        hold = 0.0 if lowest_link is None else lowest_link
        links = len(self.problem.links)

        def dual(x: np.ndarray) -> tuple[float, np.ndarray]:
            output = 1.0 if output_floor is None else x[-1]
            best = self.best(Prices(x[0], x[1], x[2], x[3:3 + links], output), unit=float(output_floor is not None))
            used = np.array([best.boxes, best.passes, best.buses])
            value = best.worth + x[:3] @ supplies - hold * x[3:3 + links].sum()
            slope = np.r_[supplies - used, best.links - hold]
            if output_floor is not None:
                value -= output * output_floor
                slope = np.r_[slope, best.output - output_floor]
            if seen is not None:
                seen(float(value) if output_floor is None else -float(value), best)
            return float(value), slope

        return dual

    def best(self, prices: Prices, unit: float = 0.0) -> Relaxed:
        """max over plans of output * weighted output + links * recoveries - (price + unit) * units, supplies free."""
        began = time.perf_counter()
        relaxed = self._best(prices, unit)
        self.slowest = max(self.slowest, time.perf_counter() - began)
        return relaxed

    def _best(self, prices: Prices, unit: float) -> Relaxed:
        p, c = self.problem, self._c
        weighted = p.weight * p.instance.output_value
        worth = self.worth(prices)
        value = (worth[c.firms][c.owner] * c.level - (prices.boxes + unit) * c.boxes
                 - (prices.passes + unit) * c.passes)
        running, chosen = _running_max(value, c.owner)
        curves = running[c.at_workers]
        riders = np.zeros(len(c.firms), dtype=np.int64)  # workers back per variable firm in the best plan
        constants = np.ones(len(p), dtype=bool)
        constants[c.firms] = False
        total = float(worth[constants] @ p.c_before[constants]) + float(curves[c.curve_start[c.most_riders == 0]].sum())
        seatings = Seatings.of(curves, c.curve_start[c.group_order], c.most_riders[c.group_order], c.group_start,
                               p.scenario.supply.bus_seats, c.most_buses, self._compiled, self._large)
        buses = np.zeros(len(p.group_keys), dtype=np.int64)
        buses[c.groups], worth_of_buses = seatings.best_buses(prices.buses + unit)
        total += worth_of_buses
        riders[c.group_order] = seatings.seated(buses[c.groups])
        pick = chosen[c.at_workers[c.curve_start + riders]]
        level = p.c_before.copy()
        level[c.firms] = c.level[pick]
        boxes, passes = float(c.boxes[pick].sum()), float(c.passes[pick].sum())
        count = float(buses.sum())
        worth_of_plan = float(worth @ level) - (prices.boxes + unit) * boxes - (prices.passes + unit) * passes
        worth_of_plan -= (prices.buses + unit) * count
        plan = self._plan(chosen, riders, buses, seatings, unit)
        return Relaxed(total, worth_of_plan, boxes, passes, count, level @ self._link_share, float(weighted @ level),
                       plan, prices)

    def _plan(self, chosen: np.ndarray, riders: np.ndarray, buses: np.ndarray, seatings: Seatings,
              unit: float) -> Allocation:
        """The relaxed plan with the bus supply kept: buses go where they are worth most at these
        prices (the groups' own choices may charter more than the store holds, or fewer)."""
        c, supply = self._c, self.problem.scenario.supply.buses
        counts = _bus_choice(seatings.worth_lists(unit), supply)
        riders, buses = riders.copy(), buses.copy()
        if (buses[c.groups] != counts).any():
            buses[c.groups], riders[c.group_order] = counts, seatings.seated(counts)
        pick = chosen[c.at_workers[c.curve_start + riders]]
        return _whole(len(self.problem), c.firms, c.boxes[pick], c.passes[pick], riders, buses)

    def worth(self, prices: Prices) -> np.ndarray:
        """What a unit of each firm's capacity is worth at these prices (output and links)."""
        p = self.problem
        return prices.output * p.weight * p.instance.output_value + self._link_share @ prices.links


def _candidates(problem: Problem, f: Formulation) -> _Candidates:
    inst, sc = problem.instance, problem.scenario
    firms = np.flatnonzero(f.c >= 0)
    upper = np.concatenate(f.col_upper) if f.col_upper else np.zeros(0)

    def most(cols: np.ndarray) -> np.ndarray:
        own = cols[firms]
        return np.where(own >= 0, upper[np.maximum(own, 0)], 0).astype(np.int64)

    most_boxes, most_passes, most_riders = most(f.b), most(f.p), most(f.r)
    E, P = inst.employees[firms].astype(float), inst.on_post[firms].astype(float)
    S, T = inst.masks_in_stock[firms].astype(float), inst.trucks_needed[firms].astype(float)
    q, pack, share = float(sc.rules.masks_per_worker), float(sc.supply.mask_pack), sc.rules.freight_free_share
    low, high = problem.c_before[firms], problem.c_max[firms]
    # k boxes (passes) reach at most the level of step k, k = 0 included: the level free of charge
    ob, kb = _spread(np.where(most_boxes > 0, most_boxes + 1, 0), 0)
    op, kp = _spread(np.where(most_passes > 0, most_passes + 1, 0), 0)
    ow, kw = _spread(most_riders + 1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        worker_level = np.clip((P[ow] + kw) / E[ow], low[ow], high[ow])
        owner = np.concatenate([ob, op, ow, np.arange(len(firms)), np.arange(len(firms))])
        box_level, pass_level = (S[ob] + pack * kb) / (q * E[ob]), share + (1 - share) * kp / T[op]
        level = np.concatenate([box_level, pass_level, worker_level, low, high])
    level = np.clip(level, low[owner], high[owner])
    # one sort key per (firm, level); rounding is monotone, so a level at or below a worker
    # level never sorts after it (a level above by less than the rounding may be counted: the
    # bound can only rise by it)
    key = owner * 4.0 + level
    order = np.argsort(key, kind="stable")
    key, owner, level = key[order], owner[order], level[order]
    boxes, passes, _ = needed_for(problem, level, firms[owner])
    boxes, passes = np.where(most_boxes[owner] > 0, boxes, 0), np.where(most_passes[owner] > 0, passes, 0)
    at_workers = np.searchsorted(key, ow * 4.0 + worker_level, side="right") - 1
    riders = np.flatnonzero(most_riders > 0)
    riders = riders[np.argsort(problem.group[firms][riders], kind="stable")]
    groups = problem.group[firms][riders]
    group_start = np.flatnonzero(np.diff(np.r_[-1, groups]) != 0)
    most_buses = upper[f.y[groups[group_start]]].astype(np.int64)
    return _Candidates(firms, owner, level, boxes, passes, at_workers,
                       np.cumsum(most_riders + 1) - (most_riders + 1), most_riders, riders,
                       np.r_[group_start, len(riders)], groups[group_start], most_buses)


def _whole(size: int, firms: np.ndarray, boxes: np.ndarray, passes: np.ndarray, riders: np.ndarray,
           buses: np.ndarray) -> Allocation:
    """An allocation over all firms from the variable firms' choices."""
    plan = Allocation(*(np.zeros(size, dtype=np.int64) for _ in range(3)), buses)
    plan.boxes[firms], plan.passes[firms], plan.returned[firms] = boxes, passes, riders
    return plan


def _spread(counts: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """For counts (2, 1): owners (0, 0, 1) and steps (first, first + 1, first)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts) + first
    return owner, step.astype(float)


def _running_max(value: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running maximum within each owner's run of a sorted owner array, and where it was reached."""
    if not len(value):
        return value.copy(), np.zeros(0, dtype=np.int64)
    # values as ranks, each run's ranks lifted above the runs before: one accumulate, exact
    order = np.argsort(value, kind="stable")
    rank = np.empty(len(value), dtype=np.int64)
    rank[order] = np.arange(len(value))
    run = np.concatenate(([0], np.cumsum(owner[1:] != owner[:-1])))
    lift = run * len(value)
    running = value[order[np.maximum.accumulate(rank + lift) - lift]]
    # a run's first entry is its own maximum, so positions never leak from the run before
    where = np.maximum.accumulate(np.where(value >= running, np.arange(len(value)), 0))
    return running, where


def _bus_choice(worths: list[np.ndarray], supply: int) -> np.ndarray:
    """Bus counts per group, at most ``supply`` in all, for the most summed worth.

    Greedy over each group's upper concave envelope, best gain per bus first; exact when
    each group's worth is concave in its buses, close otherwise (a block that does not
    fit is skipped with the rest of its group).
    """
    blocks = []  # (gain per bus, group, count reached, buses in the block)
    for group, worth in enumerate(worths):
        count = 0
        while count < len(worth) - 1:
            gains = (worth[count + 1:] - worth[count]) / np.arange(1, len(worth) - count)
            step = int(np.argmax(gains))
            if gains[step] <= 0:
                break
            blocks.append((-gains[step], group, count + step + 1, step + 1))
            count += step + 1
    counts, left = np.zeros(len(worths), dtype=np.int64), supply
    for _, group, reached, size in sorted(blocks):
        if counts[group] == reached - size and size <= left:
            counts[group], left = reached, left - size
    return counts


def _link_shares(problem: Problem):
    """Sparse-free (firms x links) matrix of v_i / V_L, so that share @ link prices is each firm's link worth."""
    v = problem.instance.output_value
    share = np.zeros((len(problem), len(problem.links)))
    for k, link in enumerate(problem.links):
        members = problem.link_members(link)
        share[members, k] = v[members] / v[members].sum()
    return share
