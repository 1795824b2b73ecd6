"""The bus groups' max-plus knapsacks: against enumeration, and compiled against numpy bit for bit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.data.loading import load_problem
from allocator.model.formulation import build
from allocator.pricing import seating
from allocator.pricing.bound import PricedBound, Prices
from allocator.pricing.seating import Seatings
from allocator.data.scenario import Scenario
from allocator.problem import Problem
from allocator.stages.driver import solve
from tests.conftest import KEQIAO
from tests.pricing.test_priced_bound import _link_prices, prices
from tests.strategies import EXACT, SETTINGS, firms, make_instance, supplies


@st.composite
def groups(draw):
    """Bus groups of 1-4 firms, each with a curve over 0-4 workers back (any worths, ties
    likely), a seat count and each group's most buses."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    riders = np.array([draw(st.integers(0, 4)) for _ in range(sum(sizes))], dtype=np.int64)
    worths = st.integers(-6, 12).map(lambda x: x / 4)
    curves = np.array([draw(worths) for _ in range(int((riders + 1).sum()))])
    starts = np.cumsum(riders + 1) - (riders + 1)
    group_start = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    most_buses = np.array([draw(st.integers(0, 4)) for _ in sizes], dtype=np.int64)
    return curves, starts, riders, group_start, draw(st.integers(1, 3)), most_buses


def _by_enumeration(curves, starts, riders, members, seats):
    """The best worth of a group's firms with at most ``seats`` riders, over every split."""
    choices = [range(riders[k] + 1) for k in members]
    return max(sum(curves[starts[k] + r] for k, r in zip(members, split)) for split in itertools.product(*choices)
               if sum(split) <= seats)


