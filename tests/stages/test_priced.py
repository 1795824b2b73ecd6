"""Stage 2 with a price on units proves stage 3 in the same search (see stage2_priced)."""

from __future__ import annotations

from contextlib import contextmanager

from hypothesis import given

import allocator.stages.unit_price as stages_module
from allocator.data.loading import load_problem
from allocator.problem import Problem
from allocator.data.scenario import Scenario
from allocator.stages.claims import Status
from allocator.stages.driver import solve
from tests.conftest import DATA, EXACT
from tests.strategies import SETTINGS, firms, make_instance, supplies

PROVEN_BY_PRICE = "proven in stage 2"


@contextmanager
def unit_price(price: float):
    saved, stages_module.UNIT_PRICE = stages_module.UNIT_PRICE, price
    try:
        yield
    finally:
        stages_module.UNIT_PRICE = saved


def test_keqiao_stage_three_is_proven_by_the_priced_search(keqiao_result):
    # Keqiao uses every box, pass and bus; the price is 5e-6 of the LP bound (about 0.61 of
    # weighted output per unit), far above HiGHS's resolution (1e-5 x the heaviest firm, 0.03).
    stage = keqiao_result.stages[2]
    assert stage.note == PROVEN_BY_PRICE and stage.status is Status.OPTIMAL
    assert stage.value == keqiao_result.evaluation.resources_used == 7754
    assert keqiao_result.stages[1].status in (Status.OPTIMAL, Status.WITHIN_GAP)


def test_a_price_below_the_solvers_resolution_proves_nothing():
    # One firm whose masks term (1 mask in stock, none to hand out) caps c at 1/154 whatever
    # else it gets, and one bus: the bus adds nothing, so stage 3's optimum is 0 units.  The
    # price, 5e-6 of an output of 0.0195, is 1e-7 per unit, below what HiGHS resolves: it
    # kept the bus and its bound said so, which once "proved" 1 unit optimal.
    rows = [dict(employees=11, on_post=1, away=1, origin="O1", park="P1", link="fibre", tier="A", e=0.8,
                 stock=1, trucks=0, value=1.0)]
    overrides = {"supply.masks": 0, "supply.buses": 1, "supply.bus_seats": 5, "rules.chain_balance": False}
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    result = solve(problem, EXACT)
    assert result.stages[2].value == 0 and result.stages[2].status is Status.OPTIMAL
    assert result.stages[2].note != PROVEN_BY_PRICE


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
