"""What an officer sees: scenario keys and their errors, who gets what, every table at 80 columns."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import DATA, run_cli

narrow = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"})


def test_keys_lists_every_scenario_key_with_its_default():
    from allocator.data.scenario import _SCHEMA

    result = narrow.invoke(app, ["keys"])
    assert result.exit_code == 0
    for key in _SCHEMA:
        assert key in result.output
    assert re.search(r"supply\.masks\s+380000\s+whole number ≥ 0", result.output)
    help_text = narrow.invoke(app, ["solve", "--help"]).output
    assert "supply.masks=380000" in help_text and "tiers.C.weight=1" in help_text  # solve --help's epilog


def test_keys_lists_the_assign_fields_keys_that_toml_and_set_accept():
    """`allocator keys` left out assign.fields.*, accepted in TOML and --set (found by a new-user trial)."""
    from allocator.data.scenario import DEFAULTS, Scenario, parse_value, scenario_keys

    output = narrow.invoke(app, ["keys"]).output
    for link in DEFAULTS["assign"]["fields"]:
        assert re.search(rf"assign\.fields\.{link}\s+\[\"\w+\".*\]\s+fields that serve this chain link", output), link
    assert re.search(r'assign\.fields\.trade\s+\["trade", "commerce"\]', output)
    assert "assign.fields.<link>" in output
    help_text = narrow.invoke(app, ["solve", "--help"]).output
    assert 'assign.fields.market=["commerce"]' in help_text
    for key, default, _ in scenario_keys():  # every key listed is accepted, with its default as written
        if "<" not in key and not default.startswith("("):
            Scenario.default().with_overrides({key: parse_value(default)})


@pytest.mark.parametrize("lang,expected", [
    ("en", "unknown scenario key 'supply.maskz' (did you mean: supply.masks, supply.mask_pack"),
    ("zh", "未知的情景参数“supply.maskz”（是否想写：supply.masks, supply.mask_pack"),
])
def test_an_unknown_key_suggests_the_nearest(lang, expected):
    result = narrow.invoke(app, ["validate", str(DATA / "chain.csv"), "--set", "supply.maskz=5", "--lang", lang])
    assert result.exit_code == 2 and expected in result.stderr, result.stderr


def test_scenario_errors_in_chinese(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text("[supply]\nbus_seats = 0\n", encoding="utf-8")
    result = narrow.invoke(app, ["validate", str(DATA / "chain.csv"), "-s", str(scenario), "--lang", "zh"])
    assert result.exit_code == 2
    assert f"错误：{scenario}，“supply.bus_seats”列：不能小于 1，实际为“0”" in result.stderr


def _fits(text: str, width: int = 80) -> None:
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not too_wide, too_wide


@pytest.fixture(scope="module")
def report(small_instance):
    return run_cli(narrow, ["solve", str(small_instance), "--time-limit", "20", "--show", "parks"])


def test_the_report_reads_at_80_columns(report):
    assert report.exit_code == 0, report.output
    _fits(report.output)
    assert re.search(r"Plan: optimal\s+\(\d+\.\d s\)", report.output)  # the headline does not wrap mid-figure
    assert "min boxes +" in report.output and "passes + buses" in report.output and "…" not in report.output


def test_show_parks_is_the_delivery_list_with_a_total(report, small_instance):
    import csv

    with open(small_instance, encoding="utf-8-sig") as handle:
        parks = {row["park"] for row in csv.DictReader(handle)}
    assert "Deliveries by park: all" in report.output
    listed = [p for p in parks if p in report.output]
    assert listed
    total = re.search(r"│ total\s+│\s+([\d,]+) │\s+([\d,]+) \(([\d,]+)\)", report.output)
    assert total and int(total.group(3).replace(",", "")) == 50 * int(total.group(2).replace(",", ""))


def test_show_firms_filters_by_park_tier_and_link(tmp_path):
    result = run_cli(narrow, ["solve", str(DATA / "chain.csv"), "-s", str(DATA / "chain.toml"), "--show", "firms",
                              "--link", "市场"])
    assert result.exit_code == 0
    assert "J2 市场一" in result.output and "J1 印染一" not in result.output  # J1 (dyeing) is filtered out
    _fits(result.output)
    result = run_cli(narrow, ["solve", str(DATA / "chain.csv"), "-s", str(DATA / "chain.toml"), "--show", "firms",
                              "--tier", "A"])
    assert "J1 印染一" in result.output and "J2" not in result.output.split("receive something")[-1]



@pytest.mark.parametrize("typo", [["--park", "nowhere"], ["--tier", "D"], ["--link", "banana"]])
def test_a_filter_no_enterprise_matches_is_refused_before_the_solve(tmp_path, typo):
    """A typo in --park, --tier or --link: exit 2 naming it, before the solve, nothing written."""
    out = tmp_path / "out"
    none = run_cli(narrow, ["solve", str(DATA / "chain.csv"), "-s", str(DATA / "chain.toml"), "--show", "parks",
                            *typo, "--export", str(out)])
    assert none.exit_code == 2
    assert f"matches {' '.join(typo)}; nothing was solved" in none.stderr and "Plan:" not in none.output
    assert not out.exists()


def test_whatif_table_at_80_columns_keeps_names_whole(small_instance, tmp_path):
    result = run_cli(narrow, ["whatif", str(small_instance), "--vary", "supply.masks=300000,650000",
                              "--vary", "rules.electricity_threshold=0.7", "--deterministic", "--workers", "1"])
    assert result.exit_code == 0, result.output
    _fits(result.output)
    assert "…" not in result.output
    for name in ("masks=300000 electricity_threshold=0.7", "masks=650000 electricity_threshold=0.7"):
        assert name in result.output  # whole, on one line (listed under the numbered table)
    for header in ("recovery", "lowest", "output", "gap:"):
        assert header in result.output


@pytest.mark.parametrize("command", ["solve", "explain", "validate", "whatif", "template", "generate"])
def test_help_at_80_columns_keeps_option_names_whole(command):
    from allocator.cli.common import app as typer_app  # noqa: F401 (the commands are registered)
    import typer.main

    result = narrow.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    click_command = typer.main.get_command(app).commands[command]
    for param in click_command.params:
        for name in param.opts:
            if name.startswith("--"):
                assert re.search(re.escape(name) + r"(\s|$)", result.output), (command, name)
    assert not re.search(r"--\S*…", result.output)


def test_chinese_words_are_not_mixed_with_english_or_doubled():
    from allocator.analysis.explain import Counterfactual
    from allocator.output.report import _counterfactual
    from allocator.output.wording import stage_note

    assert stage_note("proven in stage 2", "zh") == "已在第 2 阶段证明"  # was "最优 (proven in stage 2)"
    assert stage_note("some solver note", "zh") == "some solver note"  # notes without a translation stay as they are
    text = _counterfactual(Counterfactual("tier", "A", True, (2, 0, 0)), "zh")
    assert "A类（重点企业）" in text and "类企业" not in text  # was "A类（重点企业）类企业"
