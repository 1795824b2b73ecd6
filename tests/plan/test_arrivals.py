"""ARRIVALS.csv: what is accepted, and every kind of bad input (file, row, column; exit 2; nothing written)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from allocator.errors import InputError
from allocator.plan.arrivals import read_arrivals
from tests.conftest import DATA, run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})


def _file(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "arrivals.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_missing_days_and_cells_are_zero_and_deliveries_of_a_day_add_up(tmp_path):
    path = _file(tmp_path, 'day,masks,passes,buses,note\n2,"45,000",,3,first lot\n\n4,1000.0,2,,\n2,500,1,1,second lot\n')
    week = read_arrivals(path, 5)
    assert week.masks.tolist() == [0, 45500, 0, 1000, 0]
    assert week.passes.tolist() == [0, 1, 0, 2, 0]
    assert week.buses.tolist() == [0, 4, 0, 0, 0]
    assert week.sha256 and week.source == str(path)


def test_chinese_headers_and_gb18030(tmp_path):
    path = _file(tmp_path, "天,口罩,通行证,包车\n1,100,1,2\n", "gb18030")
    week = read_arrivals(path, 1)
    assert (week.masks.tolist(), week.passes.tolist(), week.buses.tolist()) == ([100], [1], [2])


# (case id, file text, --days, expected fragments: row, column, words)
BAD = [
    # a day outside 1..D
    ("day beyond the horizon", "day,masks\n1,10\n8,10\n", 7, ["row 3", "'day'", "between 1 and 7"]),
    ("day zero", "day,masks\n0,10\n", 3, ["row 2", "'day'", "between 1 and 3"]),
    # negative and non-whole counts
    ("negative masks", "day,masks,passes\n1,-50,1\n", 3, ["row 2", "'masks'", "negative"]),
    ("non-whole buses", "day,buses\n2,1.5\n", 3, ["row 2", "'buses'", "whole number"]),
    ("non-whole day", "day,buses\n2.5,1\n", 3, ["row 2", "'day'", "whole number"]),
    ("exponent", "day,masks\n1,1e5\n", 3, ["row 2", "'masks'", "whole number"]),
    ("badly grouped thousands", 'day,masks\n1,"1,20"\n', 3, ["row 2", "'masks'", "whole number"]),
    ("blank day", "day,masks\n,10\n", 3, ["row 2", "'day'", "blank"]),
    ("no day column", "masks,buses\n10,1\n", 3, ["row 1", "'day'", "missing"]),
    ("no count column", "day,note\n1,x\n", 3, ["row 1", "nothing would arrive"]),
    ("header only", "day,masks\n", 3, ["row 1", "no day rows"]),
    # a column twice (it used to crash with KeyError 'column')
    ("column twice", "day,masks,masks\n1,10,10\n", 3, ["row 1", "'masks' appears twice", "(as 'masks' and 'masks')"]),
    ("column twice, once in Chinese", "day,masks,口罩\n1,10,10\n", 3, ["row 1", "'masks' appears twice", "'口罩'"]),
]


@pytest.mark.parametrize("case, text, days, fragments", BAD, ids=[c[0] for c in BAD])
def test_bad_arrivals_exit_2_naming_file_row_and_column(tmp_path, case, text, days, fragments):
    path = _file(tmp_path, text)
    out = tmp_path / "out"
    result = run_cli(runner, ["plan", str(DATA / "week_pass.csv"), "--days", str(days), "--arrivals", str(path),
                              "-s", str(DATA / "week_pass.toml"), "--export", str(out)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    assert not out.exists()


def test_every_problem_is_listed_at_once(tmp_path):
    path = _file(tmp_path, "day,masks,passes\n9,-1,x\n")
    with pytest.raises(InputError) as caught:
        read_arrivals(path, 3)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "day"), (2, "masks"), (2, "passes")]


def test_a_horizon_longer_than_mask_days_is_a_bad_scenario(tmp_path):
    out = tmp_path / "out"
    result = run_cli(runner, ["plan", str(DATA / "week_pass.csv"), "--days", "8", "-s", str(DATA / "week_pass.toml"),
                              "--export", str(out)])
    assert result.exit_code == 2 and "rules.mask_days" in result.output and "8 days" in result.output
    assert str(DATA / "week_pass.toml") in result.output and not out.exists()
    bad_instance = tmp_path / "bad.csv"
    bad_instance.write_text("enterprise_id,park\nE1,P\n", encoding="utf-8")
    both = run_cli(runner, ["plan", str(bad_instance), "--days", "2", "--arrivals", str(_file(tmp_path, "day,buses\n5,1\n"))])
    assert both.exit_code == 2 and "'tier'" in both.output and "between 1 and 2" in both.output  # both files at once


def test_arrivals_are_whole_numbers_on_the_library_side():
    with pytest.raises(ValueError):
        from allocator.plan.arrivals import Arrivals

        Arrivals(2, np.array([0, -1]), np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64))


@pytest.mark.parametrize("case, text, days, fragments", BAD, ids=[c[0] for c in BAD])
def test_every_arrivals_problem_has_chinese_words(tmp_path, case, text, days, fragments):
    """Under --lang zh an officer reads no English: each problem carries a wording with a zh text."""
    from allocator.output.words import TEXT, describe

    with pytest.raises(InputError) as caught:
        read_arrivals(_file(tmp_path, text), days)
    for found in caught.value.problems:
        assert found.code in TEXT, found
        said = describe(found, "zh")
        assert said != str(found) and "第 " in said and not any(word in said for word in ("must", "missing", "got"))


def test_arrivals_and_horizon_errors_in_chinese_on_the_command_line(tmp_path):
    path = _file(tmp_path, "day,masks\n9,-5\n")
    result = run_cli(runner, ["plan", str(DATA / "week_pass.csv"), "--days", "3", "--arrivals", str(path),
                              "-s", str(DATA / "week_pass.toml"), "--lang", "zh"])
    assert result.exit_code == 2, result.output
    assert "错误：" in result.output and "第 2 行" in result.output
    assert "天数应在 1 到 3 之间" in result.output and "不能为负数" in result.output
    longer = run_cli(runner, ["plan", str(DATA / "week_pass.csv"), "--days", "8", "-s", str(DATA / "week_pass.toml"),
                              "--lang", "zh"])
    assert longer.exit_code == 2 and "计划期 8 天长于 rules.mask_days" in longer.output
    orphan = run_cli(runner, ["whatif", str(DATA / "week_pass.csv"), "--arrivals", str(path), "--lang", "zh"])
    assert orphan.exit_code == 2 and "请同时给出 --plan-days D" in orphan.output
