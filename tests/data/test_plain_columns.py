"""The whole-column reading of plain numbers gives what the cell-by-cell reading gives.

Columns of plain ASCII numbers are matched and converted at once (allocator.data.reading
._plain_numbers); every other column is read cell by cell.  Both must agree on every
value, every flag and every problem named, whatever mix of cells a register holds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.data import reading
from allocator.data.table import Table
from allocator.errors import InputError

HEADER = ("enterprise_id,name,park,chain_link,tier,employees,on_post,workers_away,origin,electricity_recovery,"
          "masks_in_stock,trucks_needed,output_value").split(",")

PLAIN = st.one_of(st.integers(0, 10**9).map(str), st.decimals(0, 10**6, places=7).map(str),
                  st.sampled_from(["", "0", "0.0", ".5", "5.", "007", "1" * 25, "0." + "3" * 25]))
ODD = st.sampled_from(["-3", "+4", "1,234", "1,23", "12%", "８", "1e5", "abc", "nan", "3\n4", " ", "1.2.3",
                       "10000001", "0.00", "12 %"])


@st.composite
def registers(draw):
    n = draw(st.integers(1, 6))
    cell = st.one_of(PLAIN, ODD) if draw(st.booleans()) else PLAIN
    rows = []
    for i in range(n):
        rows.append([f"E{i}", "", "P1", "dyeing", "A", *[draw(cell) for _ in range(3)], "O1",
                     *[draw(cell) for _ in range(4)]])
    return rows


def _read(rows):
    table = Table(source="x.csv", sha256="", header=HEADER, records=rows, lines=list(range(2, len(rows) + 2)), header_row=1)
    try:
        inst = reading.parse_table(table)
    except InputError as error:
        return "problems", [str(p) for p in error.problems]
    return "instance", {c: getattr(inst, c).tolist() for c in ("employees", "on_post", "workers_away",
                                                                 "electricity_recovery", "masks_in_stock",
                                                                 "trucks_needed", "output_value")}


@settings(max_examples=300, deadline=None)
@given(rows=registers())
def test_whole_columns_read_as_cell_by_cell(rows):
    fast = _read(rows)
    original = reading._plain_numbers
    reading._plain_numbers = lambda cells, pattern: None
    try:
        slow = _read(rows)
    finally:
        reading._plain_numbers = original
    assert fast == slow


def test_plain_columns_take_the_whole_column_path(monkeypatch):
    """Were the fast path never taken, the test above could not tell."""
    taken = []
    original = reading._plain_numbers
    monkeypatch.setattr(reading, "_plain_numbers", lambda c, p: taken.append(original(c, p)) or taken[-1])
    kind, values = _read([["E1", "", "P1", "dyeing", "A", "10", "5", "2", "O1", "0.95", "", "1", "2.5"]])
    assert kind == "instance" and values["electricity_recovery"] == [0.95] and values["masks_in_stock"] == [0]
    assert len(taken) == 7 and all(t is not None for t in taken)
    assert original(np.array(["1", "3\n4"], dtype=object), reading._PLAIN_COUNTS) is None
