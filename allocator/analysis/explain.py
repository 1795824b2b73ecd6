"""Why did my enterprise get what it got: reasons, and counterfactuals found by re-solving.

A counterfactual changes one thing (the enterprise's electricity recovery up to its
threshold, its tier one step up, or the supply of what it lacks), solves the whole
model again and reports what the enterprise would then receive.  Extra supply is
searched by doubling, then bisection; every amount reported was actually solved.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from allocator import progress
from allocator.data.instance import Enterprise
from allocator.problem import Problem, capacity, mask_cap
from allocator.analysis.reasons import reasons
from allocator.allocation import Allocation, binding_input, bus_stops
from allocator.options import SolveOptions
from allocator.result import Result
from allocator.stages.driver import solve

MAX_DOUBLINGS = 10
RESOURCES = ("masks", "passes", "buses")  # in the order of Counterfactual.gets


@dataclass(frozen=True)
class Counterfactual:
    kind: str  # threshold | tier | masks | passes | buses
    change: float | str  # the threshold, the tier, or the extra supply (masks, passes, buses)
    works: bool
    gets: tuple[int, int, int]  # boxes, passes, returned workers in that re-solve
    not_enough: int = 0  # extra supply, when the search stopped short of exact: the largest amount that failed


@dataclass(frozen=True)
class Explanation:
    enterprise: Enterprise
    eligible: bool
    threshold: float
    boxes: int
    masks: int
    passes: int
    returned: int
    bus_ids: tuple[str, ...]
    c_before: float
    c_after: float
    c_best: float
    binding: str
    reason: str
    lacks: tuple[str, ...]  # masks / passes / buses: more of it would raise c_after
    counterfactuals: tuple[Counterfactual, ...] = field(default_factory=tuple)


def explain(problem: Problem, enterprise_id: str, options: SolveOptions | None = None,
            result: Result | None = None, search: bool = True) -> Explanation:
    """Explain one enterprise's allocation; KeyError if the id is not in the instance."""
    options = options or SolveOptions()
    i = problem.instance.index_of(enterprise_id)
    if result is None:
        progress.emit("note", text="live_explain_plan|")
        result = solve(problem, options)
    alloc, ev = result.allocation, result.evaluation
    lacks = _lacks(problem, alloc, i)
    found = tuple(_counterfactuals(problem, alloc, i, lacks, options)) if search else ()
    tier = str(problem.instance.tier[i])
    return Explanation(
        enterprise=problem.instance.enterprise(i),
        eligible=bool(problem.eligible[i]),
        threshold=problem.scenario.threshold(tier),
        boxes=int(alloc.boxes[i]),
        masks=int(alloc.boxes[i]) * problem.scenario.supply.mask_pack,
        passes=int(alloc.passes[i]),
        returned=int(alloc.returned[i]),
        bus_ids=tuple(dict.fromkeys(s.bus_id for s in bus_stops(problem, alloc) if s.enterprise == i)),
        c_before=float(problem.c_before[i]),
        c_after=float(ev.c_after[i]),
        c_best=float(problem.c_max[i]),
        binding=str(binding_input(problem, alloc, ev.c_after)[i]),
        reason=str(reasons(problem, alloc)[i]),
        lacks=lacks,
        counterfactuals=found,
    )


