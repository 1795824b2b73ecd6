"""What a stage may claim (allocator.stages.claims): the SPEC's "optimal", gaps and numerical failures."""

from __future__ import annotations

import pytest

from allocator.stages.claims import Status, gap, holds, judge


def test_stage1_is_optimal_only_within_1e8_absolute():
    # the fibre link of outputs 1 and 624,999: 0.9999992 against a reachable 1.0 is 8e-7 short,
    # within the default 1e-4 gap but not optimal (HiGHS's default 1e-6 absolute gap called it so)
    assert judge(1, "max", 0.9999992, 1.0, "optimal", 1e-4).status is Status.WITHIN_GAP
    assert judge(1, "max", 0.9999992, 1.0, "optimal", 1e-9).status is Status.FEASIBLE
    assert judge(1, "max", 0.9999992, 0.9999992 + 9e-9, "optimal", 1e-9).status is Status.OPTIMAL


def test_stage2_is_optimal_within_1e7_relative_and_stage3_only_when_equal():
    assert judge(2, "max", 121825.46, 121825.46 * (1 + 0.9e-7), "optimal", 1e-9).status is Status.OPTIMAL
    assert judge(2, "max", 121825.46, 121825.46 * (1 + 1.1e-7), "optimal", 1e-4).status is Status.WITHIN_GAP
    assert judge(3, "min", 7.0, 7.0, "optimal", 1e-4).status is Status.OPTIMAL
    assert judge(3, "min", 7754.0, 7753.0, "optimal", 1e-3).status is Status.WITHIN_GAP  # one unit is not equal
    assert judge(2, "max", 121825.46, 121825.46 * 1.002, "time", 1e-4).status is Status.TIME_LIMIT
    assert judge(2, "max", 121825.46, 121825.46 * 1.002, "work", 1e-4).status is Status.WORK_LIMIT
    assert judge(2, "max", 121825.46, 121825.46 * 1.002, "optimal", 1e-4).status is Status.FEASIBLE
    assert judge(2, "max", None, None, "error", 1e-4).status is Status.NO_SOLUTION


def test_a_bound_on_the_wrong_side_of_the_plan_is_a_numerical_failure_reported_raw():
    claim = judge(2, "max", 1000001.4, 1000000.7, "optimal", 1e-4)
    assert claim.status is Status.FEASIBLE and claim.gap is None and claim.bound == 1000000.7  # the SPEC: raw
    assert "numerical failure" in claim.note and "1000000.7" in claim.note
    assert judge(3, "min", 5.0, 6.0, "time", 1e-4).status is Status.TIME_LIMIT  # a min stage: bound above the plan


def test_a_bound_past_the_plan_by_rounding_is_reported_as_the_plans_value():
    """The last bits of two sums of the same plan are rounding, not a contradiction; but a report
    whose bound lies below its own plan's value in a maximisation (3681.628142827724 against
    3681.6281428277243, a small register's stage 2) reads as one, so the value is reported."""
    value = 3681.6281428277243
    claim = judge(2, "max", value, 3681.628142827724, "optimal", 1e-4)
    assert claim.status is Status.OPTIMAL and claim.bound == value and claim.gap == 0.0
    claim = judge(3, "min", 677.0, 677.0 + 1e-13, "optimal", 1e-4)
    assert claim.status is Status.OPTIMAL and claim.bound == 677.0
    assert judge(2, "max", 121825.52, 121825.52 * (1 - 5e-10), "optimal", 1e-4).bound == 121825.52
    assert judge(2, "max", 10.0, 10.5, "time", 1e-4).bound == 10.5  # on the right side: as proven


def test_gaps_below_float_rounding_are_reported_as_zero():
    # HiGHS's bound can move in its last bits between runs; a gap like 1.5e-16 is rounding,
    # and printing it would make comparison.csv differ between identical sweeps.
    assert gap("max", 0.37075843199382574, 0.37075843199382574 + 5.6e-17) == 0.0
    assert gap("min", 677.0, 677.0 - 1e-13) == 0.0
    assert gap("max", 1.0, 1.0 + 2e-9) == pytest.approx(2e-9)


def test_holds_are_the_spec_tolerances_exactly():
    assert holds(0.5 - 1e-6, 10.0, 0.5, None)
    assert not holds(0.5 - 1.0001e-6, 10.0, 0.5, None)
    assert holds(None, 1000000.4, None, 1000001.4)  # 1000001.4 (1 - 1e-6) = 1000000.3999986
    assert not holds(None, 1000000.39, None, 1000001.4)
