"""``explain --plan-days``: on which day a firm received what, and why not earlier."""

from __future__ import annotations

from typer.testing import CliRunner

from allocator.plan.explain import Why, explain_plan
from tests.conftest import DATA, plan_case, run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
MASKS = [str(DATA / "week_masks.csv"), "-s", str(DATA / "week_masks.toml"), "--plan-days", "2",
         "--arrivals", str(DATA / "week_masks_arrivals.csv")]


def test_boxes_come_with_the_workers_and_the_workers_with_the_first_bus(tmp_path):
    result, _, _, _ = plan_case("week_masks", 2, tmp_path)
    f1 = explain_plan(result, "F1")
    assert [(d.day, d.boxes, d.returned, d.bus_ids) for d in f1.days] == [(1, 0, 0, ()), (2, 3, 5, ("BUS001",))]
    assert f1.why == (Why("workers", 2, "boxes"), Why("no_bus", 2, "workers"))
    assert explain_plan(result, "F2").why == (Why("nothing", 1, reason="outranked"),)


def test_a_pass_kept_in_store_is_ranked_not_missing(tmp_path):
    result, _, _, _ = plan_case("week_pass", 3, tmp_path)
    x = explain_plan(result, "X")
    received = [d for d in x.days if d.passes]
    assert received and (received[0].day == 1 or Why("ranked", 2, "passes") in x.why)


def test_the_command_in_english_and_chinese():
    english = run_cli(runner, ["explain", *MASKS[:1], "F1", *MASKS[1:]])
    assert english.exit_code == 0, english.output
    for words in ("Day by day", "day 2: 3 boxes, 0 passes, 5 workers back (buses BUS001)", "Why not earlier",
                  "no-waste rule", "no charter bus ran before"):
        assert words in english.output, words
    chinese = run_cli(runner, ["explain", *MASKS[:1], "F2", *MASKS[1:], "--lang", "zh"])
    assert chinese.exit_code == 0 and "逐日分配" in chinese.output and "全周未获分配" in chinese.output
    unknown = run_cli(runner, ["explain", *MASKS[:1], "NOPE", *MASKS[1:]])
    assert unknown.exit_code == 2 and "NOPE" in unknown.output
    alone = run_cli(runner, ["explain", *MASKS[:1], "F1", "--arrivals", str(DATA / "week_masks_arrivals.csv")])
    assert alone.exit_code == 2 and "--plan-days" in alone.output