@SETTINGS
@given(drawn=groups(), data=st.data())
def test_each_group_best_with_y_buses_is_the_best_split_of_its_seats(drawn, data):
    curves, starts, riders, group_start, bus_seats, most_buses = drawn
    # the large groups are priced over their firms' envelopes: see the test after this one
    large = np.array([data.draw(st.booleans()) for _ in most_buses])
    seatings = Seatings.of(curves, starts, riders, group_start, bus_seats, most_buses, large=large)
    buses = np.array([data.draw(st.integers(0, len(w) - 1)) for w in seatings.worth_lists(0.0)], dtype=np.int64)
    seated = seatings.seated(buses)
    for g, worth_with in enumerate(seatings.worth_lists(0.0)):
        members = range(group_start[g], group_start[g + 1])
        # a bus count past the one that seats every rider adds nothing, so the list stops there
        assert len(worth_with) - 1 == min(-(-int(riders[members].sum()) // bus_seats), most_buses[g])
        for y, worth in enumerate(worth_with):
            best = _by_enumeration(curves, starts, riders, members, bus_seats * y)
            assert worth >= best - 1e-12 if large[g] else worth == best
        # the split handed back fits the seats and is worth the group's best (large: a plan)
        split = seated[group_start[g]: group_start[g + 1]]
        assert (split >= 0).all() and (split <= riders[members]).all()
        assert split.sum() <= bus_seats * buses[g]
        plan = sum(curves[starts[k] + r] for k, r in zip(members, split))
        if large[g]:
            assert plan <= worth_with[buses[g]] + 1e-12
        else:
            assert plan == worth_with[buses[g]]


@SETTINGS
@given(drawn=groups(), concave=st.booleans())
def test_a_group_over_envelopes_is_above_its_best_by_at_most_one_firm_s_rise(drawn, concave):
    # the greedy takes every envelope piece whole but one, so only that piece's firm can sit
    # between two corners: above the exact best by at most the largest rise of one firm's
    # envelope over its curve (0 when every curve is concave already)
    curves, starts, riders, group_start, bus_seats, most_buses = drawn
    curves = np.concatenate([np.maximum.accumulate(curves[s: s + r + 1]) for s, r in zip(starts, riders)])
    if concave:  # rising by less and less: 3, 2, 1, 0, ...
        curves = np.concatenate([np.cumsum(np.r_[0, np.maximum(3 - np.arange(r), 0)]) for r in riders]).astype(float)
    every = np.ones(len(most_buses), dtype=bool)
    over = Seatings.of(curves, starts, riders, group_start, bus_seats, most_buses, large=every)
    exact = Seatings.of(curves, starts, riders, group_start, bus_seats, most_buses)
    rise = [_rise_of_envelope(curves[s: s + r + 1]) for s, r in zip(starts, riders)]
    for g, (above, best) in enumerate(zip(over.worth_lists(0.0), exact.worth_lists(0.0), strict=True)):
        slack = max(rise[group_start[g]: group_start[g + 1]])
        assert (above >= best - 1e-9).all() and (above <= best + slack + 1e-9).all()
        if concave:
            assert above == pytest.approx(best, abs=1e-9)


def test_a_small_group_keeps_its_worth_after_a_huge_one():
    # envelope sums run group by group: one running sum over both groups, less the first
    # group's 1e15, rounded the second group's 0.3, 0.5, 0.6 to multiples of 0.125 (found by review)
    huge, small = np.arange(1001) * 1e12, np.array([0.0, 0.3, 0.5, 0.6])
    curves, riders = np.r_[huge, small], np.array([1000, 3])
    starts, group_start, most_buses = np.array([0, 1001]), np.array([0, 1, 2]), np.array([1000, 3])
    over = Seatings.of(curves, starts, riders, group_start, 1, most_buses, large=np.array([True, True]))
    assert over.worth_lists(0.0)[1].tolist() == [0.0, 0.3, 0.5, 0.6]


def _rise_of_envelope(curve: np.ndarray) -> float:
    """The most a curve's upper concave envelope rises above it (by brute force over chords)."""
    top = curve.astype(float).copy()
    for i, j in itertools.combinations(range(len(curve)), 2):
        for r in range(i + 1, j):
            top[r] = max(top[r], curve[i] + (curve[j] - curve[i]) * (r - i) / (j - i))
    return float((top - curve).max())


@SETTINGS
@given(drawn=groups(), data=st.data())
def test_compiled_and_numpy_give_the_same_floats(drawn, data):
    curves, starts, riders, group_start, bus_seats, most_buses = drawn
    # thirds and tenths round in the sums; ties stay likely, so the first maximum must be kept alike
    curves = curves + np.array([data.draw(st.sampled_from([0.0, 0.0, 0.1, 1 / 3, -0.7])) for _ in curves])
    plain = Seatings.of(curves, starts, riders, group_start, bus_seats, most_buses, compiled=False)
    buses = np.array([data.draw(st.integers(0, len(w) - 1)) for w in plain.worth_lists(0.0)], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:  # the compiled path must not fall back on numpy's twins
        for twin in ("_combine", "_by_buses", "_seat"):
            patch.setattr(seating, twin, _refused)
        compiled = Seatings.of(curves, starts, riders, group_start, bus_seats, most_buses, compiled=True)
        seated = compiled.seated(buses)
    assert plain.exact.combined.tobytes() == compiled.exact.combined.tobytes()
    assert (plain.exact.lengths == compiled.exact.lengths).all()
    assert plain.by_buses.tobytes() == compiled.by_buses.tobytes()
    assert (plain.bus_start == compiled.bus_start).all()
    assert (plain.seated(buses) == seated).all()


def _refused(*args):
    raise AssertionError("numpy's twin called on the compiled path")


@pytest.mark.parametrize("compiled", [False, True])
def test_on_a_tie_the_later_firm_takes_the_fewest_seats(compiled):
    # two firms worth 0 with no worker back and 1 with one, one seat: either may take it (worth 1);
    # both paths give it to the first firm, as numpy's argmax keeps the first maximum
    curves, starts, riders = np.array([0.0, 1, 0, 1]), np.array([0, 2]), np.array([1, 1])
    seatings = Seatings.of(curves, starts, riders, np.array([0, 2]), 1, np.array([2]), compiled=compiled)
    assert seatings.by_buses.tolist() == [0.0, 1.0, 2.0]
    assert seatings.seated(np.array([1])).tolist() == [1, 0]
    assert seatings.seated(np.array([2])).tolist() == [1, 1]


@SETTINGS
@given(drawn=groups(), price=st.sampled_from([0.0, 0.25, 0.5, 1.0, 3.0]))
def test_each_group_takes_the_fewest_buses_of_most_worth_at_the_bus_price(drawn, price):
    seatings = Seatings.of(*drawn)
    chosen, total = seatings.best_buses(price)
    expected = [int(np.argmax(worth - price * np.arange(len(worth)))) for worth in seatings.worth_lists(0.0)]
    assert chosen.tolist() == expected
    assert total == pytest.approx(sum(w[y] - price * y for w, y in zip(seatings.worth_lists(0.0), expected)))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=firms(), overrides=supplies, drawn=prices)
def test_over_envelopes_no_plan_beats_the_bound(rows, overrides, drawn):
    # every group priced over its firms' envelopes: the bound may loosen, never fall below the optimum
    problem = Problem(make_instance(rows), Scenario.default().with_overrides(overrides))
    exact = solve(problem, EXACT)
    first, second = exact.stages[0], exact.stages[1]
    hold = None if first.value is None else first.value - 1e-6
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seating, "ENVELOPE_FROM", 0)
        priced = PricedBound(problem, build(problem))
    assert priced._large.all()
    chosen = _link_prices(problem, drawn)
    assert priced.output_bound(chosen, hold) >= second.value * (1 - 1e-9) - 1e-9
    assert priced.output_bound(chosen, hold, evaluations=8) >= second.value * (1 - 1e-9) - 1e-9
    relaxed = priced.best(chosen)
    assert relaxed.plan_worth <= relaxed.worth + 1e-9 * max(1.0, abs(relaxed.worth))


def test_work_counts_the_additions_of_the_combination():
    # group 0: firms with 2, 3 riders, cap 10: the second adds its 4 entries to 3 -> 12;
    # group 1: firms with 1, 1, 5 riders, cap 3: 2 entries to 2, then 6 entries to 3 (cut) -> 4 + 18
    riders = np.array([2, 3, 1, 1, 5])
    assert seating.group_work(riders, np.array([0, 2, 5]), np.array([10, 3])).tolist() == [12, 4 + 18]


@pytest.mark.parametrize("prices", [Prices(0.01, 0.5, 3.0, np.zeros(0)), Prices(0.0, 0.0, 0.0, np.zeros(0))])
def test_the_priced_relaxation_is_the_same_compiled_or_not(monkeypatch, prices):
    problem = load_problem(KEQIAO, None, ["supply.buses=60"])
    links = np.full(len(problem.links), 2.0)
    prices = Prices(prices.boxes, prices.passes, prices.buses, links)
    monkeypatch.setattr(seating, "COMPILED_FROM", np.inf)
    plain = PricedBound(problem, build(problem))
    monkeypatch.setattr(seating, "COMPILED_FROM", 0)
    compiled = PricedBound(problem, build(problem))
    assert not plain._compiled and compiled._compiled
    a, b = plain.best(prices), compiled.best(prices)
    assert a.worth == b.worth and a.plan_worth == b.plan_worth
    for field in ("boxes", "passes", "returned", "buses"):
        assert (getattr(a.allocation, field) == getattr(b.allocation, field)).all()


def test_without_numba_the_knapsacks_stay_in_numpy(monkeypatch):
    # a platform without a numba wheel still solves, only slower: the kernels are not loaded
    import sys

    monkeypatch.setitem(sys.modules, "numba", None)  # "import numba" now raises ImportError
    monkeypatch.delitem(sys.modules, "allocator.pricing.compiled", raising=False)
    monkeypatch.setattr(seating, "COMPILED_FROM", 0)
    assert not seating.compiled_available()
    large, compiled = seating.methods(np.array([3, 2]), np.array([0, 2]), np.array([10]))
    assert not compiled and not large.any()
