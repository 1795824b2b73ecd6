"""An instance under a scenario: the SPEC's per-enterprise quantities, derived once.

Everything the model, the evaluation and the report need about "what could this
enterprise do with more" lives here: eligibility, capacity before, the no-waste mask
cap, the best capacity it could reach with every resource it can use, chain links and
bus groups.  :func:`capacity` is the one definition of c_i shared by the model's
bounds and by :func:`allocator.allocation.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from allocator.data.instance import Instance
from allocator.data.scenario import Scenario


@dataclass(frozen=True, eq=False)
class Problem:
    """Instance + scenario with the derived arrays (all indexed like the instance)."""

    instance: Instance
    scenario: Scenario
    weight: np.ndarray = field(init=False)
    eligible: np.ndarray = field(init=False)
    c_before: np.ndarray = field(init=False)
    c_max: np.ndarray = field(init=False)
    cap_full: np.ndarray = field(init=False)
    links: tuple[str, ...] = field(init=False)
    skipped_links: tuple[str, ...] = field(init=False)
    group_keys: tuple[tuple[str, str], ...] = field(init=False)
    group: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        inst, sc = self.instance, self.scenario
        tiers = inst.tier
        weight = np.zeros(len(inst))
        threshold = np.zeros(len(inst))
        for name, rule in sc.tiers.items():
            weight[tiers == name] = rule.weight
            threshold[tiers == name] = sc.threshold(name)
        zeros = np.zeros(len(inst), dtype=np.int64)
        _set(self, weight=weight, eligible=inst.electricity_recovery >= threshold)
        _set(self, cap_full=mask_cap(self, inst.workers_away))
        present = set(inst.chain_link.tolist())
        listed = tuple(dict.fromkeys(sc.rules.chain_links))
        keys, group = _bus_groups(inst)
        _set(self, links=tuple(x for x in listed if x in present), skipped_links=tuple(x for x in listed if x not in present))
        _set(self, group_keys=keys, group=group)
        _set(self, c_before=capacity(self, zeros, zeros, zeros))
        _set(self, c_max=capacity(self, self.cap_full, inst.trucks_needed, inst.workers_away))

    def __len__(self) -> int:
        return len(self.instance)

    @property
    def stage1_active(self) -> bool:
        """Stage 1 runs when chain balance is on and a listed link has members."""
        return self.scenario.rules.chain_balance and bool(self.links)

    @property
    def variable(self) -> np.ndarray:
        """Enterprises whose capacity some allocation can change; the rest are constants."""
        return self.c_max > self.c_before

    @property
    def reserve_bound(self) -> np.ndarray:
        """Eligible members of a tier with a mask reserve: their boxes may serve the reserve rule,
        so nothing may take boxes from them or raise their caps behind the reserve's back."""
        sc = self.scenario
        tiers = [t for t in sc.tiers if sc.reserve_boxes(t) > 0]
        return np.isin(self.instance.tier, tiers) & self.eligible

    def link_members(self, link: str) -> np.ndarray:
        """The enterprises of a chain link (read-only; empty for a link no one is in)."""
        return self._members.get(link, np.zeros(0, dtype=np.int64))

    @cached_property
    def _members(self) -> dict[str, np.ndarray]:
        """Every link's members, found once: the price search asks about 30 times a second, and
        comparing 100,000 link names took 2 ms each time (2 s of the province's 18 s search)."""
        names, code = np.unique(self.instance.chain_link, return_inverse=True)
        if not len(names):
            return {}
        order = np.argsort(code, kind="stable")
        members = np.split(order, np.cumsum(np.bincount(code, minlength=len(names)))[:-1])
        for array in members:
            array.setflags(write=False)
        return dict(zip(names.tolist(), members, strict=True))


def whole_at_least(amount: np.ndarray) -> np.ndarray:
    """The smallest whole number >= amount, never below 0, guarded against float noise
    (x.0000000001 must stay x).  An estimate only: :func:`needed_for` checks its counts."""
    return np.ceil(np.maximum(amount, 0) - 1e-9).astype(np.int64)


