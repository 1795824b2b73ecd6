"""allocation.xlsx: the CSV files cell by cell, with the spreadsheet niceties the logistics team asked for."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator.output.export import ALLOCATION_COLUMNS, BUS_COLUMNS, MASK_COLUMNS, PASS_COLUMNS
from allocator.output.workbook import Block, Sheet, workbook_bytes
from tests.conftest import run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
SHEETS = {"en": ["allocation", "masks", "passes", "buses", "summary"], "zh": ["分配方案", "口罩发放", "通行证发放", "包车", "汇总"]}
FILES = {"allocation.csv": ALLOCATION_COLUMNS, "masks.csv": MASK_COLUMNS, "passes.csv": PASS_COLUMNS, "buses.csv": BUS_COLUMNS}


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _same(csv_cell: str, xlsx_cell) -> bool:
    if xlsx_cell is None:
        return csv_cell == ""
    if isinstance(xlsx_cell, str):
        return xlsx_cell == csv_cell
    return float(csv_cell) == xlsx_cell  # numbers: the value the CSV prints, exactly


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_workbook_holds_the_csv_files_cell_by_cell(small_instance, tmp_path, lang):
    out = tmp_path / "out"
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out), "-q", "--lang", lang])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "allocation.xlsx")
    assert book.sheetnames == SHEETS[lang]
    for (name, columns), sheet_name in zip(FILES.items(), SHEETS[lang]):
        sheet = book[sheet_name]
        rows = _csv(out / name)
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert len(cells) == len(rows), name
        for i, (want, got) in enumerate(zip(rows, cells)):
            assert len(got) == len(want), (name, i)
            for a, b in zip(want, got):
                assert _same(a, b), (name, i, a, b)
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions, name
        for column in ("c_after", "electricity_recovery", "boxes"):
            if column in columns:
                letter = openpyxl.utils.get_column_letter(columns.index(column) + 1)
                assert sheet[f"{letter}2"].number_format == ("#,##0" if column == "boxes" else "0.00%")
        assert all(sheet.column_dimensions[openpyxl.utils.get_column_letter(j + 1)].width >= 6 for j in range(len(columns)))
    summary = book[SHEETS[lang][-1]]
    texts = [c for row in summary.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert ("Solver stages (values recomputed from the allocation)" if lang == "en" else "求解阶段（数值均由分配方案重新计算）") in texts
    assert ("lowest listed link" if lang == "en" else "最低产业链环节") in texts


def test_formula_like_text_is_neutralised_as_in_the_csv():
    data = workbook_bytes([Sheet.table("s", ["a", "=b"], [["=1+1", 2], ["@SUM(A1)", None], ["'=already", 3.5]])])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["s"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["a", "'=b"], ["'=1+1", 2], ["'@SUM(A1)", None], ["'=already", 3.5]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # nothing runs


def test_blocks_stack_with_titles_and_the_bytes_do_not_depend_on_the_clock():
    sheets = [Sheet("two", [Block(["x"], [[1]], title="first"), Block(["y", "z"], [["a", 0.5]], {1: "0.00%"})])]
    data = workbook_bytes(sheets)
    assert data == workbook_bytes(sheets)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["two"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["first", None], ["x", None], [1, None], [None, None], ["y", "z"], ["a", 0.5]]
    assert sheet["B6"].number_format == "0.00%"


def test_the_direct_writer_keeps_every_value_as_written():
    # the export workbooks are written as SpreadsheetML directly (allocator.output.xlsx);
    # openpyxl reads them back cell for cell: spaces, markup characters, Chinese, numbers
    import io

    import openpyxl

    from allocator.output.workbook import PERCENT, Block, Sheet, workbook_bytes

    rows = [[" leading", "a&b<c>\"d'", "印染", 12, 0.8375, True, None], ["=1+1", "", "x", -3, 1e-7, False, 2.5]]
    sheet = Sheet("表 1", [Block(["a", "b", "c", "d", "e", "f", "g"], rows, {4: PERCENT}, title="标题")])
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([sheet, Sheet.table("two", ["x"], [[1]])])))
    assert book.sheetnames == ["表 1", "two"]
    cells = [[c.value for c in row] for row in book["表 1"].iter_rows(min_row=3, max_row=4)]
    assert cells == [[" leading", "a&b<c>\"d'", "印染", 12, 0.8375, "yes", None], ["'=1+1", None, "x", -3, 1e-7, "no", 2.5]]
    assert book["表 1"]["E3"].number_format == PERCENT and book["表 1"].freeze_panes == "A3"
    assert book["表 1"].auto_filter.ref == "A2:G4"


def test_repeated_values_render_once_but_equal_keys_of_other_types_stay_apart():
    # allocator.output.xlsx renders each distinct value of a column once: True == 1 == 1.0 in
    # Python, yet they are "yes", 1 and 1.0 in the sheet; a short row leaves its cells empty
    rows = [[1, "a"], [True, "a"], [1.0, "a"], [1, "a"], [False], [0, "a"]]
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet.table("s", ["n", "t"], rows)])))
    cells = [[c.value for c in row] for row in book["s"].iter_rows(min_row=2)]
    assert cells == [[1, "a"], ["yes", "a"], [1, "a"], [1, "a"], ["no", None], [0, "a"]]
    assert [type(row[0]) for row in cells] == [int, str, float, int, str, int]  # 1.0 stays a float

    # ... and without a bool among them (the summary sheet's bounds: stage 3's an int, stage 1's a float)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet.table("s", ["n"], [[1], [1.0], [0], [-0.0], [None]])])))
    assert [type(row[0].value) for row in book["s"].iter_rows(min_row=2, max_row=5)] == [int, float, int, float]
