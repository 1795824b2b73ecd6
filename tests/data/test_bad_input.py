"""Every kind of bad input: one clear message naming file, row and column, exit 2, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import run_cli

runner = CliRunner()

HEADER = "enterprise_id,name,park,chain_link,tier,employees,on_post,workers_away,origin,electricity_recovery,masks_in_stock,trucks_needed,output_value"
GOOD = "E1,甲,P1,dyeing,A,100,50,10,贵州,0.9,100,1,5.5"
OTHER = "E2,乙,P1,weaving,B,50,20,0,,0.5,0,0,2"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _row(**changes: str) -> str:
    cells = dict(zip(HEADER.split(","), GOOD.split(",")))
    cells.update(changes)
    return ",".join(cells.values())


# (case id, file bytes, expected fragments of the message: row, column, words)
CASES = [
    # a required column is missing from the header
    ("missing column", _csv("E1,甲,P1,dyeing,100,50,0.9", header="enterprise_id,name,park,chain_link,employees,on_post,electricity_recovery"), ["row 1", "'tier'", "missing"]),
    # a count that is not a number
    ("bad number", _csv(OTHER, _row(employees="12a")), ["row 3", "'employees'", "whole number"]),
    # exponents are rejected even when they denote whole numbers
    ("exponent", _csv(_row(masks_in_stock="1e3")), ["row 2", "'masks_in_stock'", "whole number"]),
    # thousands must be grouped by three (1,201 is accepted, tests/data/test_spreadsheet_numbers.py)
    ("badly grouped thousands", _csv(_row(masks_in_stock='"1,20"')), ["row 2", "'masks_in_stock'", "grouped by three"]),
    ("badly grouped decimal", _csv(_row(output_value='"12,34.5"')), ["row 2", "'output_value'", "grouped by three"]),
    # NaN and inf are not numbers an officer means
    ("nan", _csv(_row(electricity_recovery="nan")), ["row 2", "'electricity_recovery'", "decimal"]),
    ("inf", _csv(_row(output_value="inf")), ["row 2", "'output_value'", "decimal"]),
    # counts above 10,000,000
    ("huge count", _csv(_row(employees="20000000", on_post="1")), ["row 2", "'employees'", "10,000,000"]),
    # a count of 400 digits: too large, not an overflow (float parsing of the whole cell)
    ("count of 400 digits", _csv(_row(masks_in_stock="9" * 400)), ["row 2", "'masks_in_stock'", "10,000,000"]),
    # duplicate ids name the first row too
    ("duplicate id", _csv(_row(), _row()), ["row 3", "'enterprise_id'", "first used at row 2"]),
    ("on_post above employees", _csv(_row(on_post="200")), ["row 2", "'on_post'", "larger than employees"]),
    ("on_post + away above employees", _csv(_row(workers_away="60")), ["row 2", "'workers_away'", "larger than employees"]),
    ("away without origin", _csv(_row(origin="")), ["row 2", "'origin'", "blank"]),
    ("unknown tier", _csv(_row(tier="D")), ["row 2", "'tier'", "A, B or C"]),
    ("negative count", _csv(_row(trucks_needed="-2")), ["row 2", "'trucks_needed'", "negative"]),
    ("negative ratio", _csv(_row(electricity_recovery="-0.1")), ["row 2", "'electricity_recovery'", "negative"]),
    # a percentage is a share: electricity_recovery only
    ("percent elsewhere", _csv(_row(output_value="83%")), ["row 2", "'output_value'", "decimal"]),
    ("percent with exponent", _csv(_row(electricity_recovery="1e2%")), ["row 2", "'electricity_recovery'", "83%"]),
    ("ratio written as percent", _csv(_row(electricity_recovery="83")), ["row 2", "'electricity_recovery'", "ratio"]),
    ("blank required cell", _csv(_row(park="")), ["row 2", "'park'", "blank"]),
    ("zero employees", _csv(_row(employees="0", on_post="0", workers_away="0")), ["row 2", "'employees'", "greater than 0"]),
    ("zero output value", _csv(_row(output_value="0")), ["row 2", "'output_value'", "greater than 0"]),
    ("too many cells", _csv(_row() + ",surplus"), ["row 2", "cells"]),
    ("empty file", b"", ["empty"]),
    ("header only", _csv(), ["row 1", "no enterprise rows"]),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary"]),
    ("undecodable", b"enterprise_id\n\xff\xfe\xff\n", ["UTF-8", "GB18030"]),
    # blank lines do not shift the reported row: the bad row is line 4 of the file
    ("row numbers count blank lines", ("\n".join([HEADER, OTHER, "", _row(tier="X")]) + "\n").encode(), ["row 4", "'tier'"]),
]


@pytest.mark.parametrize("content,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_instance_is_rejected_cleanly(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    out = tmp_path / "export"
    result = run_cli(runner, ["solve", str(path), "--export", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert "Traceback" not in result.output + message
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert not out.exists()


def test_validate_lists_every_problem_not_just_the_first(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(_row(tier="D"), _row(enterprise_id="E9", employees="x"), _row(enterprise_id="E8", origin="")))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 3
    assert ["row 2" in lines[0], "row 3" in lines[1], "row 4" in lines[2]] == [True, True, True]


def _others(count: int) -> list[str]:
    return [_row(enterprise_id=f"E{i}", workers_away="0", origin="") for i in range(2, count + 2)]


QUOTE_CASES = [
    # (case, rows, row and column of the opening quote, wording)
    ("first row, to the end", ['"' + _row(), *_others(4)], "row 2, column 'enterprise_id'", "never closed"),
    ("last row, one line", [_row(), _row(enterprise_id="E2", name='"乙')], "row 3, column 'name'", "never closed"),
    ("over the csv size limit", ['"' + _row(), *_others(2000)], "row 2, column 'enterprise_id'", "never closed"),
    ("closed 30 rows later", [_row(name='"甲'), *_others(30), _row(enterprise_id="E99", name='乙"')],
     "row 2, column 'name'", "closed only at row 33"),
]


@pytest.mark.parametrize("rows,where,wording", [c[1:] for c in QUOTE_CASES], ids=[c[0] for c in QUOTE_CASES])
def test_a_quote_left_open_is_one_problem_where_it_opens(tmp_path, rows, where, wording):
    """An unclosed quote was read as one cell to the end of the file and reported as six blank
    cells on the last row, nothing about the quote (found by a new-user trial)."""
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(*rows))
    for lang, said in (("en", [f"{where}: a quote opens here", wording]), ("zh", ["引号"])):
        result = runner.invoke(app, ["validate", str(path), "--lang", lang])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert len(lines) == 1 and all(fragment in lines[0] for fragment in said), lines


def test_quoted_cells_with_line_breaks_and_commas_still_read(tmp_path):
    """The open-quote check must not refuse a cell that legitimately holds a comma or line breaks."""
    from allocator.data.reading import read_instance

    path = tmp_path / "ok.csv"
    path.write_bytes(_csv(_row(name='"甲,\n绍兴""恒达""\n印染"'), *_others(1), _row(enterprise_id="E9", name='"乙"')))
    instance = read_instance(path)
    assert instance.name[0] == '甲,\n绍兴"恒达"\n印染' and instance.name[2] == "乙"
    assert list(instance.rows) == [4, 5, 6]  # a row is numbered by the line it ends on


@pytest.mark.parametrize("toml", ["[supply]\nmasks = \"lots\"\n", "[supply\nmasks = 1\n"], ids=["bad value", "not TOML"])
def test_validate_lists_the_register_the_scenario_and_the_set_problems_together(tmp_path, toml):
    """A bad scenario file used to hide the --set problems (found by a new-user trial): all are listed."""
    path, scenario = tmp_path / "bad.csv", tmp_path / "bad.toml"
    path.write_bytes(_csv(_row(tier="D")))
    scenario.write_text(toml, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--scenario", str(scenario), "--set", "supply.passes=-1",
                                 "--set", "supply.buses=x"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 4, lines
    assert "bad.csv" in lines[0] and "bad.toml" in lines[1]
    assert "'supply.passes'" in lines[2] and "'supply.buses'" in lines[3] and "--set" in lines[2]


SCENARIO_CASES = [
    ("unknown key", "[supply]\nmask = 5\n", ["supply.mask", "unknown"]),
    ("wrong type", "[supply]\nmasks = \"many\"\n", ["supply.masks", "number"]),
    ("fractional count", "[supply]\npasses = 9.5\n", ["supply.passes", "whole number"]),
    ("bool expected", "[rules]\nchain_balance = 1\n", ["rules.chain_balance", "true or false"]),
    ("reserves above 1", "[tiers.A]\nmask_reserve = 0.6\n[tiers.B]\nmask_reserve = 0.5\n", ["add up to 1.1"]),
    ("zero bus seats", "[supply]\nbus_seats = 0\n", ["supply.bus_seats", "at least 1"]),
    ("zero pack", "[supply]\nmask_pack = 0\n", ["supply.mask_pack", "at least 1"]),
    ("share above 1", "[rules]\nfreight_free_share = 1.5\n", ["rules.freight_free_share", "at most 1"]),
    ("not TOML", "[supply\nmasks = 1\n", ["not valid TOML"]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_is_rejected_cleanly(tmp_path, text, expected):
    instance = tmp_path / "ok.csv"
    instance.write_bytes(_csv(_row()))
    scenario = tmp_path / "s.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "export"
    result = run_cli(runner, ["solve", str(instance), "--scenario", str(scenario), "--export", str(out)])
    assert result.exit_code == 2, result.output
    assert str(scenario) in result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "assignment,expected",
    [("supply.masks=lots", "supply.masks"), ("tiers.D.weight=2", "unknown"), ("novalue", "key=value"), ("rules.chain_links=3", "list")],
)
def test_bad_set_override(tmp_path, assignment, expected):
    instance = tmp_path / "ok.csv"
    instance.write_bytes(_csv(_row()))
    result = run_cli(runner, ["solve", str(instance), "--set", assignment])
    assert result.exit_code == 2
    assert "--set" in result.stderr and expected in result.stderr


def test_missing_instance_file(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "file not found" in result.stderr