def needed_for(problem: Problem, level: np.ndarray, firms: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fewest boxes, passes and returned workers with which each firm's masks, freight and
    workers terms reach ``level`` (for ``firms``, all by default): what a capacity costs.

    Exact for the terms as :func:`capacity` computes them: each count k is the least with
    term(k) >= level (to LEVEL_ROUNDING), checked on both sides, so no float slack can add or
    drop a unit (a fixed slack of 1e-9 on (q E level - S) / pack over-counted at large stocks).  0 where a
    term never binds (no masks counted, no trucks, all freight free).  Shared by the model's
    bounds, the surplus and leftover passes and the priced bound's candidate levels.
    """
    inst, sc = problem.instance, problem.scenario
    pick = slice(None) if firms is None else firms
    E, P = inst.employees[pick].astype(float), inst.on_post[pick].astype(float)
    S, T = inst.masks_in_stock[pick].astype(float), inst.trucks_needed[pick].astype(float)
    q, pack, share = float(sc.rules.masks_per_worker), float(sc.supply.mask_pack), sc.rules.freight_free_share
    level = np.broadcast_to(np.asarray(level, dtype=float), np.broadcast(E, np.asarray(level)).shape)
    nothing = np.zeros(level.shape, dtype=np.int64)
    if q > 0:
        boxes = _fewest(lambda k: (S + pack * k) / (q * E), whole_at_least((q * E * level - S) / pack), level)
    else:
        boxes = nothing
    if share < 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            freight = lambda k: np.where(T > 0, share + (1 - share) * k / np.maximum(T, 1), 1.0)  # noqa: E731
        passes = _fewest(freight, whole_at_least(T * (level - share) / (1 - share)), level)
    else:
        passes = nothing
    return boxes, passes, _fewest(lambda k: (P + k) / E, whole_at_least(E * level - P), level)


#: Two computations of the same share can differ in their last bit (5/6 as (P + A) / E is
#: 0.8333333333333334, as 0.5 + 0.5 x 2/3 it is 0.8333333333333333): a term within this of a
#: level reaches it.  One unit moves a term by 1/E, pack/(q E) or (1 - share)/T, far more.
LEVEL_ROUNDING = 1e-12


def _fewest(term, estimate: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The least k >= 0 with term(k) >= level (up to rounding), from an estimate.

    The estimate is nearly always exact or one unit off, and then two evaluations settle it.
    Where one unit moves a term by less than LEVEL_ROUNDING (10^7 employees at a million masks
    a day each, a pack of one), many counts round to the level: a bracket that widens by
    doubling, then bisection, finds the least of them.  Every term grows with k without end
    except freight without trucks, which is 1 from k = 0, so a level of at most 1 is reached."""
    level = level - LEVEL_ROUNDING
    reached = lambda k: term(k) >= level  # noqa: E731
    high = np.maximum(np.asarray(estimate, dtype=np.int64), 0)
    for step in 2 ** np.arange(62, dtype=np.int64):
        short = ~reached(high)
        if not short.any():
            break
        high = high + short * step
    else:
        raise ValueError("needed_for: a level no count reaches")
    low = high - 1  # the greatest count known to fall short (-1: none below 0)
    for step in 2 ** np.arange(62, dtype=np.int64):
        still = (low >= 0) & reached(np.maximum(low, 0))
        if not still.any():
            break
        high = np.where(still, low, high)
        low = np.where(still, low - step, low)
    low = np.maximum(low, -1)
    while (gap := high - low > 1).any():
        middle = np.where(gap, (low + high) // 2, high)
        ok = reached(np.maximum(middle, 0))
        high = np.where(gap & ok, middle, high)
        low = np.where(gap & ~ok, middle, low)
    return high


def recovery(problem: Problem, link: str, level: np.ndarray) -> float:
    """R_L: the link's members' capacity ``level``, weighted by output value (SPEC)."""
    members, values = problem.link_members(link), problem.instance.output_value
    return float(values[members] @ level[members] / values[members].sum())


def mask_cap(problem: Problem, returned: np.ndarray) -> np.ndarray:
    """No-waste cap on boxes: max(0, ceil((q(P + r) - S) / pack)); 0 for ineligible firms.

    Exact integer arithmetic (q, P, r, S and pack are integers), so no rounding surprises.
    """
    inst, sc = problem.instance, problem.scenario
    q, pack = sc.rules.masks_per_worker, sc.supply.mask_pack
    need = q * (inst.on_post + np.asarray(returned, dtype=np.int64)) - inst.masks_in_stock
    cap = np.maximum(0, -(-need // pack))
    return np.where(problem.eligible, cap, 0)


def capacity(problem: Problem, boxes: np.ndarray, passes: np.ndarray, returned: np.ndarray) -> np.ndarray:
    """c_i = min(1, workers term, masks term, freight term), straight from the SPEC."""
    inst, sc = problem.instance, problem.scenario
    q, pack, share = sc.rules.masks_per_worker, sc.supply.mask_pack, sc.rules.freight_free_share
    employees = inst.employees.astype(float)
    terms = [np.ones(len(inst)), (inst.on_post + returned) / employees]
    if q > 0:
        terms.append((inst.masks_in_stock + pack * np.asarray(boxes)) / (q * employees))
    trucks = inst.trucks_needed
    with np.errstate(divide="ignore", invalid="ignore"):
        freight = np.where(trucks > 0, share + (1 - share) * np.asarray(passes) / np.maximum(trucks, 1), 1.0)
    terms.append(freight)
    return np.minimum.reduce(terms)


def capacity_terms(problem: Problem, boxes: np.ndarray, passes: np.ndarray, returned: np.ndarray) -> dict[str, np.ndarray]:
    """The three inputs separately, to say which one binds."""
    inst, sc = problem.instance, problem.scenario
    q, pack, share = sc.rules.masks_per_worker, sc.supply.mask_pack, sc.rules.freight_free_share
    employees = inst.employees.astype(float)
    masks = (inst.masks_in_stock + pack * boxes) / (q * employees) if q > 0 else np.full(len(inst), np.inf)
    freight = np.where(inst.trucks_needed > 0, share + (1 - share) * passes / np.maximum(inst.trucks_needed, 1), np.inf)
    return {"workers": (inst.on_post + returned) / employees, "masks": masks, "freight": freight}


def _bus_groups(inst: Instance) -> tuple[tuple[tuple[str, str], ...], np.ndarray]:
    """Bus groups (origin, park), sorted by name; -1 for firms with nobody waiting."""
    waiting = inst.workers_away > 0
    keys = sorted(set(zip(inst.origin[waiting].tolist(), inst.park[waiting].tolist())))
    lookup = {key: g for g, key in enumerate(keys)}
    group = np.full(len(inst), -1, dtype=np.int64)
    idx = np.flatnonzero(waiting)
    group[idx] = [lookup[key] for key in zip(inst.origin[idx].tolist(), inst.park[idx].tolist())]
    return tuple(keys), group


def _set(obj: object, **values: object) -> None:
    for key, value in values.items():
        object.__setattr__(obj, key, value)
