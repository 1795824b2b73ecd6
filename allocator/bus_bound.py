"""A stronger stage-1 bound for large models: the bus choice kept integer, the rest relaxed.

At 100,000 firms the LP bound of stage 1 sits about 2e-3 above the best plan, and the
slack is the bus choice: in Keqiao's stage-1 LP only the buses bind (60 of 60, while
3,409 of 7,600 boxes and 13 of 94 passes are left) and 25 bus groups take fractional
buses.  This relaxation drops what does not bind — the box and pass supplies, the
no-waste rule, tier reserves and the integrality of everything but the buses — so that
every firm without returning workers sits at its c_max (a constant) and every firm with
them at min(c_max, (P + r) / E).  What is left is small (riders of listed links and their
bus groups: 70k columns at 100,000 firms against 180k) and HiGHS's root cuts on the
integer buses close most of the LP's slack (province: 2.1e-3 -> 9e-4 in about 10 s).

Every plan of the SPEC model is a plan of this relaxation with the same lowest link, so
its proven bound bounds stage 1.
"""

from __future__ import annotations

import numpy as np

from allocator.model import INF, Formulation
from allocator.problem import Problem


def bus_relaxation(problem: Problem, formulation: Formulation) -> Formulation | None:
    """Stage 1 with only the buses integer; column ``z`` is the lowest link.  None without buses."""
    inst, supply = problem.instance, problem.scenario.supply
    listed = np.zeros(len(problem), dtype=bool)
    for link in problem.links:
        listed[problem.link_members(link)] = True
    riders = np.flatnonzero((formulation.r >= 0) & listed)
    if len(riders) == 0 or not problem.stage1_active:
        return None
    relaxed = Formulation()
    employees, on_post = inst.employees[riders].astype(float), inst.on_post[riders].astype(float)
    most_riders = np.concatenate(formulation.col_upper)[formulation.r[riders]]
    c = relaxed.add_cols(problem.c_before[riders], problem.c_max[riders], integer=False)
    r = relaxed.add_cols(np.zeros(len(riders)), most_riders, integer=False)
    relaxed.add_rows([(c, 1.0), (r, -1.0 / employees)], -INF, on_post / employees, len(riders))  # (C8) workers
    _buses(relaxed, problem.group[riders], r, most_riders, float(supply.bus_seats), supply.buses)
    relaxed.z = int(relaxed.add_cols(np.zeros(1), np.ones(1), integer=False)[0])
    position = np.full(len(problem), -1, dtype=np.int64)
    position[riders] = np.arange(len(riders))
    for link in problem.links:  # (C10), the other firms of the link at their c_max
        members = problem.link_members(link)
        weight = inst.output_value[members] / inst.output_value[members].sum()
        moving = position[members] >= 0
        fixed = float(weight[~moving] @ problem.c_max[members[~moving]])
        relaxed.add_sum_row(np.append(c[position[members[moving]]], relaxed.z), np.append(weight[moving], -1.0), -fixed, INF)
    return relaxed


def _buses(f: Formulation, groups: np.ndarray, r: np.ndarray, most_riders: np.ndarray, seats: float, buses: int) -> None:
    """(C4), (C5), (C5') and the strong linking rows, as in :mod:`allocator.model`."""
    keys, member_of = np.unique(groups, return_inverse=True)
    useful = np.bincount(member_of, weights=most_riders, minlength=len(keys))
    most = np.minimum(buses, np.ceil(useful / seats - 1e-9))
    y = f.add_cols(np.zeros(len(keys)), most, integer=True)
    seat_rows = f.add_rows([(y, -seats)], -INF, 0.0, len(keys))
    f._entries(seat_rows[member_of], r, np.ones(len(r)))
    last = useful - seats * (most - 1)
    part_full = (last < seats - 1e-9) & (useful <= seats * most + 1e-9)  # groups the supply caps are full
    envelope = np.full(len(keys), -1, dtype=np.int64)
    envelope[part_full] = f.add_rows([(y[part_full], -last[part_full])], -INF,
                                     (most[part_full] - 1) * (seats - last[part_full]), int(part_full.sum()))
    on = envelope[member_of] >= 0
    f._entries(envelope[member_of][on], r[on], np.ones(int(on.sum())))
    f.add_rows([(r, 1.0), (y[member_of], -np.minimum(most_riders, seats))], -INF, 0.0, len(r))
    f.add_sum_row(y, 1.0, -INF, buses)
