"""Reading instance files: encodings, header aliases and every validation rule of the SPEC.

All problems are collected (not just the first) so that ``allocator validate`` can list
them in one pass; each names the file, the line of the file and the column.  Line
numbers are those an officer sees in a text editor (the header is line 1), which is
also the row number Excel shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.errors import InputError, InputProblem
from allocator.data.instance import COLUMNS, COUNT_COLUMNS, REAL_COLUMNS, REQUIRED, Instance
from allocator.data.table import read_table

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

#: Chain-link names officers write, mapped to the codes the scenario uses.
LINK_ALIASES = {
    "化纤": "fibre", "纤维": "fibre", "fiber": "fibre",
    "织造": "weaving", "纺织": "weaving",
    "印染": "dyeing", "printing and dyeing": "dyeing",
    "市场": "market", "专业市场": "market",
    "外贸": "trade", "进出口": "trade", "foreign trade": "trade",
    "其他": "other",
}

_COUNT = re.compile(r"^\+?\d+(\.0*)?$")
_NEG_COUNT = re.compile(r"^-\d+(\.0*)?$")
_REAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def read_instance(path: str | Path, encoding: str | None = None) -> Instance:
    """Read and validate one instance file; raises :class:`InputError` listing every problem."""
    table = read_table(path, encoding)
    return parse_records(table.header, table.records, table.lines, table.source, table.sha256)


def canonical_header(name: str) -> str:
    """The SPEC column a header cell means, or the trimmed name itself if unknown."""
    key = name.strip().lower()
    for column in COLUMNS:
        if key == column or key in HEADER_ALIASES[column]:
            return column
    return name.strip()


def parse_records(
    header: list[str], records: list[list[str]], lines: list[int], source: str, sha256: str = ""
) -> Instance:
    """Validate rows of strings against the SPEC and build the typed instance."""
    problems: list[InputProblem] = []
    positions = _map_header(header, source, problems)
    width = len(header)
    for fields, line in zip(records, lines):
        if len(fields) > width and any(cell.strip() for cell in fields[width:]):
            problems.append(InputProblem(source, f"row has {len(fields)} cells but the header has {width}", row=line))
    if any(p.row == 1 for p in problems):
        raise InputError(problems)
    table = {col: _column(records, positions.get(col)) for col in COLUMNS}
    rows = np.asarray(lines, dtype=np.int64)
    checker = _Checker(source, rows, problems)
    values, valid = _typed_columns(table, checker)
    _cross_checks(values, valid, checker)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 99)))
    return Instance(source=source, sha256=sha256, rows=rows, **values)


def _map_header(header: list[str], source: str, problems: list[InputProblem]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = canonical_header(cell)
        if column not in COLUMNS:
            continue  # unknown columns are kept in the file and ignored here
        if column in positions:
            problems.append(InputProblem(source, f"column {column!r} appears twice (as {header[positions[column]]!r} and {cell!r})", row=1, column=cell.strip()))
        positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            problems.append(InputProblem(source, "required column is missing", row=1, column=column))
    return positions


def _column(records: list[list[str]], position: int | None) -> pd.Series:
    if position is None:
        return pd.Series([""] * len(records), dtype=object)
    return pd.Series([r[position].strip() if position < len(r) else "" for r in records], dtype=object)


class _Checker:
    """Collects one problem per offending cell, vectorised over a whole column."""

    def __init__(self, source: str, rows: np.ndarray, problems: list[InputProblem]):
        self.source, self.rows, self.problems = source, rows, problems

    def flag(self, bad: np.ndarray, column: str, message: str | pd.Series) -> None:
        for i in np.flatnonzero(bad):
            text = message if isinstance(message, str) else message.iloc[i]
            self.problems.append(InputProblem(self.source, text, row=int(self.rows[i]), column=column))


def _typed_columns(table: dict[str, pd.Series], check: _Checker) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Typed columns, and per numeric column which cells parsed (cross-checks skip the others)."""
    values: dict[str, np.ndarray] = {}
    valid: dict[str, np.ndarray] = {}
    for column in ("enterprise_id", "park", "chain_link", "tier"):
        check.flag((table[column] == "").to_numpy(), column, "required value is blank")
    values["enterprise_id"] = table["enterprise_id"].to_numpy(dtype=object)
    values["name"] = table["name"].to_numpy(dtype=object)
    values["park"] = table["park"].to_numpy(dtype=object)
    values["origin"] = table["origin"].to_numpy(dtype=object)
    links = table["chain_link"].str.lower()
    values["chain_link"] = links.map(lambda x: LINK_ALIASES.get(x, x)).to_numpy(dtype=object)
    tiers = table["tier"].str.upper()
    check.flag((~tiers.isin(["A", "B", "C"]) & (tiers != "")).to_numpy(), "tier", "tier must be A, B or C, got " + table["tier"].map(repr))
    values["tier"] = tiers.to_numpy(dtype=object)
    for column in COUNT_COLUMNS:
        values[column], valid[column] = _counts(table[column], column, column in REQUIRED, check)
    for column in REAL_COLUMNS:
        values[column], valid[column] = _reals(table[column], column, column in REQUIRED, check)
    default_value = values["employees"].astype(float)
    blank_value = (table["output_value"] == "").to_numpy()
    values["output_value"] = np.where(blank_value, default_value, values["output_value"])
    return values, valid


