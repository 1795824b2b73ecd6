"""Every firm at its most (allocator.stages.served): stages 1 and 2 proven without a search, and
the same values as branch and bound finds on its own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.data.loading import load_problem
from allocator.data.scenario import Scenario
from allocator.options import SolveOptions
from allocator.problem import Problem
from allocator.stages import served
from allocator.stages.claims import Status
from allocator.stages.driver import solve
from tests.conftest import DATA, write_rows
from tests.strategies import EXACT, SETTINGS, firms, make_instance

FULL = SolveOptions(time_limit=20, rel_gap=1e-9, search="full")


def test_a_store_that_covers_everyone_is_proven_without_a_search():
    # chain.toml with 100 boxes: c_i = b_i / 5, so J1, J2 and J4 reach c = 1 with 5 boxes each
    # (J3 is ineligible: 0).  Stage 1: dyeing 1, market (10 x 1 + 10 x 0) / 20 = 0.5, the most any
    # plan can do.  Stage 2: tier A weighs 3, C 1: 3 x 10 + 1 x 10 + 3 x 10 = 70.  Stage 3: each box
    # is worth at least 0.2 x 10 = 2 of output, far above the hold's 1e-6, so 15 boxes.
    result = solve(load_problem(DATA / "chain.csv", DATA / "chain.toml", ["supply.masks=1000"]), EXACT)
    first, second, third = result.stages
    assert first.value == pytest.approx(0.5, abs=1e-12) and first.status is Status.OPTIMAL
    assert second.value == pytest.approx(70.0, abs=1e-9) and second.status is Status.OPTIMAL
    assert served.NOTE in result.notes
    assert third.value == 15 and third.status is Status.OPTIMAL
    assert list(result.allocation.boxes) == [5, 5, 0, 5]


def test_a_store_one_box_short_searches():
    # 14 boxes: someone stays below c = 1, so the plan at everyone's most does not fit
    problem = load_problem(DATA / "chain.csv", DATA / "chain.toml", ["supply.masks=140"])
    assert served.everyone_at_most(problem) is None
    result = solve(problem, EXACT)
    assert served.NOTE not in result.notes
    assert result.stages[1].status is Status.OPTIMAL


generous = st.fixed_dictionaries(
    {
        "supply.masks": st.sampled_from([20_000, 100_000]),
        "supply.mask_pack": st.sampled_from([10, 50]),
        "supply.passes": st.sampled_from([30, 100]),
        "supply.buses": st.sampled_from([30, 100]),
        "supply.bus_seats": st.sampled_from([5, 20]),
        "rules.chain_balance": st.booleans(),
        "tiers.C.mask_reserve": st.sampled_from([0.0, 0.3]),
    }
)


@SETTINGS
@given(rows=firms(), overrides=generous)
def test_everyone_at_most_agrees_with_branch_and_bound(rows, overrides):
    """Against search="full" (plain branch and bound, which never takes this path): the same stage
    values, and the claims hold the other side's optimum."""
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    quick, plain = solve(problem, EXACT), solve(problem, FULL)
    assert quick.evaluation.violations == ()
    for mine, theirs in zip(quick.stages, plain.stages, strict=True):
        assert mine.status is theirs.status
        if mine.value is not None:
            assert mine.value == pytest.approx(theirs.value, rel=1e-9, abs=1e-9)
    if served.everyone_at_most(problem) is not None:
        assert served.NOTE in quick.notes and served.NOTE not in plain.notes


@pytest.mark.parametrize("search", ["auto", "guided"])
def test_nothing_to_hand_out_is_proven_in_every_stage(tmp_path, search):
    # One firm below tier A's electricity threshold (masks cannot help it), no trucks, nobody
    # away: nothing raises its capacity, so the plan of 0 units is optimal in stages 2 and 3.  A
    # guided stage 3 over a model with nothing to decide ran no solver and had no bound
    # ("feasible"); no plan uses fewer than 0 units, so 0 is the proof.
    rows = [dict(enterprise_id="F1", park="P1", chain_link="fibre", tier="A", employees=1, on_post=0,
                 electricity_recovery=0.3, output_value=0.5)]
    problem = load_problem(write_rows(tmp_path / "idle.csv", rows), None, ["rules.chain_balance=false"])
    result = solve(problem, SolveOptions(time_limit=20, rel_gap=1e-9, search=search))
    assert [s.status for s in result.stages] == [Status.SKIPPED, Status.OPTIMAL, Status.OPTIMAL], result.stages
    assert result.stages[2].value == result.stages[2].bound == 0
