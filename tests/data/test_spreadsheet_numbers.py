"""Numbers as an officer's spreadsheet writes them (SPEC input section), in CSV as in workbooks."""

from __future__ import annotations

import pytest

from allocator.data.reading import read_instance
from allocator.errors import InputError

HEADER = "enterprise_id,park,chain_link,tier,employees,on_post,workers_away,origin,electricity_recovery,masks_in_stock,output_value\n"


def _one(tmp_path, **cells: str):
    row = {"enterprise_id": "E1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": "2000", "on_post": "1000",
           "workers_away": "0", "origin": "", "electricity_recovery": "0.9", "masks_in_stock": "0", "output_value": "5"}
    row.update(cells)
    path = tmp_path / "one.csv"
    path.write_text(HEADER + ",".join(f'"{v}"' for v in row.values()) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("column,text,value", [
    ("employees", "1,201", 1201),
    ("employees", "1,201.0", 1201),
    ("masks_in_stock", "1,234,567", 1234567),
    ("masks_in_stock", "12,345", 12345),
    ("electricity_recovery", "85%", 0.85),
    ("electricity_recovery", "85 %", 0.85),
    ("electricity_recovery", "85％", 0.85),  # the full-width sign a Chinese input method types
    ("employees", "１２０１", 1201),  # full-width digits, as that input method types them too
    ("electricity_recovery", "０.９", 0.9),  # (pandas raised on them: a traceback, before 7bcbbde)
    ("electricity_recovery", "80.1%", 0.801),  # exactly as written: float("0.801"), not 80.1 / 100
    ("electricity_recovery", "120%", 1.2),
    ("electricity_recovery", "0.83", 0.83),
    ("output_value", "1,201.5", 1201.5),
])
def test_accepted(tmp_path, column, text, value):
    inst = read_instance(_one(tmp_path, **{column: text}))
    assert getattr(inst, column)[0] == value  # exact: == not approx


def test_eighty_percent_is_exactly_the_threshold(tmp_path):
    # 80% must be eligible at the default threshold 0.8 (inclusive), not 0.7999999999999999
    from allocator.data.scenario import Scenario
    from allocator.problem import Problem

    problem = Problem(read_instance(_one(tmp_path, electricity_recovery="80%")), Scenario.default())
    assert bool(problem.eligible[0])


@pytest.mark.parametrize("column,text,words", [
    ("employees", "1,20", "grouped by three"),  # badly grouped
    ("employees", "12,34,567", "grouped by three"),
    ("masks_in_stock", "1,2345", "grouped by three"),
    ("employees", "1,201.5", "whole number"),  # grouped, but not whole
    ("employees", "1e3", "whole number"),  # exponents stay out
    ("electricity_recovery", "8.5e-1", "83%"),
    ("electricity_recovery", "nan", "83%"),
    ("electricity_recovery", "inf%", "83%"),
    ("electricity_recovery", "1,200%", "not credible"),  # 12: a share written as a number
    ("output_value", "50%", "decimal"),  # a percentage is a share: electricity recovery only
    ("output_value", "inf", "decimal"),
    ("output_value", "1,20.5", "grouped by three"),
])
def test_rejected(tmp_path, column, text, words):
    with pytest.raises(InputError) as caught:
        read_instance(_one(tmp_path, **{column: text}))
    (problem,) = caught.value.problems
    assert problem.column == column and problem.row == 2 and words in problem.message, problem
