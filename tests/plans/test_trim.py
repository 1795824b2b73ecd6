"""Taking back the units the holds can afford: never a broken rule or hold, the cheapest first."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from allocator.allocation import Allocation, evaluate
from allocator.data.scenario import Scenario
from allocator.plans import trim as trimming
from allocator.plans.trim import ROUNDS, trim
from allocator.problem import Problem
from allocator.stages.claims import link_hold, output_hold
from allocator.stages.driver import solve
from tests.strategies import EXACT, SETTINGS, firms, make_instance, supplies


def _firm(tier: str, value: float, employees: int) -> dict:
    return dict(employees=employees, on_post=employees, away=0, origin="O1", park="P1", link="fibre", tier=tier,
                e=0.95, stock=0, trucks=0, value=value)


def _three_firms() -> tuple[Problem, Allocation]:
    """X, Y and Z of the test below, each at c = 1."""
    rows = [_firm("C", 0.7, 100), _firm("A", 1000.0, 10), _firm("B", 0.3, 100)]
    sc = Scenario.default().with_overrides({"supply.masks": 2940, "supply.mask_pack": 10,
                                            "rules.chain_balance": False, "tiers.B.mask_reserve": 0.3})
    problem = Problem(make_instance(rows), sc)
    empty = Allocation.empty(problem)
    return problem, Allocation(np.array([140, 14, 140]), empty.passes, empty.returned, empty.buses)


def _solved(rows, overrides, spare: float, link_spare: float):
    """A small register's plan from solve, its evaluation, and output and link floors below it."""
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    plan = solve(problem, EXACT).allocation
    before = evaluate(problem, plan)
    assume(before.violations == ())
    links = None if before.min_link is None else before.min_link - link_spare
    return problem, plan, before, before.weighted_output * (1 - spare), links


def test_a_firm_of_tiny_output_gives_back_every_box_and_a_reserve_keeps_its_own():
    # Boxes of 10 masks, q = 2 x 7 = 14 masks a worker: 100 staff on post need 140 boxes
    # for c = 1, and each box is 1/140 of c.  X (tier C, weight 1, output 0.7) loses
    # 0.7 / 140 = 0.005 a box, 0.7 for all 140; Z (tier B, weight 2, output 0.3) would lose
    # less, 0.6 for all 140, but tier B holds a reserve (0.3 x 2,940 / 10 = 88 boxes), so Z's
    # boxes stay; Y (10 staff, 14 boxes, tier A, output 1,000) loses 3,000 / 14 = 214.3 a box.
    # With 0.75 of output to spare the cheapest plan gives back all of X's 140 boxes (0.7)
    # and nothing else: 154 boxes are left.  One box per firm per round could take at most
    # ROUNDS (64) of X's.
    problem, plan = _three_firms()
    before = evaluate(problem, plan)
    assert before.violations == () and before.c_after.tolist() == [1.0, 1.0, 1.0]
    lean = trim(problem, plan, before.weighted_output - 0.75, None)
    assert ROUNDS < 140
    assert lean.boxes.tolist() == [0, 14, 140]
    after = evaluate(problem, lean)
    assert after.violations == ()
    assert abs(before.weighted_output - after.weighted_output - 0.7) < 1e-9


def test_the_leaner_way_is_kept(monkeypatch):
    # The register above, with the firm-by-firm step made to spend the whole slack on nothing:
    # the rounds alone then take 64 (ROUNDS) of X's boxes at 0.005 each (0.32 of the 0.75),
    # and trim must keep their plan rather than the untouched one.
    problem, plan = _three_firms()
    floor = evaluate(problem, plan).weighted_output - 0.75
    monkeypatch.setattr(trimming, "_boxes_by_firm", lambda *args: args[-1][0])  # "spent" it all
    assert trim(problem, plan, floor, None).boxes.tolist() == [140 - ROUNDS, 14, 140]


