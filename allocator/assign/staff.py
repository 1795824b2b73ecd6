"""The commissioners file: one row per person, read and checked once at the edge.

Read through :func:`allocator.data.table.read_table` (encodings, CSV, blank lines, row
numbers as an editor shows them), so the file follows the instance's reading rules:
column order is free, headers are matched case-insensitively after trimming (Chinese
headers accepted), unknown columns are ignored, blank optional cells take the default.
Every problem found is reported at once, each with file, row and column.

    commissioner_id  unique, required
    name             optional
    field            industry, commerce, trade, projects (工业/工业监管, 商贸, 外贸, 重大项目), required
    park             home park; blank (or no such column) = district-wide
    capacity         most firms served, whole >= 1, default 6 (a leader serves exactly one firm)
    leader           yes/no (是/否), default no: a member of the bureau's own team
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from allocator.data.scenario import ASSIGN_FIELDS
from allocator.data.table import read_table
from allocator.errors import InputError, InputProblem

COLUMNS = ("commissioner_id", "name", "field", "park", "capacity", "leader")
REQUIRED = ("commissioner_id", "field")
DEFAULT_CAPACITY = 6
MAX_CAPACITY = 10_000_000

HEADER_ALIASES = {
    "commissioner_id": ("专员编号", "编号", "工号", "id"),
    "name": ("姓名", "专员姓名", "名字"),
    "field": ("领域", "条线", "专员类别", "类别"),
    "park": ("园区", "驻点园区", "所在园区", "home_park"),
    "capacity": ("服务企业数", "最多服务企业数", "联系企业数"),
    "leader": ("局领导", "领导", "班子成员"),
}

#: Field names as officers write them, mapped to the codes of the scenario.
FIELD_ALIASES = {
    "工业": "industry", "工业监管": "industry", "industry regulation": "industry",
    "商贸": "commerce", "commerce and trade": "commerce",
    "外贸": "trade", "重点外贸": "trade", "foreign trade": "trade", "key foreign trade": "trade",
    "重大项目": "projects", "项目": "projects", "project": "projects", "major projects": "projects",
}

YES = frozenset({"yes", "y", "true", "1", "是", "x", "✓"})
NO = frozenset({"no", "n", "false", "0", "否", ""})

_WHOLE = re.compile(r"^\+?\d+(\.0*)?$")


@dataclass(frozen=True)
class Commissioner:
    """One person: where they are based, what they may serve and how many firms."""

    commissioner_id: str
    name: str
    field: str
    park: str  # "" = district-wide
    capacity: int
    leader: bool
    row: int

    @property
    def district_wide(self) -> bool:
        return self.park == ""

    @property
    def most_firms(self) -> int:
        """A leader serves exactly one firm, whatever the capacity column says."""
        return 1 if self.leader else self.capacity


@dataclass(frozen=True, eq=False)
class Staff:
    """Every commissioner of one file, in file order."""

    source: str
    sha256: str
    people: tuple[Commissioner, ...]

    def __len__(self) -> int:
        return len(self.people)

    def __iter__(self):
        return iter(self.people)

    def __getitem__(self, index: int) -> Commissioner:
        return self.people[index]


def yes_no(text: str) -> bool | None:
    """yes -> True, no or blank -> False, anything else -> None."""
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def canonical_field(text: str) -> str | None:
    value = text.strip().lower()
    value = FIELD_ALIASES.get(value, value)
    return value if value in ASSIGN_FIELDS else None


def read_staff(path: str | Path, encoding: str | None = None) -> Staff:
    """Read and check a commissioners file; raises :class:`InputError` listing every problem."""
    table = read_table(path, encoding, no_rows="err_no_commissioner_rows")
    return parse_staff(table.header, table.records, table.lines, table.source, table.sha256)


def parse_staff(header: list[str], records: list[list[str]], lines: list[int], source: str, sha256: str = "") -> Staff:
    problems: list[InputProblem] = []
    positions = _map_header(header, source, problems)
    if problems:
        raise InputError(problems)
    width = len(header)
    people: list[Commissioner] = []
    first_row: dict[str, int] = {}
    for fields, line in zip(records, lines):
        if len(fields) > width and any(cell.strip() for cell in fields[width:]):
            problems.append(InputProblem(source, f"row has {len(fields)} cells but the header has {width}", row=line))
            continue
        cell = {col: (fields[pos].strip() if pos < len(fields) else "") for col, pos in positions.items()}
        person = _person(cell, line, source, problems, first_row)
        if person is not None:
            people.append(person)
    if problems:
        raise InputError(problems)
    return Staff(source, sha256, tuple(people))


def _map_header(header: list[str], source: str, problems: list[InputProblem]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = cell.strip().lower()
        column = next((c for c in COLUMNS if key == c or key in HEADER_ALIASES[c]), None)
        if column is None:
            continue  # unknown columns are ignored, as in the instance
        if column in positions:
            problems.append(InputProblem(source, f"column {column!r} appears twice (as {header[positions[column]]!r} and {cell!r})",
                                         row=1, column=cell.strip()))
        positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            problems.append(InputProblem(source, "required column is missing", row=1, column=column))
    return positions


def _person(cell: dict[str, str], line: int, source: str, problems: list[InputProblem],
            first_row: dict[str, int]) -> Commissioner | None:
    def bad(column: str, message: str) -> None:
        problems.append(InputProblem(source, message, row=line, column=column))

    before = len(problems)
    ident = cell["commissioner_id"]
    if not ident:
        bad("commissioner_id", "required value is blank")
    elif ident in first_row:
        bad("commissioner_id", f"duplicate commissioner_id {ident!r} (first used at row {first_row[ident]})")
    else:
        first_row[ident] = line
    field = canonical_field(cell["field"]) if cell["field"] else None
    if not cell["field"]:
        bad("field", "required value is blank")
    elif field is None:
        bad("field", f"unknown field {cell['field']!r}: the fields are {', '.join(ASSIGN_FIELDS)} "
                     "(工业/工业监管, 商贸, 外贸, 重大项目)")
    capacity = _capacity(cell.get("capacity", ""), bad)
    leader = yes_no(cell.get("leader", ""))
    if leader is None:
        bad("leader", f"must be yes or no (是/否), got {cell['leader']!r}")
    if len(problems) > before:
        return None
    return Commissioner(ident, cell.get("name", ""), field, cell.get("park", ""), capacity, bool(leader), line)


def _capacity(text: str, bad) -> int:
    if text == "":
        return DEFAULT_CAPACITY
    if not _WHOLE.match(text):
        bad("capacity", f"must be a whole number of firms (like 6), got {text!r}")
        return DEFAULT_CAPACITY
    value = int(float(text))
    if value < 1:
        bad("capacity", f"must be at least 1 (a commissioner serves at least one firm), got {text!r}")
    elif value > MAX_CAPACITY:
        bad("capacity", f"is above {MAX_CAPACITY:,}, got {text!r}")
    return value
