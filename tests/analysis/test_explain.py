"""Explanations: each reason code and each counterfactual on a hand-checked instance (tests/data/explain.toml)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from allocator.cli import app
from allocator.analysis.explain import Counterfactual, explain
from allocator.output.words import BINDING, LINKS, REASONS, STAGES, STATUSES, TEXT, TIERS
from allocator.data.loading import load_problem
from allocator.output.report import render, render_explanation
from allocator.options import SolveOptions
from allocator.stages.driver import solve
from allocator.analysis.summary import summarize
from tests.conftest import DATA, run_cli

EXACT = SolveOptions(time_limit=20, rel_gap=1e-9)
runner = CliRunner(env={"COLUMNS": "100"})


@pytest.fixture(scope="module")
def case():
    problem = load_problem(DATA / "explain.csv", DATA / "explain.toml")
    return problem, solve(problem, EXACT)


@pytest.mark.parametrize(
    "ident,reason,lacks",
    [("X1", "allocated", ("masks",)), ("X2", "outranked", ("masks",)), ("X3", "ineligible", ("masks",)),
     ("X4", "need_met", ()), ("X5", "allocated", ("passes",)), ("X6", "outranked", ("passes",))],
)
def test_reason_codes(case, ident, reason, lacks):
    problem, result = case
    ex = explain(problem, ident, EXACT, result=result, search=False)
    assert (ex.reason, ex.lacks) == (reason, lacks)


@pytest.mark.parametrize(
    "ident,expected",
    [
        ("X2", [Counterfactual("tier", "A", False, (0, 0, 0)), Counterfactual("masks", 40, True, (1, 0, 0))]),
        ("X3", [Counterfactual("threshold", 0.8, True, (2, 0, 0)), Counterfactual("tier", "B", False, (0, 0, 0))]),
        ("X6", [Counterfactual("tier", "B", False, (0, 0, 0)), Counterfactual("passes", 2, True, (0, 1, 0))]),
        ("X1", []),  # received masks; nothing it lacks is missing
        ("X4", []),
    ],
)
def test_counterfactuals_found_by_re_solving(case, ident, expected):
    problem, result = case
    assert list(explain(problem, ident, EXACT, result=result).counterfactuals) == expected


def test_explain_cli_in_both_languages(tmp_path):
    args = ["explain", str(DATA / "explain.csv"), "X3", "--scenario", str(DATA / "explain.toml")]
    wide = CliRunner(env={"COLUMNS": "250"})
    english = wide.invoke(app, args)
    assert english.exit_code == 0, english.output
    assert "below its tier's threshold 80.0%" in english.output
    assert "with electricity recovery at its threshold (80.0%) it would receive 2 boxes" in english.output
    chinese = wide.invoke(app, args + ["--lang", "zh"])
    assert "低于所属分级的门槛 80.0%" in chinese.output and "若用电恢复率达到门槛（80.0%），它将获得口罩 2 箱" in chinese.output
    missing = runner.invoke(app, ["explain", str(DATA / "explain.csv"), "NOPE"])
    assert missing.exit_code == 2 and "NOPE" in missing.stderr


def test_every_text_has_both_languages_with_the_same_fields():
    import string

    for table in (TEXT, TIERS, LINKS, REASONS, STATUSES, STAGES, BINDING):
        for key, entry in table.items():
            assert set(entry) == {"en", "zh"}, key
            fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("en", "zh")]
            assert fields[0] == fields[1], key


def test_feature_word_tables_do_not_collide():
    from allocator.output.words import FEATURE_TEXTS

    keys = [key for table in FEATURE_TEXTS for key in table]
    assert len(keys) == len(set(keys))
    assert len(TEXT) == len(set(TEXT)) and all(key in TEXT for key in keys)


@pytest.mark.parametrize("width", [80, 120])
def test_chinese_report_renders_width_stable(small_instance, width):
    problem = load_problem(small_instance, sets=["report.lang=zh"])
    result = solve(problem, SolveOptions(time_limit=20))
    console = Console(record=True, width=width, color_system=None)
    console.print(render(result, summarize(result), problem.scenario.lang))
    text = console.export_text()
    assert "产能恢复率" in text and "求解阶段" in text and "未获分配的企业" in text
    assert "\ufffd" not in text  # no mojibake
    assert all(cell_len(line) <= width for line in text.splitlines())
    ex = explain(problem, str(problem.instance.enterprise_id[0]), result=result, search=False)
    console = Console(record=True, width=width, color_system=None)
    console.print(render_explanation(ex, "zh"))
    assert all(cell_len(line) <= width for line in console.export_text().splitlines())


def test_gbk_console_does_not_crash(small_instance):
    env = dict(os.environ, PYTHONIOENCODING="gbk", COLUMNS="100")
    done = subprocess.run([sys.executable, "-m", "allocator", "solve", str(small_instance), "--lang", "zh", "--time-limit", "20"],
                          capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    text = done.stdout.decode("gbk")
    assert "产能恢复率" in text


def test_chinese_export_headers_keep_codes(small_instance, tmp_path):
    out = tmp_path / "zh"
    assert run_cli(runner, ["solve", str(small_instance), "--lang", "zh", "--export", str(out), "-q"]).exit_code == 0
    lines = (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("企业编号,企业名称,分级,产业链环节,园区")
    assert lines[1].split(",")[-1] in REASONS  # values stay codes for spreadsheets


def test_scenario_conflicts_are_explained_in_plain_words(tmp_path):
    # the tier C reserve of reserve.toml (2 boxes) when K2 can use only 1 box: trimmed, and said so
    instance = tmp_path / "reserve.csv"
    source = (DATA / "reserve.csv").read_text(encoding="utf-8")
    instance.write_text(source.replace("K2,小微,P1,weaving,C,10,10", "K2,小微,P1,weaving,C,10,2"), encoding="utf-8")
    summary = summarize(solve(load_problem(instance, DATA / "reserve.toml"), EXACT))
    assert [w["text"] for w in summary["warnings"]] == [
        "tier C reserve (tiers.C.mask_reserve = 0.5) asks for 2 boxes but its eligible enterprises can use only 1; "
        "the reserve is trimmed to what the tier can use"
    ]
    # a threshold that leaves a listed link without any eligible enterprise
    low = load_problem(DATA / "chain.csv", DATA / "chain.toml", ["tiers.C.electricity_threshold=0.95"])
    warnings = summarize(solve(low, EXACT))["warnings"]
    assert [(w["code"], w["link"]) for w in warnings] == [("warn_link_ineligible", "market")]


def test_large_extra_supply_is_bracketed_not_guessed(tmp_path):
    # X1 (A, v 44, 44 staff, no stock) takes 6 per box up to its cap of 220/10 = 22 boxes; X2
    # (B, 3.6 per box) gets its first box only once 23 boxes exist: 21 more than the 2 of
    # explain.toml. Doubling (1..16 fail, 32 works) and bisection (24 works, 20 fails, 22 works)
    # stop within an eighth: 22 more boxes work, 20 did not; both amounts were solved.
    from tests.conftest import write_rows

    rows = [
        {"enterprise_id": "X1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": 44, "on_post": 44, "electricity_recovery": 0.9, "output_value": 44},
        {"enterprise_id": "X2", "park": "P", "chain_link": "dyeing", "tier": "B", "employees": 10, "on_post": 10, "electricity_recovery": 0.9, "output_value": 9},
    ]
    problem = load_problem(write_rows(tmp_path / "big.csv", rows), DATA / "explain.toml")
    ex = explain(problem, "X2", EXACT)
    assert ex.counterfactuals[-1] == Counterfactual("masks", 220, True, (2, 0, 0), 200)
    console = Console(record=True, width=200, color_system=None)
    console.print(render_explanation(ex, "en"))
    assert "with 220 more masks in supply it would receive 2 boxes, 0 passes, 0 returned workers (200 more were not enough)" in console.export_text()
