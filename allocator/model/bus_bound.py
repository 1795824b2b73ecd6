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

from allocator.model.formulation import INF, Formulation, add_bus_groups, add_bus_linking_rows, add_link_rows
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
    relaxed.c, relaxed.r = np.full(len(problem), -1, dtype=np.int64), np.full(len(problem), -1, dtype=np.int64)
    relaxed.c[riders], relaxed.r[riders] = c, r
    add_bus_groups(relaxed, riders, problem.group, len(problem.group_keys), supply.buses, supply.bus_seats)  # (C5), (C5')
    add_bus_linking_rows(relaxed, riders, problem.group, supply.bus_seats)
    relaxed.add_sum_row(relaxed.y, 1.0, -INF, supply.buses)  # (C4)
    add_link_rows(relaxed, problem, relaxed.c >= 0, problem.c_max, 0.0)  # (C10), the other firms at their c_max
    return relaxed