def test_a_link_keeps_what_its_hold_needs():
    # X and W alone make up the listed link "dyeing" (X 0.7 of output, W 0.3), at recovery 1
    # (Y alone makes up "fibre", also listed).  X's 140 boxes cost 0.7 of output (0.005 each, as
    # above) and 1/140 of X's c each, i.e. 0.7/140 = 0.005 of the link's recovery.  The link
    # may fall by 0.1 (its hold, with 1e-9 for rounding), the output by 10: X gives back 20
    # boxes (0.1 of the link), W none (0.3/14 of the link a box), Y none (214.3 a box).
    rows = [dict(_firm("C", 0.7, 100), link="dyeing"), _firm("A", 1000.0, 10),
            dict(_firm("C", 0.3, 10), link="dyeing")]
    sc = Scenario.default().with_overrides({"supply.masks": 2940, "supply.mask_pack": 10})
    problem = Problem(make_instance(rows), sc)
    empty = Allocation.empty(problem)
    plan = Allocation(np.array([140, 14, 14]), empty.passes, empty.returned, empty.buses)
    before = evaluate(problem, plan)
    assert before.violations == () and before.link_after["dyeing"] == 1.0
    lean = trim(problem, plan, before.weighted_output - 10.0, 0.9 - 1e-9)
    assert lean.boxes.tolist() == [120, 14, 14]
    assert evaluate(problem, lean).link_after["dyeing"] >= 0.9 - 1e-9


@SETTINGS
@given(rows=firms(), overrides=supplies, spare=st.floats(0.0, 1e-2), link_spare=st.floats(0.0, 1e-2))
def test_trimming_keeps_every_rule_and_both_holds_and_never_adds(rows, overrides, spare, link_spare):
    problem, plan, before, floor, links = _solved(rows, overrides, spare, link_spare)
    lean = trim(problem, plan, floor, links)
    after = evaluate(problem, lean)
    assert after.violations == ()
    assert after.weighted_output >= floor
    assert links is None or after.min_link >= links
    assert (lean.boxes <= plan.boxes).all() and (lean.passes <= plan.passes).all()
    assert (lean.buses <= plan.buses).all() and np.array_equal(lean.returned, plan.returned)
    assert (lean.boxes[problem.reserve_bound] == plan.boxes[problem.reserve_bound]).all()


@SETTINGS
@given(rows=firms(), overrides=supplies, spare=st.floats(0.0, 0.5), link_spare=st.sampled_from([0.0, 1e-6, 1e-3, 1e-2]))
def test_giving_back_boxes_firm_by_firm_keeps_both_holds_by_itself(rows, overrides, spare, link_spare):
    # trim() returns the plan unchanged when its result breaks a hold, so the property above
    # cannot see a slack wrongly counted in its first step: here that step is judged alone,
    # with output to spare (up to half) so that the links' holds are what stops it
    problem, plan, before, floor, link_floor = _solved(rows, overrides, spare, link_spare)
    boxes, level = plan.boxes.copy(), before.c_after.copy()
    links, shares = trimming._link_index(problem), trimming._link_shares(problem)
    link_slack = np.array([before.link_after[link] - link_floor for link in problem.links]) \
        if link_floor is not None else np.full(len(problem.links), np.inf)
    worth = problem.weight * problem.instance.output_value
    spent = trimming._boxes_by_firm(problem, boxes, plan.passes, plan.returned, level, worth, problem.reserve_bound,
                                    (before.weighted_output - floor, link_slack, links, shares))
    after = evaluate(problem, Allocation(boxes, plan.passes, plan.returned, plan.buses))
    assert after.violations == ()
    assert after.weighted_output >= floor
    assert abs((before.weighted_output - after.weighted_output) - spent) <= 1e-9 * max(1.0, before.weighted_output)
    assert link_floor is None or after.min_link >= link_floor
    assert np.array_equal(after.c_after, level)
