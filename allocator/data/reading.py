"""Reading instance files: header aliases, spreadsheet numbers and every validation rule of the SPEC.

The file itself (CSV or workbook, encodings, sheets) is read by :func:`allocator.data.table.read_table`;
the header is the first row that holds the most required columns, so a title above it is skipped.
All problems are collected (not just the first) so that ``allocator validate`` can list
them in one pass; each names the file, the row (or a workbook's sheet and cell, ``企业登记!F51``)
and the column as the header wrote it.  Row numbers are those an officer sees in a text
editor or in Excel.

Numbers are accepted as a spreadsheet writes them: ``12``, ``12.0``, thousands grouped by
three (``1,201``), and for electricity_recovery a percentage (``85%`` = 0.85, exactly as
written).  Exponents, NaN/inf and badly grouped thousands (``1,20``) are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from decimal import Decimal

from allocator.data.links import canonical_link
from allocator.data.instance import COLUMNS, COUNT_COLUMNS, REAL_COLUMNS, REQUIRED, Instance
from allocator.data.table import Table, read_table
from allocator.errors import InputError, InputProblem, problem

MAX_COUNT = 10_000_000
MAX_REAL = 1e12

#: Header names accepted besides the canonical ones (matched after trimming, case-insensitively).
HEADER_ALIASES = {
    "enterprise_id": ("企业编号", "企业id", "企业代码", "统一社会信用代码", "id"),
    "name": ("企业名称", "名称"),
    "park": ("园区", "工业园区", "所在园区"),
    "chain_link": ("产业链环节", "产业链", "环节"),
    "tier": ("分级", "等级", "企业分级"),
    "employees": ("员工数", "职工人数", "员工总数"),
    "on_post": ("在岗人数", "在岗员工"),
    "workers_away": ("待返岗人数", "待返岗员工"),
    "origin": ("来源地", "返岗来源地", "籍贯地"),
    "electricity_recovery": ("用电恢复率", "电力恢复率"),
    "masks_in_stock": ("口罩库存", "现有口罩"),
    "trucks_needed": ("需通行车辆", "需通行证车辆", "货运车辆"),
    "output_value": ("产值", "日产值", "满产日产值"),
}


_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"  # plain, or thousands grouped by three
_COUNT = re.compile(rf"\+?{_DIGITS}(?:\.0*)?")
_NEG_COUNT = re.compile(rf"-{_DIGITS}(?:\.0*)?")
_REAL = re.compile(rf"[+-]?(?:{_DIGITS}(?:\.\d*)?|\.\d+)")
_PERCENT = re.compile(rf"([+-]?(?:{_DIGITS}(?:\.\d*)?|\.\d+))\s*[%％]")
_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # 员工数（人）, 用电恢复率(%)


def read_instance(path: str | Path, encoding: str | None = None, sheet: str | None = None) -> Instance:
    """Read and validate one instance file (CSV or workbook); raises :class:`InputError` listing every problem."""
    return parse_table(read_table(path, encoding, sheet=sheet, find_header=header_score))


def header_score(cells: list[str]) -> int:
    """How many required columns a row holds: the header is the first row holding the most."""
    return len({canonical_header(c) for c in cells} & set(REQUIRED))


def canonical_header(name: str) -> str:
    """The SPEC column a header cell means, or the trimmed name itself if unknown.

    A unit in brackets after the name (``员工数（人）``, ``用电恢复率(%)``) is allowed."""
    key = " ".join(name.split()).lower()
    for candidate in (key, _UNIT.sub("", key)):
        for column in COLUMNS:
            if candidate == column or candidate in HEADER_ALIASES[column]:
                return column
    return name.strip()


def accepted_headers(column: str) -> tuple[str, ...]:
    """Every header name a column may have (the SPEC name first)."""
    return (column,) + tuple(a for a in HEADER_ALIASES[column] if a != "id")


def parse_records(
    header: list[str], records: list[list[str]], lines: list[int], source: str, sha256: str = ""
) -> Instance:
    """Validate rows of strings against the SPEC and build the typed instance."""
    return parse_table(Table(source, sha256, header, records, lines))


def parse_table(table: Table) -> Instance:
    """Validate a table's rows against the SPEC and build the typed instance."""
    problems: list[InputProblem] = []
    header, records = table.header, table.records
    positions = _map_header(table, problems)
    width = len(header)
    for fields, line in zip(records, table.lines):
        if len(fields) > width and any(cell.strip() for cell in fields[width:]):
            extra = next(i for i in range(width, len(fields)) if fields[i].strip())
            problems.append(problem(table.source, "err_row_cells", **table.place(line, extra), cells=len(fields), width=width))
    if any(p.row == table.header_row and p.cell is None for p in problems):
        raise InputError(problems)
    columns = {col: _column(records, positions.get(col)) for col in COLUMNS}
    rows = np.asarray(table.lines, dtype=np.int64)
    checker = _Checker(table, positions, rows, problems)
    values, valid = _typed_columns(columns, checker)
    _cross_checks(values, valid, checker)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 99)))
    return Instance(source=table.source, sha256=table.sha256, rows=rows, **values, notes=table.notes)


