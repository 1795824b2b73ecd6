"""Allocations and their evaluation, independent of any solver.

:func:`evaluate` recomputes every c_i, every chain-link recovery and the three stage
values from the integer decisions alone and lists every violated SPEC constraint.
Every figure the tool reports comes from here, never from a solver's objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.problem import Problem, capacity, capacity_terms, mask_cap, recovery


@dataclass(frozen=True, eq=False)
class Allocation:
    """The decisions: boxes, passes and returned workers per enterprise, buses per group."""

    boxes: np.ndarray
    passes: np.ndarray
    returned: np.ndarray
    buses: np.ndarray  # per bus group of the problem (origin, park)

    @classmethod
    def empty(cls, problem: Problem) -> Allocation:
        n = len(problem)
        return cls(*(np.zeros(n, dtype=np.int64) for _ in range(3)), np.zeros(len(problem.group_keys), dtype=np.int64))


@dataclass(frozen=True)
class BusStop:
    """One enterprise's workers on one bus (a carpool bus has several stops)."""

    bus_id: str
    origin: str
    park: str
    enterprise: int
    workers: int


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Everything recomputed from an allocation."""

    c_before: np.ndarray
    c_after: np.ndarray
    link_before: dict[str, float]
    link_after: dict[str, float]
    min_link: float | None  # stage 1 value; None when stage 1 does not apply
    weighted_output: float  # stage 2 value
    resources_used: int  # stage 3 value
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(problem: Problem, allocation: Allocation) -> Evaluation:
    """Recompute the stage values and check every constraint of the SPEC model."""
    inst = problem.instance
    b, p, r, y = allocation.boxes, allocation.passes, allocation.returned, allocation.buses
    c_after = capacity(problem, b, p, r)
    values = inst.output_value
    link_before = {link: recovery(problem, link, problem.c_before) for link in problem.links}
    link_after = {link: recovery(problem, link, c_after) for link in problem.links}
    return Evaluation(
        c_before=problem.c_before,
        c_after=c_after,
        link_before=link_before,
        link_after=link_after,
        min_link=min(link_after.values()) if problem.stage1_active else None,
        weighted_output=float((problem.weight * values) @ c_after),
        resources_used=int(b.sum() + p.sum() + y.sum()),
        violations=tuple(_violations(problem, allocation)),
    )


def _violations(problem: Problem, allocation: Allocation) -> list[str]:
    inst, sc = problem.instance, problem.scenario
    b, p, r, y = allocation.boxes, allocation.passes, allocation.returned, allocation.buses
    out: list[str] = []

    def rows(mask: np.ndarray) -> str:
        ids = inst.enterprise_id[np.flatnonzero(mask)[:5]].tolist()
        return ", ".join(ids) + (" ..." if mask.sum() > 5 else "")

    for label, arr in (("boxes", b), ("passes", p), ("returned workers", r), ("buses", y)):
        if (arr < 0).any():
            out.append(f"negative {label}")
    if (b[~problem.eligible] > 0).any():
        out.append(f"masks to ineligible enterprises: {rows((b > 0) & ~problem.eligible)}")
    if (p > inst.trucks_needed).any():
        out.append(f"more passes than trucks: {rows(p > inst.trucks_needed)}")
    if (r > inst.workers_away).any():
        out.append(f"more workers returned than away: {rows(r > inst.workers_away)}")
    cap = mask_cap(problem, r)
    if (b > cap).any():
        out.append(f"boxes above the no-waste cap: {rows(b > cap)}")
    for label, used, supply in (
        ("boxes", b.sum(), sc.supply.boxes),
        ("passes", p.sum(), sc.supply.passes),
        ("buses", y.sum(), sc.supply.buses),
    ):
        if used > supply:
            out.append(f"{label} used {used} > supply {supply}")
    if len(y):
        riders = np.bincount(problem.group[r > 0], weights=r[r > 0], minlength=len(y))
        over = riders > sc.supply.bus_seats * y
        for g in np.flatnonzero(over):
            origin, park = problem.group_keys[g]
            out.append(f"{int(riders[g])} workers from {origin} to {park} but only {int(y[g])} buses")
    out.extend(_reserve_violations(problem, b, cap))
    return out


def _reserve_violations(problem: Problem, boxes: np.ndarray, cap: np.ndarray) -> list[str]:
    """Each reserved tier gets its reserve, or every eligible member is at its cap."""
    sc, out = problem.scenario, []
    for tier in sc.tiers:
        reserve = sc.reserve_boxes(tier)
        if reserve <= 0:
            continue
        members = (problem.instance.tier == tier) & problem.eligible
        need = min(reserve, int(cap[members].sum()))
        got = int(boxes[members].sum())
        if got < need:
            out.append(f"tier {tier} reserve: {got} boxes < min(reserve {reserve}, usable {int(cap[members].sum())})")
    return out


def bus_stops(problem: Problem, allocation: Allocation) -> list[BusStop]:
    """Seat the returned workers of each group on its buses, in input order, filling bus by bus.

    One firm's workers may ride several buses; a carpool bus carries several firms.
    Bus ids follow the sorted (origin, park) groups, so the plan is reproducible.
    """
    seats = problem.scenario.supply.bus_seats
    riders = np.flatnonzero(allocation.returned > 0)
    by_group: dict[int, list[int]] = {}
    for i in riders:
        by_group.setdefault(int(problem.group[i]), []).append(int(i))
    stops: list[BusStop] = []
    number = 0
    for g in np.flatnonzero(allocation.buses > 0):
        origin, park = problem.group_keys[g]
        queue = [[i, int(allocation.returned[i])] for i in by_group.get(int(g), [])]
        for _ in range(int(allocation.buses[g])):
            number += 1
            bus_id, free = f"BUS{number:03d}", seats
            while queue and free > 0:
                take = min(free, queue[0][1])
                stops.append(BusStop(bus_id, origin, park, queue[0][0], take))
                free -= take
                queue[0][1] -= take
                if queue[0][1] == 0:
                    queue.pop(0)
            if free == seats:
                stops.append(BusStop(bus_id, origin, park, -1, 0))  # an empty bus is still listed
    return stops


def binding_input(problem: Problem, allocation: Allocation, c_after: np.ndarray) -> np.ndarray:
    """Which input holds an enterprise back after the allocation ('' at full capacity)."""
    terms = capacity_terms(problem, allocation.boxes, allocation.passes, allocation.returned)
    out = np.full(len(problem), "", dtype=object)
    for name in ("freight", "masks", "workers"):  # on a tie the later name wins: workers first
        hit = np.isclose(terms[name], c_after, rtol=0, atol=1e-12) & (c_after < 1)
        out[hit] = name
    return out
