"""Invariants over random tiny instances (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.data.instance import Instance
from allocator.problem import Problem
from allocator.allocation import evaluate
from allocator.data.scenario import Scenario
from allocator.stages.claims import Status
from allocator.stages.driver import solve
from tests.strategies import EXACT, SETTINGS, firms, make_instance, supplies

@SETTINGS
@given(rows=firms(), overrides=supplies)
def test_plans_respect_supplies_eligibility_and_every_rule(rows, overrides):
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    result = solve(problem, EXACT)
    alloc, sc = result.allocation, problem.scenario
    assert result.evaluation.violations == ()
    assert alloc.boxes.sum() <= sc.supply.boxes
    assert alloc.passes.sum() <= sc.supply.passes
    assert alloc.buses.sum() <= sc.supply.buses
    assert (alloc.boxes[~problem.eligible] == 0).all()
    assert (result.evaluation.c_after >= problem.c_before - 1e-12).all()
    assert all(s.status in (Status.OPTIMAL, Status.SKIPPED) for s in result.stages)
    # the reported stage values are what the allocation gives, not what the solver said
    again = evaluate(problem, alloc)
    assert result.stages[1].value <= again.weighted_output * (1 + 1e-6) + 1e-9
    assert result.stages[2].value == again.resources_used


@SETTINGS
@given(rows=firms(), overrides=supplies, extra=st.sampled_from(["supply.masks", "supply.passes", "supply.buses"]))
def test_more_supply_never_lowers_weighted_output_without_chain_balance(rows, overrides, extra):
    overrides = dict(overrides, **{"rules.chain_balance": False, "tiers.C.mask_reserve": 0.0})
    base = Scenario.default().with_overrides(overrides)
    more = base.with_overrides({extra: overrides[extra] + (100 if extra == "supply.masks" else 1)})
    instance = make_instance(rows)
    low = solve(Problem(instance, base), EXACT).stages[1]
    high = solve(Problem(instance, more), EXACT).stages[1]
    assert high.value >= low.value - 1e-7 * max(1.0, low.value)
