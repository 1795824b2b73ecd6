"""The priced output bound as a line in the lowest link, judged by the exact oracle.

allocator.plan.bounds couples a week's days with it: at the prices (p, l) that prove B at the
hold h, every plan x of the day has output(x) <= B + (h - z(x)) sum(l), z(x) its lowest link.
Here every plan of a tiny register is enumerated in exact fractions (tests/oracle.py, nothing
from allocator) and the line is checked against each, at prices the level method moved.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from allocator.data.loading import load_problem
from allocator.model.formulation import build
from allocator.pricing.bound import PricedBound, Prices
from tests.oracle import Oracle, TooLarge
from tests.oracle_strategies import cases, write_case

positive = st.floats(0.01, 50.0, allow_nan=False)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases(chain_balance=True), supply=st.tuples(positive, positive, positive),
       link=st.lists(positive, min_size=5, max_size=5), hold=st.floats(0.0, 1.0), evaluations=st.sampled_from([1, 6]))
def test_no_plan_lies_above_the_line_of_its_prices(case, supply, link, hold, evaluations):
    rows, scenario = case
    try:
        oracle = Oracle(rows, scenario)
    except TooLarge:
        assume(False)
    assume(oracle.stage1_active)
    with tempfile.TemporaryDirectory() as tmp:
        problem = load_problem(*write_case(Path(tmp), rows, scenario), None)
    links = np.array(link[:len(problem.links)])
    bound, at = PricedBound(problem, build(problem)).output_bound_and_prices(
        Prices(*supply, links=links), hold, evaluations)
    steep = Fraction(float(at.links.sum()))
    assert (at.links >= 0).all() and min(at.boxes, at.passes, at.buses) >= 0
    line = Fraction(bound) + Fraction(hold) * steep  # output(x) + steep z(x) must stay at or below it
    worst = max(_output(oracle, leaf) + steep * _lowest(oracle, leaf) for leaf in oracle.leaves)
    assert worst <= line + Fraction(1, 10**9) * max(1, abs(line))


def _output(oracle: Oracle, leaf) -> Fraction:
    return oracle.plan_values(oracle._plan_of(leaf[3]))["weighted_output"]


def _lowest(oracle: Oracle, leaf) -> Fraction:
    return oracle.plan_values(oracle._plan_of(leaf[3]))["min_link"]