def _counts(cells: pd.Series, column: str, required: bool, check: _Checker) -> tuple[np.ndarray, np.ndarray]:
    blank = cells == ""
    good = cells.str.fullmatch(_COUNT)
    negative = cells.str.fullmatch(_NEG_COUNT)
    if required:
        check.flag(blank.to_numpy(), column, "required value is blank")
    check.flag(negative.to_numpy(), column, "must not be negative, got " + cells.map(repr))
    malformed = ~blank & ~good & ~negative
    check.flag(malformed.to_numpy(), column, "must be a whole number (like 12), got " + cells.map(repr))
    numbers = pd.to_numeric(cells.where(good, "0")).to_numpy(dtype=float)
    check.flag(numbers > MAX_COUNT, column, f"is above {MAX_COUNT:,}, got " + cells.map(repr))
    ok = (good | (blank & (not required))).to_numpy() & (numbers <= MAX_COUNT)
    return np.where(ok, numbers, 0).astype(np.int64), ok


def _reals(cells: pd.Series, column: str, required: bool, check: _Checker) -> tuple[np.ndarray, np.ndarray]:
    blank = cells == ""
    good = cells.str.fullmatch(_REAL)
    if required:
        check.flag(blank.to_numpy(), column, "required value is blank")
    check.flag((~blank & ~good).to_numpy(), column, "must be a plain decimal number (like 0.83), got " + cells.map(repr))
    numbers = pd.to_numeric(cells.where(good, "0")).to_numpy(dtype=float)
    check.flag(numbers < 0, column, "must not be negative, got " + cells.map(repr))
    if column == "electricity_recovery":
        check.flag(numbers > 10, column, "is a ratio (0.83 means 83%); values above 10 are not credible, got " + cells.map(repr))
    else:
        check.flag((numbers == 0) & good, column, "must be greater than 0")
        check.flag(numbers > MAX_REAL, column, "is unreasonably large, got " + cells.map(repr))
    return numbers, (good | (blank & (not required))).to_numpy()


def _cross_checks(values: dict[str, np.ndarray], valid: dict[str, np.ndarray], check: _Checker) -> None:
    employees, on_post, away = values["employees"], values["on_post"], values["workers_away"]
    staff_ok = valid["employees"] & valid["on_post"] & valid["workers_away"] & (employees > 0)
    check.flag(valid["employees"] & (employees == 0), "employees", "must be greater than 0")
    check.flag(staff_ok & (on_post > employees), "on_post", "on_post is larger than employees")
    check.flag(staff_ok & (on_post <= employees) & (on_post + away > employees), "workers_away", "on_post + workers_away is larger than employees")
    check.flag(valid["workers_away"] & (away > 0) & (values["origin"] == ""), "origin", "workers_away > 0 but origin (the home region for the bus) is blank")
    ids = pd.Series(values["enterprise_id"])
    duplicated = (ids.duplicated(keep="first") & (ids != "")).to_numpy()
    first_row = pd.Series(check.rows).groupby(ids.to_numpy()).transform("first")
    check.flag(duplicated, "enterprise_id", "duplicate enterprise_id " + ids.map(repr) + " (first used at row " + first_row.astype(str) + ")")

