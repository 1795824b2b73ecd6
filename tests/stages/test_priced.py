"""Stage 2 with a price on units proves stage 3 in the same search (see stage2_priced)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from hypothesis import given

import allocator.stages.unit_price as stages_module
from allocator.data.loading import load_problem
from allocator.options import SolveOptions
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


def _stopped_fallback(monkeypatch, bound: float | None, lp_duals: bool):
    """Stage 2 of chain.toml (optimum 10, derived there) as when the unit-price search stopped on
    its time limit with ``bound`` and the branch and bound after it stopped before its root."""
    from types import SimpleNamespace

    from allocator.backends.base import SolverRun
    from allocator.model.columns import output_costs
    from allocator.result import StageResult
    from allocator.stages import branch_and_bound, driver

    def unit_price_stopped(session, start):
        if lp_duals:
            session.model.set_objective(output_costs(session.f), session.f.constant_output, maximize=True)
            session.output_duals = session.model.relaxation(None).duals
        return start, StageResult(2, "x", "max", Status.TIME_LIMIT, 0.0, bound, None, 0.0, 0)

    def search(session, start, stages_left, *args, **kwargs):
        if stages_left == 2:
            return SolverRun("time", None, None, None, 0.0, 0)
        return branch_and_bound.search(session, start, stages_left, *args, **kwargs)

    monkeypatch.setattr(driver.unit_price, "stage2", unit_price_stopped)
    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": search}))
    return solve(load_problem(DATA / "chain.csv", DATA / "chain.toml", None), EXACT).stages[1]


def test_a_stopped_search_keeps_the_unit_price_bound(monkeypatch):
    """The unit-price search's bound (L + p x most units) is proven: a second search that stops
    before its root once left stage 2 with no bound at all."""
    stage = _stopped_fallback(monkeypatch, bound=10.00002, lp_duals=False)  # below the LP's 10.00004
    assert stage.bound == 10.00002 and stage.value <= 10.0 + 1e-9


def test_without_any_bound_the_lp_duals_are_still_priced(monkeypatch):
    """No bound from either search: the priced bound from the LP's duals is computed (it was
    skipped, as if the gap were closed, and stage 2 had no bound)."""
    stage = _stopped_fallback(monkeypatch, bound=None, lp_duals=True)
    assert stage.bound is not None and stage.bound >= 10.0 - 1e-9 >= stage.value - 1e-9


@pytest.mark.parametrize("boxed", [True, False])
def test_a_stopped_search_is_followed_by_a_search_around_the_lp(monkeypatch, boxed):
    """chain.toml with a fourth box: stage 1 still needs b1 = 1, b2 = 2 (0.2); the fourth box is
    worth 6 to J1 or J4 (tier A, 10 x 3 per c, c = b / 5), so stage 2's optimum is 10 + 6 = 16,
    and the plan (1, 2, 0, 0) holds stage 1 at 10.  When the search with a unit price stops and
    the branch and bound after it finds nothing (Keqiao with --time-limit 10: both ended on
    stage 1's plan, 0.19 below the bound), the search in the box around the LP finds the 16."""
    from types import SimpleNamespace

    from allocator.backends.base import SolverRun
    from allocator.result import StageResult
    from allocator.stages import branch_and_bound, driver, guided

    def unit_price_stopped(session, start):
        return start, StageResult(2, "x", "max", Status.TIME_LIMIT, 0.0, 100.0, None, 0.0, 0)

    def nothing(*args, **kwargs):
        return SolverRun("time", None, None, None, 0.0, 0)

    monkeypatch.setattr(driver.unit_price, "stage2", unit_price_stopped)
    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": nothing}))
    monkeypatch.setattr(driver, "fill_leftovers", lambda problem, allocation: allocation)  # the start stays at 10
    if not boxed:
        monkeypatch.setattr(driver.guided, "around_lp", nothing)
    problem, session, start = _chain_session()
    best, stage = driver.stage2(session, start)
    assert stage.value == pytest.approx(16.0 if boxed else 10.0, abs=1e-9)
    assert list(best.boxes[[1, 2]]) == [2, 0] and best.boxes.sum() == (4 if boxed else 3)
    assert any("box around its LP" in note for note in session.notes) is boxed


def test_plain_branch_and_bound_runs_without_a_start_then_the_box_search_follows(monkeypatch):
    """Where no unit-price search ran, stage 2's branch and bound is offered no start (a run given one
    goes without presolve's dual-fixing probing: fragmented-2000 chain on, stage 2 at 0.10 instead of
    proven); stopped without a plan, the search in the box around the LP finds the 16 (the case above)
    where stage 1's plan (10) was all that was left."""
    from types import SimpleNamespace

    from allocator.backends.base import SolverRun
    from allocator.stages import branch_and_bound, driver

    offered = []

    def nothing(session, start, stages_left, **kwargs):
        offered.append(start)
        return SolverRun("time", None, None, None, 0.0, 0)

    monkeypatch.setattr(driver.unit_price, "stage2", lambda session, start: (start, None))
    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": nothing}))
    monkeypatch.setattr(driver, "fill_leftovers", lambda problem, allocation: allocation)  # the start stays at 10
    problem, session, start = _chain_session()
    best, stage = driver.stage2(session, start)
    assert offered == [None]
    assert stage.value == pytest.approx(16.0, abs=1e-9) and best.boxes.sum() == 4
    assert any("box around its LP" in note for note in session.notes)


def test_stage_2_starts_from_stage_1s_plan_with_the_leftovers_handed_out(monkeypatch):
    """The case above with every search finding nothing: stage 2 still ends at the optimum, 16, since
    its start is stage 1's plan (1, 2, 0, 0) with the fourth box handed out (allocator.plans.fill).
    Keqiao with --time-limit 5: stage 2 ended on stage 1's plan at 0.21 below its bound, 7.3e-3 with it."""
    from types import SimpleNamespace

    from allocator.backends.base import SolverRun
    from allocator.result import StageResult
    from allocator.stages import branch_and_bound, driver

    def nothing(*args, **kwargs):
        return SolverRun("time", None, None, None, 0.0, 0)

    stopped = StageResult(2, "x", "max", Status.TIME_LIMIT, 0.0, 100.0, None, 0.0, 0)
    monkeypatch.setattr(driver.unit_price, "stage2", lambda session, start: (start, stopped))
    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": nothing}))
    monkeypatch.setattr(driver.guided, "around_lp", nothing)
    monkeypatch.setattr(driver.prices_first, "priced_output", lambda session, run, best, duals, budget: (run, best))
    problem, session, start = _chain_session()
    best, stage = driver.stage2(session, start)
    assert stage.value == pytest.approx(16.0, abs=1e-9) and best.boxes.sum() == 4
    assert (best.boxes >= start.boxes).all()  # stage 1's boxes stay where they were


def test_after_the_box_search_stage_2s_branch_and_bound_keeps_to_the_stages_share(monkeypatch):
    """Each step of stage 2 took half of what was left, so stage 2 took most of stage 3's time too
    (Keqiao with --time-limit 10: stage 2 6.7 s, stage 3 0.5 s); the branch and bound after the box
    search is given only what is left of the share reckoned when stage 2 began."""
    import time
    from types import SimpleNamespace

    from allocator.allocation import Allocation
    from allocator.backends.base import SolverRun
    from allocator.result import StageResult
    from allocator.stages import branch_and_bound, driver

    given = []

    def search(session, start, stages_left, seconds=None, **limits):
        given.append(seconds)
        return SolverRun("time", None, None, None, 0.0, 0)

    stopped = StageResult(2, "x", "max", Status.TIME_LIMIT, 0.0, 100.0, None, 0.0, 0)
    monkeypatch.setattr(driver.unit_price, "stage2", lambda session, start: (start, stopped))
    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": search}))
    monkeypatch.setattr(driver, "_around_lp", lambda session, start: (start, SolverRun("time", None, None, None, 0.0, 0)))
    problem, session, _ = _chain_session(options=SolveOptions(time_limit=100.0))
    real = session.begin_stage

    def begin(stage):
        real(stage)
        session.stage_ends = time.perf_counter() + 3.0  # as if 3 s of the share were left

    monkeypatch.setattr(session, "begin_stage", begin)
    driver.stage2(session, Allocation.empty(problem))
    assert len(given) == 1 and 0.05 <= given[0] <= 3.0  # not half of the ~95 s the clock has left


def test_stage_3s_search_leaves_one_priced_evaluation_of_its_share():
    """The priced bound evaluates at least once after stage 3's branch and bound; that search is
    given its share less the slowest evaluation seen (Keqiao with --time-limit 10 ended its stages
    0.2 - 0.3 s late).  Without stage 2's prices, or with deterministic shares, nothing changes."""
    from types import SimpleNamespace

    from allocator.stages import driver

    def session(share, prices, step):
        return SimpleNamespace(share=lambda stages_left: share, stage2_prices=prices, priced_step=lambda: step)

    assert driver._before_pricing(session(3.0, object(), 0.4)) == pytest.approx(2.6)
    assert driver._before_pricing(session(3.0, None, 0.4)) is None
    assert driver._before_pricing(session(None, object(), 0.4)) is None
    assert driver._before_pricing(session(3.0, object(), 0.0)) is None


def test_the_priced_relaxation_keeps_its_slowest_evaluation(monkeypatch):
    """What stage 3 keeps back for one more evaluation (PricedBound.slowest) is measured."""
    import time

    import numpy as np

    from allocator.model.formulation import build
    from allocator.pricing.bound import PricedBound, Prices

    problem = load_problem(DATA / "chain.csv", DATA / "chain.toml", None)
    pricing = PricedBound(problem, build(problem))
    real = PricedBound._best

    def slow(self, prices, unit):
        time.sleep(0.05)
        return real(self, prices, unit)

    monkeypatch.setattr(PricedBound, "_best", slow)
    assert pricing.slowest == 0.0
    pricing.best(Prices(1.0, 1.0, 1.0, np.zeros(len(problem.links))))
    assert pricing.slowest >= 0.05


def test_the_unit_price_search_keeps_its_start_when_it_returns_worse(monkeypatch):
    """The search with a unit price gets no start (allocator.backends.highs.STARTED_RULES_OFF), so a
    limit may stop it on a plan worse than the one stage 2 began from: the better is kept.
    chain.toml with 40 masks: (1, 2, 0, 1) boxes gives 16, (1, 2, 0, 0) gives 10 (see above)."""
    from types import SimpleNamespace

    from allocator.allocation import Allocation, evaluate
    from allocator.backends.base import SolverRun
    from allocator.model.columns import start_vector
    from allocator.model.formulation import build
    from allocator.stages import branch_and_bound, unit_price as module
    from allocator.stages.clock import Clock
    from allocator.stages.session import Session

    problem = load_problem(DATA / "chain.csv", DATA / "chain.toml", ["supply.masks=40"])
    f = build(problem)
    session = Session(problem, f, EXACT, Clock(EXACT, None, len(problem.instance)))
    session.z1 = 0.2
    from allocator.stages.claims import link_hold

    session.model.set_lower(f.z, link_hold(0.2) * f.z_scale)
    empty = Allocation.empty(problem)
    plan = lambda boxes: Allocation(empty.boxes + boxes, empty.passes, empty.returned, empty.buses)  # noqa: E731
    start, worse = plan([1, 2, 0, 1]), plan([1, 2, 0, 0])

    def stopped(session, start_, stages_left, **limits):
        return SolverRun("time", None, None, start_vector(problem, f, worse), 0.0, 0)

    monkeypatch.setattr(module, "branch_and_bound", SimpleNamespace(**{**vars(branch_and_bound), "search": stopped}))
    best, _ = module.stage2(session, start)
    assert evaluate(problem, best).weighted_output == pytest.approx(16.0, abs=1e-9)


def test_stage_1_keeps_the_start_with_the_leftovers_handed_out_when_its_search_finds_nothing(monkeypatch):
    """At 30,000 firms stage 1's LP can take its whole share and leave the stage on its start, the
    reserves alone (lowest link 0.037 where the store allows 0.155 and the LP bound is 0.227).  The
    start with the leftovers handed out is kept when its lowest link is higher: on chain.toml with
    200 masks, nothing handed out holds the lowest link at 0, the filled plan above it."""
    from types import SimpleNamespace

    from allocator.allocation import Allocation, evaluate
    from allocator.backends.base import SolverRun
    from allocator.plans.fill import fill_leftovers
    from allocator.stages import branch_and_bound, driver

    monkeypatch.setattr(driver, "branch_and_bound", SimpleNamespace(
        **{**vars(branch_and_bound), "search": lambda *args, **kwargs: SolverRun("time", None, None, None, 0.0, 0)}))
    problem, session, _ = _chain_session(masks=200, z1=None)
    start = Allocation.empty(problem)
    filled = fill_leftovers(problem, start)
    assert evaluate(problem, filled).min_link > evaluate(problem, start).min_link  # the case is what it says
    best, stage = driver.stage1(session, start)
    assert stage.value == pytest.approx(evaluate(problem, filled).min_link, abs=1e-12)
    assert stage.status is Status.TIME_LIMIT and stage.bound is None


def _chain_session(masks: int = 40, options: SolveOptions = EXACT, z1: float | None = 0.2):
    """chain.toml with ``masks`` in store: the problem, a Session on it with stage 1 kept at ``z1``,
    and stage 1's plan there, boxes (1, 2, 0, 0) (lowest link 0.2, output 10)."""
    from allocator.allocation import Allocation
    from allocator.model.formulation import build
    from allocator.stages.clock import Clock
    from allocator.stages.session import Session

    problem = load_problem(DATA / "chain.csv", DATA / "chain.toml", [f"supply.masks={masks}"])
    session = Session(problem, build(problem), options, Clock(options, None, len(problem.instance)))
    session.z1 = z1
    empty = Allocation.empty(problem)
    return problem, session, Allocation(empty.boxes + [1, 2, 0, 0], empty.passes, empty.returned, empty.buses)
