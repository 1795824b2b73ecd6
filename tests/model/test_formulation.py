"""Rows of the formulation that only tighten the LP: each one's effect, derived by hand."""

from __future__ import annotations

import numpy as np

from allocator.backends.highs import HighsModel
from allocator.model.formulation import build
from allocator.data.loading import load_problem
from allocator.problem import Problem, needed_for
from allocator.data.scenario import Scenario
from tests.conftest import DATA, write_rows
from tests.strategies import make_instance


def test_last_bus_of_a_group_is_charged_part_full(tmp_path):
    # One (origin, park) group: X and Y each have 30 useful riders (E = 60, P = 30, no masks
    # rule), so W = 60 riders need K = 2 buses of 50 seats, the second holding rho = 10.
    # (C5') sum r <= 50 (K - 1) + rho (y - K + 1) = 40 + 10 y.  With the LP's y fixed at 1.2,
    # (C5) alone allows 50 * 1.2 = 60 riders; with (C5') only 40 + 12 = 52.
    rows = [dict(enterprise_id=i, park="K", chain_link="weaving", tier="B", employees=60, on_post=30,
                 workers_away=30, origin="O", electricity_recovery=0.9) for i in ("X", "Y")]
    path = write_rows(tmp_path / "group.csv", rows)
    scenario = tmp_path / "s.toml"
    scenario.write_text("[supply]\nbuses = 2\nbus_seats = 50\n[rules]\nmasks_per_worker_day = 0\n"
                        "chain_balance = false\n", encoding="utf-8")
    formulation = build(load_problem(path, scenario, None))
    upper = np.concatenate(formulation.col_upper)
    assert upper[formulation.y[0]] == 2 and upper[formulation.r].tolist() == [30, 30]
    model = HighsModel(formulation)
    model._h.changeColBounds(int(formulation.y[0]), 1.2, 1.2)
    riders = np.zeros(formulation.num_cols)
    riders[formulation.r] = 1.0
    model.set_objective(riders, 0.0, maximize=True)
    relaxed = model.relaxation(time_limit=10)
    assert relaxed.outcome == "optimal" and abs(relaxed.objective - 52.0) < 1e-6


def test_what_a_capacity_costs():
    # E = 10, 4 on post, 30 masks, 4 trucks; q = 14, boxes of 10, half the freight free.
    # Reaching c = 0.8 takes 0.8 x 140 = 112 masks, 82 more: 9 boxes; freight 0.5 + 0.5 p / 4
    # >= 0.8: p >= 2.4, 3 passes; 8 workers, 4 more. c = 0.5 needs no pass (the free share).
    row = dict(employees=10, on_post=4, away=6, origin="O1", park="P1", link="fibre", tier="A", e=0.95, stock=30,
               trucks=4, value=1.0)
    sc = Scenario.default().with_overrides({"supply.mask_pack": 10})
    problem = Problem(make_instance([row, row]), sc)
    boxes, passes, workers = needed_for(problem, np.array([0.8, 0.5]))
    assert boxes.tolist() == [9, 4] and passes.tolist() == [3, 0] and workers.tolist() == [4, 1]


def test_the_lp_is_priced_by_devex_and_branch_and_bound_keeps_highs_choice(tmp_path):
    """LP relaxations run the dual simplex with Devex pricing (allocator.backends.highs.LP_EDGE_WEIGHTS:
    the province's LP 7.5 -> 4.0 s); the MIP that follows on the same model must get HiGHS's own
    choice back, as it got before, and the same optimum either way."""
    from allocator.backends import highs

    formulation = build(load_problem(DATA / "carpool.csv", DATA / "carpool.toml", None))
    model = HighsModel(formulation)
    output = np.zeros(formulation.num_cols)
    output[formulation.c] = 1.0
    model.set_objective(output, 0.0, maximize=True)
    seen, original = [], model._solve
    weights = lambda: model._h.getOptionValue("simplex_dual_edge_weight_strategy")[1]  # noqa: E731 (status, value)
    model._solve = lambda: seen.append(weights()) or original()
    devex = model.relaxation(time_limit=10)
    assert seen == [1]
    assert weights() == -1
    highs.LP_EDGE_WEIGHTS = -1
    try:
        chosen = model.relaxation(time_limit=10)
    finally:
        highs.LP_EDGE_WEIGHTS = 1
    assert devex.outcome == chosen.outcome == "optimal" and abs(devex.objective - chosen.objective) < 1e-7
