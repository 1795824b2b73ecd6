"""Hand-checked weeks whose optimum differs from day by day: each optimum is derived in tests/cases/week_*.toml."""

from __future__ import annotations

import pytest

from allocator.stages.claims import Status
from tests.conftest import plan_case


def test_boxes_kept_for_the_workers_who_come_back_on_day_2(tmp_path):
    result, summary, check, _ = plan_case("week_masks", 2, tmp_path)
    assert [s.status for s in result.stages] == [Status.SKIPPED, Status.OPTIMAL, Status.OPTIMAL]
    assert result.stages[1].value == 450.0 and result.stages[2].value == 4
    assert result.plan.boxes.tolist() == [[0, 0], [3, 0]]  # F1's 3 boxes on day 2, none for F2
    assert result.plan.returned.tolist() == [[0, 0], [5, 0]] and result.plan.buses.tolist() == [[0], [1]]
    base = result.baseline.evaluation
    assert (base.weighted_output, base.resources_used) == (312.0, 3)  # day by day: all 3 boxes to F2 on day 1
    assert result.baseline.plan.boxes.tolist() == [[0, 3], [0, 3]]
    assert summary["gain"] == {"lowest_link_days": None, "weighted_output_days": 138.0, "units": 1}
    assert check["values"] == {1: None, 2: 450.0, 3: 4}


def test_no_link_falls_on_any_day(tmp_path):
    result, summary, check, _ = plan_case("week_chain", 2, tmp_path)
    assert [s.status for s in result.stages] == [Status.OPTIMAL] * 3
    assert result.stages[0].value == pytest.approx(1.2, abs=1e-12)
    assert result.stages[1].value == pytest.approx(72.0, abs=1e-9)
    assert result.stages[2].value == 6
    assert result.plan.boxes.tolist() == [[4, 0], [4, 1]]  # D1 4 boxes from day 1, M1 1 box with its workers
    assert result.plan.returned[1, 1] >= 2 and result.plan.buses.tolist() == [[0], [1]]
    base = result.baseline.evaluation
    assert base.min_link == pytest.approx(1.0, abs=1e-12) and base.weighted_output == pytest.approx(80.0)
    assert summary["gain"]["lowest_link_days"] == pytest.approx(0.2, abs=1e-12)
    assert summary["gain"]["weighted_output_days"] == pytest.approx(-8.0)  # stage 1 comes first
    assert check["lowest"] == pytest.approx([0.5, 0.7], abs=1e-12)


def test_the_pass_is_kept_for_the_firm_whose_workers_come_on_day_2(tmp_path):
    result, summary, check, _ = plan_case("week_pass", 3, tmp_path)
    assert result.horizon.blocks == ((0, 1), (1, 2))  # day 3 has no arrivals: merged into day 2
    assert result.stages[1].value == 81.0 and result.stages[2].value == 2
    assert result.stages[1].status is Status.OPTIMAL and result.stages[2].status is Status.OPTIMAL
    assert result.plan.passes[1:].tolist() == [[1, 0], [1, 0]]  # X holds the pass by day 2
    assert result.plan.returned[1:].tolist() == [[8, 0], [8, 0]] and result.plan.buses[:, 0].tolist() == [0, 1, 0]
    base = result.baseline.evaluation
    assert (base.weighted_output, base.resources_used) == (66.0, 2)
    assert result.baseline.plan.passes[0].tolist() == [0, 1]  # day by day: Y gets it on day 1
    assert check["output"] == [11.0, 35.0, 35.0]


def test_day_by_day_exports_the_baseline(tmp_path):
    result, summary, check, _ = plan_case("week_masks", 2, tmp_path, day_by_day=True)
    assert summary["exported"] == "day-by-day"
    assert check["values"] == {1: None, 2: 312.0, 3: 3}
    assert summary["values"] == {"1": None, "2": 312.0, "3": 3}
    assert summary["stages"][1]["value"] == 450.0  # the week's claims stay in summary.json


def test_a_week_without_arrivals_is_the_first_day_repeated(tmp_path):
    """Without arrivals every later day merges into day 1: the week is solve's day, counted D times."""
    one, _, _, _ = plan_case("chain", 1, tmp_path)
    week, _, _, _ = plan_case("chain", 4, tmp_path)
    assert week.horizon.blocks == ((0, 4),)
    assert week.stages[0].value == pytest.approx(4 * one.stages[0].value, abs=1e-9)
    assert week.stages[1].value == pytest.approx(4 * one.stages[1].value, abs=1e-9)
    assert week.stages[2].value == one.stages[2].value
