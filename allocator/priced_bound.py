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

from dataclasses import dataclass, replace

import numpy as np

from allocator.model import Formulation
from allocator.problem import Problem


@dataclass(frozen=True)
class Prices:
    """What one more unit of each supply, or of each link's or the output's hold, is worth."""

    boxes: float
    passes: float
    buses: float
    links: np.ndarray  # one per listed link, in Problem.links order
    output: float = 1.0  # stage 3's price of output (stage 2 counts output at 1)


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
    most_buses: np.ndarray  # per group in that order: the model's bound on its buses (<= the supply)


class PricedBound:
    """Built once per model; :meth:`best` is then about a second at 100,000 firms."""

    def __init__(self, problem: Problem, formulation: Formulation):
        self.problem = problem
        self._c = _candidates(problem, formulation)
        self._link_share = _link_shares(problem)

    def output_bound(self, prices: Prices, lowest_link: float | None) -> float:
        """Stage 2: no plan holding every listed link at ``lowest_link`` has more weighted output."""
        supply = self.problem.scenario.supply
        hold = 0.0 if lowest_link is None else lowest_link * float(prices.links.sum())
        return (self.best(replace(prices, output=1.0)) + prices.boxes * supply.boxes + prices.passes * supply.passes
                + prices.buses * supply.buses - hold)

    def units_bound(self, prices: Prices, output_floor: float, lowest_link: float | None) -> float:
        """Stage 3: no plan holding ``output_floor`` and the links uses fewer boxes + passes + buses."""
        supply = self.problem.scenario.supply
        hold = 0.0 if lowest_link is None else lowest_link * float(prices.links.sum())
        rest = prices.boxes * supply.boxes + prices.passes * supply.passes + prices.buses * supply.buses
        return prices.output * output_floor + hold - rest - self.best(prices, unit=1.0)

    def best(self, prices: Prices, unit: float = 0.0) -> float:
        """max over plans of output * weighted output + links * recoveries - (price + unit) * units, supplies free."""
        p, c = self.problem, self._c
        worth = prices.output * p.weight * p.instance.output_value + self._link_share @ prices.links
        constants = np.ones(len(p), dtype=bool)
        constants[c.firms] = False
        total = float(worth[constants] @ p.c_before[constants])
        value = (worth[c.firms][c.owner] * c.level - (prices.boxes + unit) * c.boxes
                 - (prices.passes + unit) * c.passes)
        curves = _running_max(value, c.owner)[c.at_workers]
        alone = c.most_riders == 0
        total += float(curves[c.curve_start[alone]].sum())
        seats = p.scenario.supply.bus_seats
        for start, end, buses in zip(c.group_start[:-1], c.group_start[1:], c.most_buses):
            members = c.group_order[start:end]
            total += _group_best(curves, c.curve_start[members], c.most_riders[members], seats, buses,
                                 prices.buses + unit)
        return total


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
        level = np.concatenate([(S[ob] + pack * kb) / (q * E[ob]), share + (1 - share) * kp / T[op], worker_level, low, high])
    level = np.clip(level, low[owner], high[owner])
    # one sort key per (firm, level); rounding is monotone, so a level at or below a worker
    # level never sorts after it (a level above by less than the rounding may be counted: the
    # bound can only rise by it)
    key = owner * 4.0 + level
    order = np.argsort(key, kind="stable")
    key, owner, level = key[order], owner[order], level[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        boxes = np.where(most_boxes[owner] > 0, np.ceil(np.maximum(0, (q * E[owner] * level - S[owner]) / pack) - 1e-9), 0)
        passes = np.where(most_passes[owner] > 0,
                          np.ceil(np.maximum(0, T[owner] * (level - share) / (1 - share)) - 1e-9), 0)
    at_workers = np.searchsorted(key, ow * 4.0 + worker_level, side="right") - 1
    riders = np.flatnonzero(most_riders > 0)
    riders = riders[np.argsort(problem.group[firms][riders], kind="stable")]
    groups = problem.group[firms][riders]
    group_start = np.flatnonzero(np.diff(np.r_[-1, groups]) != 0)
    most_buses = upper[f.y[groups[group_start]]].astype(np.int64)
    return _Candidates(firms, owner, level, np.maximum(boxes, 0), np.maximum(passes, 0), at_workers,
                       np.cumsum(most_riders + 1) - (most_riders + 1), most_riders, riders,
                       np.r_[group_start, len(riders)], most_buses)


def _spread(counts: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """For counts (2, 1): owners (0, 0, 1) and steps (first, first + 1, first)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts) + first
    return owner, step.astype(float)


def _running_max(value: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Running maximum within each owner's run of a sorted owner array."""
    import pandas as pd

    return pd.Series(value).groupby(owner, sort=False).cummax().to_numpy()


def _group_best(curves: np.ndarray, starts: np.ndarray, riders: np.ndarray, seats: int, most_buses: int,
                bus_price: float) -> float:
    """A bus group's best: its firms' curves combined over seats (max-plus), then the best bus count."""
    best = curves[starts[0]: starts[0] + riders[0] + 1]
    for start, count in zip(starts[1:], riders[1:]):
        other = curves[start: start + count + 1]
        if len(other) > len(best):
            best, other = other, best
        combined = np.full(len(best) + len(other) - 1, -np.inf)
        for r, value in enumerate(other):
            np.maximum(combined[r: r + len(best)], best + value, out=combined[r: r + len(best)])
        best = combined
    best = np.maximum.accumulate(best)
    most = len(best) - 1
    buses = np.arange(min(-(-most // seats), most_buses) + 1)
    return float(np.max(best[np.minimum(buses * seats, most)] - bus_price * buses))


def _link_shares(problem: Problem):
    """Sparse-free (firms x links) matrix of v_i / V_L, so that share @ link prices is each firm's link worth."""
    v = problem.instance.output_value
    share = np.zeros((len(problem), len(problem.links)))
    for k, link in enumerate(problem.links):
        members = problem.link_members(link)
        share[members, k] = v[members] / v[members].sum()
    return share
