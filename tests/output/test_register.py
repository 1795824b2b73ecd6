"""allocator template: an empty register a district can fill in, which the reader then accepts."""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import run_cli, write_rows

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
EXAMPLE = {"enterprise_id": "E001", "name": "绍兴恒达印染有限公司", "park": "柯桥第1工业园", "chain_link": "印染", "tier": "A",
           "employees": 120, "on_post": 60, "workers_away": 40, "origin": "贵州毕节", "electricity_recovery": 0.85,
           "masks_in_stock": 200, "trucks_needed": 2, "output_value": 35.5}


@pytest.mark.parametrize("lang,sheet,first", [("zh", "企业登记", "企业编号"), ("en", "register", "enterprise_id")])
def test_template_filled_with_one_row_solves(tmp_path, lang, sheet, first):
    path = tmp_path / "企业登记表.xlsx"
    result = runner.invoke(app, ["template", "-o", str(path), "--lang", lang])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    register = book[sheet]
    assert register["A2"].value == first and register.freeze_panes == "A3"
    assert "(required)" in register["A1"].value or "（必填）" in register["A1"].value  # the notes row
    checks = {str(d.sqref).split(":")[0]: d for d in register.data_validations.dataValidation}
    assert checks["E3"].type == "list" and checks["E3"].formula1 == '"A,B,C"'  # tier
    assert checks["D3"].type == "list" and checks["D3"].errorStyle == "warning"  # chain link: others allowed
    assert checks["F3"].type == "whole" and checks["J3"].type == "decimal"  # employees, electricity recovery
    assert register.column_dimensions["J"].number_format == "0%"
    for column, value in enumerate(EXAMPLE.values(), start=1):  # an officer fills in one row
        register.cell(row=3, column=column, value=value)
    book.save(path)
    write_rows(path.with_suffix(".csv"), [dict(EXAMPLE, chain_link="dyeing")])  # the twin run_cli's checker reads
    out = tmp_path / "out"
    solved = run_cli(runner, ["solve", str(path), "--export", str(out), "--format", "json"])
    assert solved.exit_code == 0, solved.output
    summary = json.loads(solved.stdout)
    assert summary["instance"]["enterprises"] == 1 and summary["plan"] is True
    assert "the header is row 2" in summary["instance"]["notes"][0]