def _map_header(table: Table, problems: list[InputProblem]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        column = canonical_header(cell)
        if column not in COLUMNS:
            continue  # unknown columns are kept in the file and ignored here
        if column in positions:
            first = table.header[positions[column]].strip()
            problems.append(problem(table.source, "err_column_twice", row=table.header_row, sheet=table.sheet,
                                    column=column, header=cell.strip(), name=column, first=first, second=cell.strip()))
        positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            problems.append(problem(table.source, "err_column_missing", row=table.header_row, sheet=table.sheet,
                                    column=column, names=", ".join(accepted_headers(column))))
    return positions


def _column(records: list[list[str]], position: int | None) -> np.ndarray:
    """A column's trimmed cells as an array of strings (object dtype: any length, no copies)."""
    if position is None:
        return _strings([""] * len(records))
    return _strings([r[position].strip() if position < len(r) else "" for r in records])


def _strings(cells: list[str]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


class _Checker:
    """Collects one problem per offending cell, vectorised over a whole column."""

    def __init__(self, table: Table, positions: dict[str, int], rows: np.ndarray, problems: list[InputProblem]):
        self.table, self.positions, self.rows, self.problems = table, positions, rows, problems

    def written(self, column: str) -> str:
        """The column as the header wrote it (its SPEC name when it has no column)."""
        at = self.positions.get(column)
        return self.table.header[at].strip() if at is not None else column

    def flag(self, bad: np.ndarray, column: str, code: str, values: np.ndarray | None = None, **fields) -> None:
        at = self.positions.get(column)
        header = self.table.header[at].strip() if at is not None else None
        for i in np.flatnonzero(bad):
            line = int(self.rows[i])
            cell_fields = {k: v[i] if isinstance(v, np.ndarray) else v for k, v in fields.items()}
            if values is not None:
                cell_fields["value"] = values[i]
            self.problems.append(problem(self.table.source, code, **self.table.place(line, at), column=column,
                                         header=header, **cell_fields))


def _typed_columns(table: dict[str, np.ndarray], check: _Checker) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Typed columns, and per numeric column which cells parsed (cross-checks skip the others)."""
    values: dict[str, np.ndarray] = {}
    valid: dict[str, np.ndarray] = {}
    for column in ("enterprise_id", "park", "chain_link", "tier"):
        check.flag(table[column] == "", column, "err_blank")
    for column in ("enterprise_id", "name", "park", "origin"):
        values[column] = table[column]
    values["chain_link"] = _strings([canonical_link(c) for c in table["chain_link"]])
    tiers = _strings([c.upper() for c in table["tier"]])
    check.flag(_test(tiers, lambda c: c not in ("A", "B", "C", "")), "tier", "err_tier", table["tier"])
    values["tier"] = tiers
    for column in COUNT_COLUMNS:
        values[column], valid[column] = _counts(table[column], column, column in REQUIRED, check)
    for column in REAL_COLUMNS:
        values[column], valid[column] = _reals(table[column], column, column in REQUIRED, check)
    default_value = values["employees"].astype(float)
    values["output_value"] = np.where(table["output_value"] == "", default_value, values["output_value"])
    return values, valid


def _test(cells: np.ndarray, holds) -> np.ndarray:
    """``holds(cell)`` for every cell, as a boolean array."""
    return np.fromiter((holds(c) for c in cells), dtype=bool, count=len(cells))


def _full(cells: np.ndarray, pattern: re.Pattern) -> np.ndarray:
    return _test(cells, lambda c: pattern.fullmatch(c) is not None)


def _numbers(cells: np.ndarray, good: np.ndarray) -> np.ndarray:
    """The good cells' values without thousands separators (Python's correctly rounded
    parsing), 0 elsewhere."""
    return np.fromiter((float(c.replace(",", "")) if ok else 0.0 for c, ok in zip(cells, good)), dtype=float,
                       count=len(cells))


#: Whole columns of plain ASCII numbers (or blanks), as nearly every register writes them, are
#: checked by one match over the joined column and converted by numpy (the same correctly
#: rounded parse as Python's float: checked on 300,000 random decimals); any other column is
#: tested cell by cell.  A cell holding the separator makes the count of lines differ.
_PLAIN_COUNTS = re.compile(r"(?:[0-9]*\n)*")
_PLAIN_REALS = re.compile(r"(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)?\n)*")


def _plain_numbers(cells: np.ndarray, column_pattern: re.Pattern) -> np.ndarray | None:
    """The cells' values (0 where blank) when every cell is blank or plain, else None."""
    joined = "\n".join(cells.tolist()) + "\n"
    if joined.count("\n") != len(cells) or column_pattern.fullmatch(joined) is None:
        return None
    numbers = np.zeros(len(cells))
    filled = cells != ""
    numbers[filled] = np.array(cells[filled].tolist(), dtype=np.str_).astype(np.float64)
    return numbers


def _grouped_badly(cells: np.ndarray, malformed: np.ndarray, *patterns: re.Pattern) -> np.ndarray:
    """Cells that would be good numbers without their commas: thousands not grouped by three (1,20)."""
    def fits(c: str) -> bool:
        return "," in c and any(p.fullmatch(c.replace(",", "")) for p in patterns)

    return _full_where(cells, malformed, fits)


def _full_where(cells: np.ndarray, among: np.ndarray, holds) -> np.ndarray:
    """``holds`` (a pattern, or a test of a cell) on the cells ``among`` marks only (the rare ones), False elsewhere."""
    test = (lambda c: holds.fullmatch(c) is not None) if isinstance(holds, re.Pattern) else holds
    out = np.zeros(len(cells), dtype=bool)
    at = np.flatnonzero(among)
    out[at] = [test(c) for c in cells[at]]
    return out


def _counts(cells: np.ndarray, column: str, required: bool, check: _Checker) -> tuple[np.ndarray, np.ndarray]:
    blank = cells == ""
    numbers = _plain_numbers(cells, _PLAIN_COUNTS)
    good = ~blank
    if numbers is None:  # some cell is not plain: each is tested and its problem named
        good = _full(cells, _COUNT)
        negative = _full_where(cells, ~good & ~blank, _NEG_COUNT)
        check.flag(negative, column, "err_negative", cells)
        malformed = ~blank & ~good & ~negative
        grouping = _grouped_badly(cells, malformed, _COUNT, _NEG_COUNT)
        check.flag(grouping, column, "err_grouping", cells)
        check.flag(malformed & ~grouping, column, "err_whole", cells)
        numbers = _numbers(cells, good)
    if required:
        check.flag(blank, column, "err_blank")
    check.flag(numbers > MAX_COUNT, column, "err_count_large", cells, limit=f"{MAX_COUNT:,}")
    ok = (good | (blank & (not required))) & (numbers <= MAX_COUNT)
    return np.where(ok, numbers, 0).astype(np.int64), ok


def _reals(cells: np.ndarray, column: str, required: bool, check: _Checker) -> tuple[np.ndarray, np.ndarray]:
    blank = cells == ""
    ratio = column == "electricity_recovery"
    numbers = _plain_numbers(cells, _PLAIN_REALS)
    plain = ~blank
    percent = np.zeros(len(cells), dtype=bool)
    if numbers is None:  # some cell is not plain: each is tested and its problem named
        plain = _full(cells, _REAL)
        percent = _full_where(cells, ~plain & ~blank, _PERCENT) if ratio else percent
        malformed = ~blank & ~(plain | percent)
        grouping = _grouped_badly(cells, malformed, _REAL, *((_PERCENT,) if ratio else ()))
        check.flag(grouping, column, "err_grouping", cells)
        check.flag(malformed & ~grouping, column, "err_ratio" if ratio else "err_decimal", cells)
        numbers = _numbers(cells, plain)
    good = plain | percent
    if required:
        check.flag(blank, column, "err_blank")
    if percent.any():  # 85% is 0.85 exactly as written (0.801, not 80.1 / 100 in binary)
        at = np.flatnonzero(percent)
        numbers[at] = [float(Decimal(_PERCENT.fullmatch(text).group(1).replace(",", "")) / 100) for text in cells[at]]
    check.flag(numbers < 0, column, "err_negative", cells)
    if ratio:
        check.flag(numbers > 10, column, "err_ratio_large", cells)
    else:
        check.flag((numbers == 0) & good, column, "err_positive")
        check.flag(numbers > MAX_REAL, column, "err_real_large", cells)
    return numbers, good | (blank & (not required))


def _cross_checks(values: dict[str, np.ndarray], valid: dict[str, np.ndarray], check: _Checker) -> None:
    employees, on_post, away = values["employees"], values["on_post"], values["workers_away"]
    staff_ok = valid["employees"] & valid["on_post"] & valid["workers_away"] & (employees > 0)
    names = {"employees": check.written("employees"), "on_post": check.written("on_post"), "away": check.written("workers_away")}
    check.flag(valid["employees"] & (employees == 0), "employees", "err_positive")
    check.flag(staff_ok & (on_post > employees), "on_post", "err_on_post", on_post=names["on_post"], employees=names["employees"])
    check.flag(staff_ok & (on_post <= employees) & (on_post + away > employees), "workers_away", "err_away", **names)
    check.flag(valid["workers_away"] & (away > 0) & (values["origin"] == ""), "origin", "err_origin",
               away=names["away"], origin=check.written("origin"))
    ids = values["enterprise_id"]
    first_row: dict[str, int] = {}
    for ident, row in zip(ids, check.rows.tolist()):
        first_row.setdefault(ident, row)
    firsts = np.array([first_row[ident] for ident in ids], dtype=np.int64)
    duplicated = (firsts != check.rows) & (ids != "")
    if duplicated.any():
        check.flag(duplicated, "enterprise_id", "err_duplicate", ids, first=firsts.astype(str).astype(object))


