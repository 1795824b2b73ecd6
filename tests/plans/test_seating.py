"""Spare seats: each group's empty seats go to its own waiting firms, in input order."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from allocator.allocation import Allocation
from allocator.data.scenario import Scenario
from allocator.plans.seating import fill_spare_seats
from allocator.problem import Problem
from tests.strategies import SETTINGS, firms, make_instance, supplies


def seated_one_group_at_a_time(problem: Problem, plan: Allocation) -> np.ndarray:
    """The rule read plainly, group by group and firm by firm (the oracle)."""
    returned = plan.returned.copy()
    seats = problem.scenario.supply.bus_seats
    for g in range(len(problem.group_keys)):
        spare = seats * int(plan.buses[g]) - int(plan.returned[problem.group == g].sum())
        for i in range(len(returned)):
            if problem.group[i] == g and not problem.reserve_bound[i] and spare > 0:
                take = min(spare, int(problem.instance.workers_away[i] - returned[i]))
                returned[i] += take
                spare -= take
    return returned


@SETTINGS
@given(rows=firms(), overrides=supplies, data=st.data())
def test_spare_seats_go_to_the_groups_own_waiting_firms_in_input_order(rows, overrides, data):
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    away = problem.instance.workers_away
    returned = np.array([data.draw(st.integers(0, int(a))) for a in away], dtype=np.int64)
    buses = np.array([data.draw(st.integers(0, 3)) for _ in problem.group_keys], dtype=np.int64)
    empty = Allocation.empty(problem)
    plan = Allocation(empty.boxes, empty.passes, returned, buses)
    filled = fill_spare_seats(problem, plan)
    assert np.array_equal(filled.returned, seated_one_group_at_a_time(problem, plan))
    assert (filled.returned <= away).all() and (filled.returned >= returned).all()
    if np.array_equal(filled.returned, returned):
        assert filled is plan
