"""The oracle's pruning checked against a naive enumeration of every plan (no dominance, every
bus count), on instances small enough for that; and the oracle on the SPEC's own examples."""

from __future__ import annotations

import itertools
import os
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings

from tests.oracle import HOLD_LINK_ABS, HOLD_OUTPUT_REL, Oracle, TooLarge, resolve_scenario
from tests.oracle_strategies import cases


def naive_plans(o: Oracle, limit: int = 20_000):
    """Every integer plan within the per-firm bounds, feasible or not (feasibility is checked after)."""
    per_firm = []
    for i, f in enumerate(o.firms):
        opts = [(r, p, b) for r in range(f["A"] + 1) for p in range(f["T"] + 1) for b in range(o.cap(i, r) + 1)]
        per_firm.append(opts)
    bus_choices = [range(o.buses_supply + 1)] * len(o.group_keys)
    total = 1
    for opts in per_firm + [list(c) for c in bus_choices]:
        total *= len(opts)
    if total > limit:
        return None
    plans = []
    for choice in itertools.product(*per_firm):
        for ys in itertools.product(*bus_choices):
            plan = {"returned": [c[0] for c in choice], "passes": [c[1] for c in choice],
                    "boxes": [c[2] for c in choice], "buses": dict(zip(o.group_keys, ys, strict=True))}
            if not o.violations(plan):
                plans.append(o.plan_values(plan))
    return plans


SELF_EXAMPLES = int(os.environ.get("ORACLE_SELF_EXAMPLES", "150"))


@settings(max_examples=SELF_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases(max_firms=3))
def test_pruned_enumeration_finds_every_stage_optimum(case):
    rows, scenario = case
    try:
        o = Oracle(rows, scenario)
    except TooLarge:
        assume(False)
    plans = naive_plans(o)
    assume(plans is not None)
    assert plans, "the empty plan (plus reserve boxes) is always feasible"
    holds1 = [None]
    if o.stage1_active:
        best1 = max(p["min_link"] for p in plans)
        assert o.stage1_optimum()[0] == best1
        holds1 = [float(best1), float(best1) - 1e-6, float(best1 / 2)]
    for z1 in holds1:
        h1 = None if z1 is None else Fraction(z1) - HOLD_LINK_ABS
        ok1 = [p for p in plans if h1 is None or p["min_link"] >= h1]
        best2 = max(p["weighted_output"] for p in ok1)
        got2 = o.stage2_optimum(z1)
        assert got2[0] == best2
        assert o.plan_values(got2[1])["weighted_output"] == best2 and not o.violations(got2[1])
        for z2 in (float(best2), float(best2) * 0.999, 0.0):
            h2 = Fraction(z2) * (1 - HOLD_OUTPUT_REL)
            ok2 = [p for p in ok1 if p["weighted_output"] >= h2]
            got3 = o.stage3_optimum(z1, z2)
            if not ok2:
                assert got3 is None
                continue
            assert got3[0] == min(p["units"] for p in ok2)
            assert not o.violations(got3[1]) and o.plan_values(got3[1])["units"] == got3[0]


def test_reserve_is_exact_on_the_decimal():
    # 0.29 * 380,000 / 50 = 2,204 boxes (binary floating point gives 2,203)
    rows = [dict(enterprise_id="X", park="P", chain_link="other", tier="A", employees=1, on_post=1,
                 electricity_recovery="0.9")]
    o = Oracle(rows, {"supply": {"masks": 380000, "passes": 0, "buses": 0}, "tiers": {"A": {"mask_reserve": "0.29"}}})
    assert o.reserve == {"A": 2204}
    assert int(0.29 * 380000 / 50) == 2203


def test_threshold_is_inclusive_and_tiers_override():
    firm = dict(park="P", chain_link="other", employees=1, on_post=1, electricity_recovery="0.8")
    rows = [dict(firm, enterprise_id="X", tier="B"), dict(firm, enterprise_id="Y", tier="C")]
    o = Oracle(rows, {"supply": {"passes": 0, "buses": 0}, "tiers": {"C": {"electricity_threshold": "0.81"}}})
    assert [f["eligible"] for f in o.firms] == [True, False]
    assert resolve_scenario()["tiers"]["A"]["electricity_threshold"] == "0.8"
