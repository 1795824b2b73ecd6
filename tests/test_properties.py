"""Invariants over random tiny instances (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.instance import Instance
from allocator.problem import Problem
from allocator.result import evaluate
from allocator.scenario import Scenario
from allocator.solving import SolveOptions, Status, solve

EXACT = SolveOptions(time_limit=20, rel_gap=1e-9)


@st.composite
def firms(draw):
    n = draw(st.integers(1, 7))
    rows = []
    for _ in range(n):
        employees = draw(st.integers(1, 60))
        on_post = draw(st.integers(0, employees))
        away = draw(st.integers(0, employees - on_post))
        rows.append(
            dict(
                employees=employees,
                on_post=on_post,
                away=away,
                origin=draw(st.sampled_from(["O1", "O2"])),
                park=draw(st.sampled_from(["P1", "P2"])),
                link=draw(st.sampled_from(["fibre", "dyeing", "market", "other"])),
                tier=draw(st.sampled_from("ABC")),
                e=draw(st.sampled_from([0.3, 0.79, 0.8, 0.95, 1.1])),
                stock=draw(st.integers(0, 15 * employees)),
                trucks=draw(st.integers(0, 4)),
                value=draw(st.floats(0.5, 50, allow_nan=False).map(lambda x: round(x, 2))),
            )
        )
    return rows


def make_instance(rows) -> Instance:
    col = lambda key, dtype=object: np.array([r[key] for r in rows], dtype=dtype)  # noqa: E731
    return Instance(
        source="<hypothesis>", sha256="", rows=np.arange(2, len(rows) + 2),
        enterprise_id=np.array([f"E{i}" for i in range(len(rows))], dtype=object),
        name=np.array([""] * len(rows), dtype=object), park=col("park"), chain_link=col("link"), tier=col("tier"),
        employees=col("employees", np.int64), on_post=col("on_post", np.int64), workers_away=col("away", np.int64),
        origin=np.array([r["origin"] if r["away"] else "" for r in rows], dtype=object),
        electricity_recovery=col("e", float), masks_in_stock=col("stock", np.int64),
        trucks_needed=col("trucks", np.int64), output_value=col("value", float),
    )


supplies = st.fixed_dictionaries(
    {
        "supply.masks": st.integers(0, 600),
        "supply.mask_pack": st.sampled_from([10, 50]),
        "supply.passes": st.integers(0, 4),
        "supply.buses": st.integers(0, 3),
        "supply.bus_seats": st.sampled_from([5, 20]),
        "rules.chain_balance": st.booleans(),
        "tiers.C.mask_reserve": st.sampled_from([0.0, 0.3]),
    }
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
