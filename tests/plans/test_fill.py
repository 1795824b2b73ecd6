"""Handing out leftovers: never a broken rule, never a lower capacity, the best use first."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from allocator.plans.fill import fill_leftovers
from allocator.problem import Problem
from allocator.allocation import Allocation, evaluate
from allocator.data.scenario import Scenario
from allocator.stages.driver import solve
from tests.strategies import EXACT, SETTINGS, firms, make_instance, supplies


@SETTINGS
@given(rows=firms(), overrides=supplies, from_stage_one=st.booleans())
def test_filling_keeps_every_rule_and_every_capacity(rows, overrides, from_stage_one):
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    plan = solve(problem, EXACT).allocation if from_stage_one else Allocation.empty(problem)
    before = evaluate(problem, plan)
    assume(before.violations == ())  # the empty plan breaks a tier's reserve
    filled = fill_leftovers(problem, plan)
    after = evaluate(problem, filled)
    sc = problem.scenario
    assert after.violations == ()
    assert (after.c_after >= before.c_after - 1e-12).all()  # so every link, and stage 1, holds
    assert after.weighted_output >= before.weighted_output
    assert filled.boxes.sum() <= sc.supply.boxes and filled.passes.sum() <= sc.supply.passes
    assert np.array_equal(filled.buses, plan.buses)  # it charters nothing


def test_the_best_output_per_box_goes_first_and_seats_are_filled():
    # Two firms, 10 staff, all on post, eligible, no stock: each box of 10 masks covers
    # 10 / 14 of a worker-week, so 14 boxes take a firm to c = 1. A (tier A, weight 3) gains
    # 3 x 10 x 10/140 per box, B (tier C) 1 x 10 x 10/140: with 20 boxes A takes its 14
    # and B the other 6 (c = 60/140). C has 4 of 10 on post, 6 waiting, and one chartered
    # 5-seat bus carrying nobody: 5 ride, the sixth has no seat; C needs no masks (stock).
    rows = [
        dict(employees=10, on_post=10, away=0, origin="O1", park="P1", link="fibre", tier="A", e=0.95, stock=0,
             trucks=0, value=10.0),
        dict(employees=10, on_post=10, away=0, origin="O1", park="P1", link="fibre", tier="C", e=0.95, stock=0,
             trucks=0, value=10.0),
        dict(employees=10, on_post=4, away=6, origin="O1", park="P2", link="fibre", tier="B", e=0.95, stock=1000,
             trucks=0, value=10.0),
    ]
    sc = Scenario.default().with_overrides({"supply.masks": 200, "supply.mask_pack": 10, "supply.buses": 1,
                                            "supply.bus_seats": 5, "rules.chain_balance": False})
    problem = Problem(make_instance(rows), sc)
    plan = Allocation.empty(problem)
    plan = Allocation(plan.boxes, plan.passes, plan.returned, np.ones(len(problem.group_keys), dtype=np.int64))
    filled = fill_leftovers(problem, plan)
    assert filled.boxes.tolist() == [14, 6, 0]
    assert filled.returned.tolist() == [0, 0, 5]
    assert evaluate(problem, filled).c_after.tolist() == [1.0, 60 / 140, 0.9]
