"""Registers kept in Excel or WPS: .xlsx, .xls, .ods read through the same reader, rules and errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pytest
import xlsxwriter
from typer.testing import CliRunner

from allocator.cli import app
from allocator.data.reading import read_instance
from allocator.errors import InputError
from allocator.output.words import describe
from tests.conftest import DATA, run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})

HEADERS = ["企业编号", "企业名称", "园区", "产业链环节", "分级", "员工数（人）", "在岗人数", "用电恢复率", "产值", "填报日期"]
# tests/cases/chain.csv, as an officer's sheet holds it
ROWS = [
    ["J1", "印染一", "P1", "印染", "A", 10, 10, 0.9, 10],
    ["J2", "市场一", "P1", "市场", "C", 10, 10, 0.9, 10],
    ["J3", "市场二", "P1", "市场", "C", 10, 10, 0.3, 10],
    ["J4", "其他一", "P1", "其他", "A", 10, 10, 0.9, 10],
]


def officer_workbook(path, on_post_j3: object = 10):
    """A hidden lookup sheet first; then the register: a merged title, a note, the header on row 3,
    a formula (J1's employees, with the value Excel cached), percentages, dates and a park merged
    over J2 and J3."""
    book = xlsxwriter.Workbook(str(path))
    lookup = book.add_worksheet("lists")
    lookup.write_column(0, 0, ["A", "B", "C"])
    lookup.hide()
    sheet = book.add_worksheet("企业登记")  # the hidden sheet comes first in the file
    sheet.activate()
    percent, date = book.add_format({"num_format": "0%"}), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range("A1:J1", "柯桥区企业登记表（2020年2月20日）")
    sheet.write("A2", "说明：员工数单位为人；用电恢复率为同比")
    sheet.write_row("A3", HEADERS)
    for i, row in enumerate(ROWS):
        r = 3 + i
        sheet.write_row(r, 0, row[:7])
        sheet.write_number(r, 7, row[7], percent)
        sheet.write_number(r, 8, row[8])
        sheet.write_datetime(r, 9, dt.datetime(2020, 2, 20), date)
    sheet.write_formula("F4", "=5+5", None, 10)  # J1's employees: a formula with its cached value
    sheet.merge_range("C5:C6", "P1")  # J2 and J3 share a park cell
    sheet.write("G6", on_post_j3)
    book.close()
    return path


def test_xlsx_register_reads_like_its_csv(tmp_path):
    inst = read_instance(officer_workbook(tmp_path / "登记.xlsx"))
    plain = read_instance(DATA / "chain.csv")
    for column in ("enterprise_id", "name", "park", "chain_link", "tier", "employees", "on_post", "electricity_recovery",
                   "output_value"):
        assert np.array_equal(getattr(inst, column), getattr(plain, column)), column
    assert inst.rows.tolist() == [4, 5, 6, 7]  # the rows Excel shows
    notes = [str(n) for n in inst.notes]
    assert any("the header is row 3" in n and "(1–2)" in n for n in notes), notes
    assert any("merged" in n for n in notes), notes


@pytest.mark.parametrize("lang, said", [("en", "1 cell covered by a merged cell takes the merged cell's value"),
                                        ("zh", "合并单元格覆盖的 1 个单元格按合并单元格的值读取")])
def test_validate_says_1_cell_of_a_merged_park(tmp_path, lang, said):
    """validate's note on the park merged over two rows read '1 cells covered' (a new-user trial)."""
    result = runner.invoke(app, ["validate", str(officer_workbook(tmp_path / "登记.xlsx")), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert said in result.stderr and "1 cells" not in result.stderr


@pytest.mark.parametrize("name", ["chain.xls", "chain.ods"])  # made by tests/cases/make_workbooks.py
def test_xls_and_ods_read_back(name):
    inst = read_instance(DATA / name)
    plain = read_instance(DATA / "chain.csv")
    for column in ("enterprise_id", "name", "chain_link", "tier", "employees", "electricity_recovery", "output_value"):
        assert np.array_equal(getattr(inst, column), getattr(plain, column)), column
    assert inst.notes and "title or notes" in str(inst.notes[0])


def test_a_bad_cell_is_named_as_excel_shows_it(tmp_path):
    path = officer_workbook(tmp_path / "登记.xlsx", on_post_j3="十")
    with pytest.raises(InputError) as caught:
        read_instance(path)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.cell, problem.row, problem.column) == ("企业登记", "G6", 6, "on_post")
    assert str(problem) == f"{path}, 企业登记!G6, column '在岗人数' (on_post): must be a whole number (like 12 or 1,201), got '十'"
    assert describe(problem, "zh") == f"{path}，企业登记!G6，“在岗人数”列：应为整数（如 12 或 1,201），实际为“十”"


def test_cross_checks_name_the_columns_as_the_sheet_wrote_them(tmp_path):
    path = officer_workbook(tmp_path / "登记.xlsx", on_post_j3=11)
    with pytest.raises(InputError) as caught:
        read_instance(path)
    (problem,) = caught.value.problems
    assert describe(problem, "zh").endswith("企业登记!G6，“在岗人数”列：“在岗人数”大于“员工数（人）”")


def test_sheets_by_name_and_unknown_sheets(tmp_path):
    path = officer_workbook(tmp_path / "登记.xlsx")
    assert len(read_instance(path, sheet=" 企业登记 ")) == 4
    with pytest.raises(InputError) as caught:
        read_instance(path, sheet="Sheet1")
    assert "no sheet named 'Sheet1'; the sheets are: lists、企业登记" in str(caught.value)
    with pytest.raises(InputError, match="sheet 'lists', row 1, column 'tier': required column is missing"):
        read_instance(path, sheet="lists")  # the lookup sheet is no register


def test_a_workbook_under_a_csv_name_is_read_as_a_workbook(tmp_path):
    path = tmp_path / "register.csv"
    shutil.copy(officer_workbook(tmp_path / "x.xlsx"), path)
    assert len(read_instance(path)) == 4


def test_a_damaged_workbook_is_refused_cleanly(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = runner.invoke(app, ["validate", str(path), "--lang", "zh"])
    assert result.exit_code == 2 and "无法作为工作簿" in result.stderr and "Traceback" not in result.output


def test_solve_a_workbook_from_the_cli_with_a_checked_export(tmp_path):
    book = officer_workbook(tmp_path / "chain.xlsx")
    shutil.copy(DATA / "chain.csv", tmp_path / "chain.csv")  # the CSV twin run_cli's checker reads
    out = tmp_path / "out"
    result = run_cli(runner, ["solve", str(book), "--scenario", str(DATA / "chain.toml"), "--export", str(out),
                              "--format", "json", "--sheet", "企业登记"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["stages"][0]["value"] == pytest.approx(0.2) and summary["stages"][1]["value"] == pytest.approx(10)
    assert "the header is row 3" in result.stderr  # the note goes to stderr, JSON alone to stdout
    assert "the header is row 3" in summary["instance"]["notes"][0]


def test_validate_speaks_chinese_and_lists_the_names_a_missing_column_may_have(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("企业编号,园区,产业链环节,员工数,在岗人数,用电恢复率\nE1,P,印染,十,5,0.9\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--lang", "zh"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"错误：{path}，第 1 行，“tier”列：缺少必需的列（表头可写作：tier, 分级, 等级, 企业分级）"
    english = runner.invoke(app, ["validate", str(path)])
    assert "required column is missing (a header may read: tier, 分级, 等级, 企业分级)" in english.stderr


def test_generate_writes_a_workbook_that_reads_like_the_csv(tmp_path):
    from allocator.data.instance import COLUMNS

    for name in ("g.xlsx", "g.csv"):
        assert runner.invoke(app, ["generate", "--preset", "small", "--seed", "3", "-o", str(tmp_path / name)]).exit_code == 0
    book, plain = read_instance(tmp_path / "g.xlsx"), read_instance(tmp_path / "g.csv")
    for column in COLUMNS:
        assert np.array_equal(getattr(book, column), getattr(plain, column)), column
