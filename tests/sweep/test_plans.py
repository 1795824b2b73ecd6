"""What-if sweeps of week plans: ``whatif --plan-days D --arrivals A.csv --vary ...``, arrival schedules included."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from tests.conftest import DATA, run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
BASE = ["whatif", str(DATA / "week_chain.csv"), "-s", str(DATA / "week_chain.toml"), "--plan-days", "2",
        "--arrivals", str(DATA / "week_chain_arrivals.csv"), "--workers", "1"]


def test_a_sweep_of_weeks_over_supplies_and_arrival_schedules(tmp_path):
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("day,buses\n1,0\n", encoding="utf-8")
    out = tmp_path / "sweep"
    result = run_cli(runner, [*BASE, "--vary", "supply.masks=60", "--vary", f"arrivals={nothing}", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(out / "comparison.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row["scenario"]: row for row in csv.DictReader(handle)}
    base = rows["base"]
    assert float(base["lowest_link_days"]) == 1.2 and float(base["weighted_output_days"]) == 72
    assert float(base["gain_lowest_link_days"]) == 0.2  # the week against day by day
    (variant,) = [row for name, row in rows.items() if name != "base"]
    # 60 masks (6 boxes) and no bus on day 2: M1's workers never come, D1 takes 5 boxes on day 1: 0.5 + 0.5
    assert float(variant["lowest_link_days"]) == 1.0
    summary = json.loads(next(p for p in out.iterdir() if p.name.startswith("masks=60")).joinpath(
        "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "plan" and summary["arrivals"]["file"] == str(nothing)


def test_bad_arrivals_anywhere_in_the_sweep_are_exit_2_before_any_run(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("day,masks\n3,10\n", encoding="utf-8")
    out = tmp_path / "sweep"
    result = run_cli(runner, [*BASE, "--vary", f"arrivals={bad}", "--out", str(out)])
    assert result.exit_code == 2 and "row 2" in result.output and "'day'" in result.output and not out.exists()
    lonely = run_cli(runner, ["whatif", str(DATA / "week_chain.csv"), "--arrivals", str(bad)])
    assert lonely.exit_code == 2 and "--plan-days" in lonely.output


def test_a_variant_whose_mask_days_are_too_short_fails_in_its_own_row(tmp_path):
    out = tmp_path / "sweep"
    result = run_cli(runner, [*BASE, "--vary", "rules.mask_days=1,5", "--out", str(out)])
    assert result.exit_code == 1
    with open(out / "comparison.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row["scenario"]: row for row in csv.DictReader(handle)}
    assert rows["mask_days=1"]["status"] == "failed" and "mask_days" in rows["mask_days=1"]["error"]
    assert rows["mask_days=5"]["status"] in ("optimal", "within gap")
