"""Stage 2 with a price on units proves stage 3 in the same search (see stage2_priced)."""

from __future__ import annotations

from contextlib import contextmanager

from hypothesis import given

import allocator.solve as solve_module
from allocator.pipeline import load_problem
from allocator.problem import Problem
from allocator.scenario import Scenario
from allocator.solve import Status, solve
from tests.conftest import DATA, EXACT
from tests.test_properties import SETTINGS, firms, make_instance, supplies

PROVEN_BY_PRICE = "proven by stage 2's priced search"


@contextmanager
def unit_price(price: float):
    saved, solve_module.UNIT_PRICE = solve_module.UNIT_PRICE, price
    try:
        yield
    finally:
        solve_module.UNIT_PRICE = saved


def test_carpool_stage_three_is_proven_by_the_priced_search():
    # carpool.toml: the optimum is the O -> K carpool, 53 of output with 1 bus.  With a
    # price p = 3e-6 * 53 per bus, a plan without a bus reaches at most L + 0 * p, far
    # below 53 (1 - 1e-6): stage 3 needs no search of its own.
    result = solve(load_problem(DATA / "carpool.csv", DATA / "carpool.toml", None), EXACT)
    assert result.stages[1].value == 53.0
    assert result.stages[2].status is Status.OPTIMAL
    assert result.stages[2].value == 1 and result.stages[2].note == PROVEN_BY_PRICE


def test_unused_supply_falls_back_to_the_plain_stages():
    # unused_pass.toml: the bounds allow 7 units, the optimum uses 6, so the priced bound
    # L + 7 p is p loose, far above the 1e-9 gap asked: stages 2 and 3 search on their own.
    result = solve(load_problem(DATA / "unused_pass.csv", DATA / "unused_pass.toml", None), EXACT)
    assert result.stages[1].value == 20.0 and result.stages[1].status is Status.OPTIMAL
    assert result.stages[2].value == 6
    assert result.stages[2].status is Status.OPTIMAL and result.stages[2].note != PROVEN_BY_PRICE


@SETTINGS
@given(rows=firms(), overrides=supplies)
def test_the_price_proof_agrees_with_stage_three_searched_on_its_own(rows, overrides):
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    priced = solve(problem, EXACT)
    with unit_price(0.0):  # no price: the proof never holds, stage 3 searches
        plain = solve(problem, EXACT)
    assert plain.stages[2].note != PROVEN_BY_PRICE
    assert priced.stages[2].status is plain.stages[2].status is Status.OPTIMAL
    assert abs(priced.stages[1].value - plain.stages[1].value) <= 1e-7 * max(1.0, plain.stages[1].value)
    assert priced.stages[1].bound >= plain.stages[1].value - 1e-6 * max(1.0, plain.stages[1].value)
    assert priced.stages[2].value == plain.stages[2].value
