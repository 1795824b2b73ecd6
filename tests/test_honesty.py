"""Issue 14: every claim true to the last unit; every output written all or none."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from allocator.data.loading import load_problem
from allocator.problem import needed_for
from allocator.data.scenario import Scenario, load_scenario
from allocator.stages.claims import Status
from allocator.stages.driver import solve
from tests.conftest import EXACT, run_cli, write_rows

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})


def _solve(tmp_path, rows, sets):
    return solve(load_problem(write_rows(tmp_path / "case.csv", rows), None, sets), EXACT)


def firm(ident, link="fibre", tier="C", employees=10, on_post=10, trucks=0, value=1.0, **extra):
    return dict(enterprise_id=ident, park="P", chain_link=link, tier=tier, employees=employees, on_post=on_post,
                electricity_recovery=0.5, trucks_needed=trucks, output_value=value, **extra)


def test_stage3_is_proven_over_the_specs_hold_not_a_tighter_one(tmp_path):
    # A1 (output 1,000,000) nothing helps; B1 (output 1.4) has one truck, freight 0.5 without a
    # pass.  Chain balance off, q = 0, one pass.  Stage 2: 1,000,001.4 with the pass.  Without it,
    # 1,000,000.7 >= 1,000,001.4 (1 - 1e-6) = 1,000,000.3999986: the SPEC's hold keeps it, so
    # stage 3's optimum is 0 units (a hold of z2 (1 - 6e-7), as before, "proved" 1).
    result = _solve(tmp_path, [firm("A1", value=1_000_000), firm("B1", trucks=1, value=1.4)],
                    ["rules.chain_balance=false", "rules.masks_per_worker_day=0", "supply.passes=1"])
    second, third = result.stages[1], result.stages[2]
    assert second.value == pytest.approx(1_000_001.4) and second.status is Status.OPTIMAL
    assert third.value == 0 and third.bound == 0 and third.status is Status.OPTIMAL
    assert result.allocation.passes.tolist() == [0, 0]


def test_stage1_is_optimal_only_at_the_optimum_within_1e8(tmp_path):
    # Fibre firms of output 1 (one truck) and 624,999: with the pass the link is 1.0, without
    # it 1 - 0.5 / 625,000 = 0.9999992.  HiGHS's integrality of 1e-6 "proved" 0.9999992.
    result = _solve(tmp_path, [firm("F1", trucks=1, value=1), firm("F2", value=624_999)],
                    ["rules.masks_per_worker_day=0", "supply.passes=1", 'rules.chain_links=["fibre"]'])
    first = result.stages[0]
    assert first.value == 1.0 and first.bound >= 1.0 and first.status is Status.OPTIMAL
    # stage 3 may then give the pass back: 0.9999992 is within the 1e-6 hold
    assert result.stages[2].value == 0


def test_reserves_are_floored_on_the_decimal_as_written():
    scenario = load_scenario(None, ["tiers.A.mask_reserve=0.29"])
    assert scenario.reserve_boxes("A") == 2204  # 0.29 x 380,000 / 50; binary floating point gives 2,203
    assert Scenario.default().with_overrides({"tiers.B.mask_reserve": 0.1}).reserve_boxes("B") == 760


def test_units_needed_are_exact_at_large_stocks(tmp_path):
    # 9,097,821 masks in stock, q = 20, boxes of 1: the masks term with 302 boxes is a level
    # that 302 boxes reach; (q E level - S) / pack comes out at 302.0000000019, which a fixed
    # slack of 1e-9 rounded up to 303
    rows = [firm("X", employees=890_218, on_post=890_218, masks_in_stock=9_097_821)]
    problem = load_problem(write_rows(tmp_path / "big.csv", rows), None,
                           ["rules.masks_per_worker_day=20", "rules.mask_days=1", "supply.mask_pack=1"])
    level = (9_097_821 + 302) / (20 * 890_218)
    assert needed_for(problem, np.array([level]))[0].tolist() == [302]


def test_units_needed_where_one_box_moves_a_firm_less_than_the_rounding(tmp_path):
    # 10^7 employees at a million masks a day for 7 days, boxes of one: a box moves the masks
    # term by 1.4e-14, below the 1e-12 within which a term counts as reaching a level, so about
    # 70 counts "reach" it; the least of them is the answer (an estimate corrected one unit at a
    # time gave up with an AssertionError, and `solve` showed a traceback)
    rows = [firm("X", employees=10_000_000, on_post=10), firm("Y", link="dyeing")]
    sets = ["rules.masks_per_worker_day=1000000", "supply.mask_pack=1"]
    problem = load_problem(write_rows(tmp_path / "huge.csv", rows), None, sets)
    qE = problem.scenario.rules.masks_per_worker * 10_000_000
    assert qE == 7 * 10**13
    levels = np.array([0.3, 1e-9, 1.0])
    boxes = needed_for(problem, levels, np.array([0, 0, 0]))[0]
    reach = lambda k: k / qE >= levels - 1e-12  # noqa: E731  (S = 0)
    assert reach(boxes).all() and not reach(boxes - 1).any()
    result = run_cli(runner, ["solve", str(tmp_path / "huge.csv"), *[a for s in sets for a in ("--set", s)], "-q"])
    assert result.exit_code == 0, result.output


def test_the_stage_values_are_those_of_the_exported_plan(keqiao_result):
    # stage 3 is proven in stage 2 on Keqiao, so the exported plan is stage 2's: its output is
    # stage 2's value (spare seats were filled after the stages before, and were not counted)
    assert keqiao_result.stages[2].note == "proven in stage 2"
    assert keqiao_result.evaluation.weighted_output == keqiao_result.stages[1].value
    assert keqiao_result.evaluation.resources_used == keqiao_result.stages[2].value


def test_a_failing_html_target_writes_nothing(small_instance, tmp_path):
    blocker = tmp_path / "missing"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    out = tmp_path / "export"
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out), "--html", str(blocker / "r.html"),
                              "-q", "--time-limit", "20"])
    assert result.exit_code == 2 and "Nothing was written" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["missing"]


def test_an_export_folder_holding_other_files_is_refused(small_instance, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("the officer's own notes", encoding="utf-8")
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out), "-q", "--time-limit", "20"])
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_failure_during_the_swap_restores_the_old_export(small_instance, tmp_path, monkeypatch):
    out = tmp_path / "out"
    html = tmp_path / "report.html"
    args = ["solve", str(small_instance), "--export", str(out), "--html", str(html), "-q", "--time-limit", "20"]
    assert run_cli(runner, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    page = html.read_bytes()
    real = os.replace

    def failing(src, dst):  # the export folder swaps in, then the new page cannot
        if str(dst) == str(html) and str(src).endswith(".tmp"):
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    result = run_cli(runner, [*args, "--set", "supply.masks=1000"])
    assert result.exit_code == 2 and "No space left" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before and html.read_bytes() == page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "report.html"]  # nothing left behind


def test_whatif_names_that_share_a_folder_are_refused(small_instance, tmp_path):
    scenarios = tmp_path / "s.toml"
    scenarios.write_text('[scenario."a/b"]\nsupply.buses = 10\n[scenario."a_b"]\nsupply.buses = 20\n'
                         '[scenario.BASE]\nsupply.buses = 30\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(runner, ["whatif", str(small_instance), "--scenarios", str(scenarios), "--out", str(out)])
    assert result.exit_code == 2
    assert "'a/b' and 'a_b'" in result.stderr and "'base' and 'BASE'" in result.stderr
    assert not out.exists()


def test_summary_claims_are_checked_independently(tmp_path):
    # spec_check flags an "optimal" whose bound is too far, and a bound below a feasible plan
    from tests.spec_check import _claims

    stages = [{"stage": 1, "sense": "max", "status": "optimal", "value": 0.9999992, "bound": 1.0},
              {"stage": 2, "sense": "max", "status": "within gap", "value": 100.0, "bound": 99.0},
              {"stage": 3, "sense": "min", "status": "optimal", "value": 1.0, "bound": 1.0}]
    found = _claims(stages, {1: 0.9999992, 2: 100.0, 3: 0})
    assert len(found) == 3 and "'optimal'" in found[0] and "wrong side" in found[1] and "above" in found[2]
    assert json.dumps(found)