def _lacks(problem: Problem, alloc: Allocation, i: int) -> tuple[str, ...]:
    """Inputs of which more, alone, would raise this enterprise's capacity now."""
    inst = problem.instance
    now = capacity(problem, alloc.boxes, alloc.passes, alloc.returned)[i]
    out = []
    more_boxes = alloc.boxes.copy()
    if problem.eligible[i]:
        more_boxes[i] = mask_cap(problem, alloc.returned)[i]
    else:  # what masks would do if it were eligible
        q, pack = problem.scenario.rules.masks_per_worker, problem.scenario.supply.mask_pack
        more_boxes[i] = max(0, -(-(q * (int(inst.on_post[i]) + int(alloc.returned[i])) - int(inst.masks_in_stock[i])) // pack))
    trials = {
        "masks": (more_boxes, alloc.passes, alloc.returned),
        "passes": (alloc.boxes, _with(alloc.passes, i, inst.trucks_needed[i]), alloc.returned),
        "buses": (alloc.boxes, alloc.passes, _with(alloc.returned, i, inst.workers_away[i])),
    }
    for name, (b, p, r) in trials.items():
        if capacity(problem, b, p, r)[i] > now + 1e-12:
            out.append(name)
    return tuple(out)


def _with(values: np.ndarray, i: int, value: int) -> np.ndarray:
    out = values.copy()
    out[i] = value
    return out


def _gets(result: Result, i: int) -> tuple[int, int, int]:
    a = result.allocation
    return int(a.boxes[i]), int(a.passes[i]), int(a.returned[i])


def _counterfactuals(problem: Problem, alloc: Allocation, i: int, lacks: tuple[str, ...], options: SolveOptions):
    """Only for inputs it lacks and did not receive: what single change would bring them?"""
    inst = problem.instance
    received = {"masks": alloc.boxes[i] > 0, "passes": alloc.passes[i] > 0, "buses": alloc.returned[i] > 0}
    missing = [x for x in lacks if not received[x]]
    if not missing:
        return
    if "masks" in missing and not problem.eligible[i]:
        threshold = problem.scenario.threshold(str(inst.tier[i]))
        progress.emit("note", text=f"live_cf_threshold|{threshold:.1%}")
        changed = _solve_changed(problem, options, i, electricity_recovery=threshold)
        yield Counterfactual("threshold", threshold, _gets(changed, i)[0] > 0, _gets(changed, i))
    tier = str(inst.tier[i])
    if tier != "A":
        higher = {"C": "B", "B": "A"}[tier]
        progress.emit("note", text=f"live_cf_tier|{higher}")
        changed = _solve_changed(problem, options, i, tier=higher)
        yield Counterfactual("tier", higher, any(_gets(changed, i)), _gets(changed, i))
    for resource in missing:
        if resource == "masks" and not problem.eligible[i]:
            continue  # more masks cannot reach an ineligible firm
        yield _extra_supply(problem, options, i, resource)


def _solve_changed(problem: Problem, options: SolveOptions, i: int, **changes: object) -> Result:
    """Re-solve with one enterprise's data changed (the instance is copied, never mutated)."""
    inst = problem.instance
    columns = {}
    for name, value in changes.items():
        column = getattr(inst, name).copy()
        column[i] = value
        columns[name] = column
    changed = dataclasses.replace(inst, **columns)
    return solve(Problem(changed, problem.scenario), options)


def _extra_supply(problem: Problem, options: SolveOptions, i: int, resource: str) -> Counterfactual:
    """The smallest extra supply at which the firm receives some: doubling, then bisection.

    Bisection stops within an eighth of the amount (exact for small amounts); the largest
    amount that was solved and did not reach the firm is reported with it.
    """
    sc = problem.scenario
    key = f"supply.{resource}"
    current = getattr(sc.supply, resource)
    step = sc.supply.mask_pack if resource == "masks" else 1  # masks leave the store in whole boxes
    position = RESOURCES.index(resource)

    def attempt(extra_units: int) -> tuple[bool, tuple[int, int, int]]:
        progress.emit("note", text=f"live_cf_{resource}|{extra_units * step:,}")
        scenario = sc.with_overrides({key: current + extra_units * step})
        gets = _gets(solve(Problem(problem.instance, scenario), options), i)
        return gets[position] > 0, gets

    low, high, best = 0, 1, None
    for _ in range(MAX_DOUBLINGS):
        works, gets = attempt(high)
        if works:
            best = (high, gets)
            break
        low, high = high, high * 2
    if best is None:
        return Counterfactual(resource, low * step, False, (0, 0, 0))
    while high - low > max(1, high // 8):
        middle = (low + high) // 2
        works, gets = attempt(middle)
        if works:
            high, best = middle, (middle, gets)
        else:
            low = middle
    exact = high - low == 1
    return Counterfactual(resource, best[0] * step, True, best[1], 0 if exact else low * step)
