"""Plans and solver columns: reading a solver's point as a plan, and a plan as a full point.

Both directions go through the formulation's index arrays (-1 = no column), so the rest
of the package never sees a column number.
"""

from __future__ import annotations

import numpy as np

from allocator.allocation import Allocation, evaluate
from allocator.model.formulation import Formulation
from allocator.problem import Problem, mask_cap


def read_allocation(problem: Problem, f: Formulation, values: np.ndarray) -> Allocation:
    """Round the solver's integer columns; absent columns are 0."""
    n = len(problem)

    def take(cols: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros(size, dtype=np.int64)
        present = cols >= 0
        out[present] = np.rint(values[cols[present]]).astype(np.int64)
        return out

    return Allocation(take(f.b, n), take(f.p, n), take(f.r, n), take(f.y, len(problem.group_keys)))


def start_vector(problem: Problem, f: Formulation, allocation: Allocation) -> np.ndarray:
    """A full column vector for a verified allocation, consistent with every row and bound of the model.

    Riders beyond a firm's column bound (spare seats filled, see allocator.plans.seating) add
    nothing to its c, so the column takes its bound: a point outside the bounds is no start.
    """
    values = np.zeros(f.num_cols)
    check = evaluate(problem, allocation)
    upper = np.concatenate(f.col_upper) if f.col_upper else np.zeros(0)
    for cols, data in ((f.b, allocation.boxes), (f.p, allocation.passes), (f.r, allocation.returned),
                       (f.y, allocation.buses)):
        present = cols >= 0
        values[cols[present]] = np.minimum(data[present], upper[cols[present]])
    present = f.c >= 0
    values[f.c[present]] = check.c_after[present]
    if f.z >= 0:
        values[f.z] = min(check.link_after.values()) * f.z_scale
    cap = mask_cap(problem, allocation.returned)
    derived = {"gets_boxes": allocation.boxes >= 1, "cap": cap, "cap_on": cap >= 1}
    for kind, (cols, firms) in f.aux.items():
        values[cols] = derived[kind][firms]
    sc = problem.scenario
    for tier, col in f.reserve_switch.items():
        reserve = sc.reserve_boxes(tier)
        members = (problem.instance.tier == tier) & problem.eligible
        values[col] = float(allocation.boxes[members].sum() >= reserve)
    return values


def counting(num_cols: int, cols) -> np.ndarray:
    """An objective that counts ``cols`` (the lowest link z, or the units of stage 3)."""
    costs = np.zeros(num_cols)
    costs[cols] = 1.0
    return costs


def output_costs(f: Formulation) -> np.ndarray:
    """Stage 2's objective: weighted output over the capacity columns (plus f.constant_output)."""
    costs = np.zeros(f.num_cols)
    costs[f.c[f.c >= 0]] = f.value_weight
    return costs


def unit_columns(f: Formulation) -> np.ndarray:
    """Stage 3's units: every box, pass and bus column."""
    return np.concatenate([block[block >= 0] for block in (f.b, f.p, f.y)])


def most_units(problem: Problem, f: Formulation) -> float:
    """The most boxes + passes + buses any plan can hand out (supplies, capped by the bounds)."""
    supply = problem.scenario.supply
    upper = np.concatenate(f.col_upper)
    return float(sum(min(cap, upper[cols[cols >= 0]].sum()) for cols, cap in
                     ((f.b, supply.boxes), (f.p, supply.passes), (f.y, supply.buses))))
