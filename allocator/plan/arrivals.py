"""ARRIVALS.csv: what reaches the store each morning of the week (SPEC "A week's plan").

Columns ``day`` (1..D), ``masks`` (pieces arriving that morning), ``passes`` (passes that may
be issued from that day) and ``buses`` (charter trips available that day).  A missing day,
column or cell is 0; two rows of the same day add up (two deliveries).  A day outside 1..D
and a negative or non-whole count are bad input, each named with file, row and column.
The file is read through :func:`allocator.data.table.read_table` like every register.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from allocator.data.table import read_table
from allocator.errors import InputError, InputProblem, problem

KINDS = ("masks", "passes", "buses")
#: Header names accepted besides the canonical ones (trimmed, case-insensitive).
ALIASES = {
    "day": ("天", "第几天", "日", "第n天"),
    "masks": ("口罩", "到货口罩", "口罩（只）"),
    "passes": ("通行证", "新增通行证"),
    "buses": ("包车", "包车数", "可用包车"),
}
#: Counts as an officer's sheet writes them: 12, 12.0, or correctly grouped thousands (1,201).
_WHOLE = re.compile(r"^\+?(\d+|\d{1,3}(,\d{3})+)(\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d*)?$")
MAX_COUNT = 10**12


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Per day 1..D (index d - 1): masks (pieces), passes and buses arriving that morning."""

    days: int
    masks: np.ndarray
    passes: np.ndarray
    buses: np.ndarray
    source: str | None = None  # None: nothing arrives (no --arrivals)
    sha256: str | None = None

    @classmethod
    def none(cls, days: int) -> Arrivals:
        zeros = np.zeros(days, dtype=np.int64)
        return cls(days, zeros, zeros.copy(), zeros.copy())

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("a plan has at least one day")
        for kind in KINDS:
            values = getattr(self, kind)
            if len(values) != self.days or (np.asarray(values) < 0).any():
                raise ValueError(f"arrivals of {kind}: one count >= 0 per day")

    def of(self, kind: str) -> np.ndarray:
        return getattr(self, kind)

    def to_dict(self) -> dict:
        return {"file": self.source, "sha256": self.sha256,
                **{kind: [int(x) for x in self.of(kind)] for kind in KINDS}}


def read_arrivals(path: str | Path, days: int, encoding: str | None = None) -> Arrivals:
    """Read and check ARRIVALS.csv for a horizon of ``days``; raises InputError listing every problem."""
    table = read_table(path, encoding, no_rows="err_no_day_rows")
    source, problems = table.source, []
    positions: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        name = _canonical(cell)
        if name is None:
            continue  # other columns (a note, a date) are kept in the file and ignored
        if name in positions:
            problems.append(problem(source, "err_column_twice", row=1, column=cell.strip(), name=name, first=table.header[
                positions[name]].strip(), second=cell.strip()))
        positions[name] = index
    if "day" not in positions:
        problems.append(problem(source, "err_column_missing", row=1, column="day",
                                names=", ".join(("day", *ALIASES["day"]))))
    if not any(kind in positions for kind in KINDS):
        problems.append(problem(source, "err_arrivals_nothing", row=1, column="masks"))
    if problems:
        raise InputError(problems)
    totals = {kind: np.zeros(days, dtype=np.int64) for kind in KINDS}
    for fields, line in zip(table.records, table.lines, strict=True):
        def cell(name: str) -> str:
            at = positions.get(name)
            return fields[at].strip() if at is not None and at < len(fields) else ""

        day = _count(cell("day"), source, line, "day", problems, required=True)
        if day is not None and not 1 <= day <= days:
            problems.append(problem(source, "err_arrivals_day", row=line, column="day", days=days, value=day))
            day = None
        for kind in KINDS:
            value = _count(cell(kind), source, line, kind, problems)
            if day is not None and value:
                totals[kind][day - 1] += value
    if problems:
        raise InputError(problems)
    return Arrivals(days, totals["masks"], totals["passes"], totals["buses"], source, table.sha256)


def _canonical(header: str) -> str | None:
    key = header.strip().lower()
    for name, aliases in ALIASES.items():
        if key == name or key in aliases:
            return name
    return None


def _count(text: str, source: str, row: int, column: str, problems: list[InputProblem],
           required: bool = False) -> int | None:
    """A whole count >= 0, or None with the problem recorded (a blank optional cell is 0)."""
    if text == "":
        if required:
            problems.append(problem(source, "err_blank", row=row, column=column))
            return None
        return 0
    if text.startswith("-") and _NUMBER.match(text[1:]) and float(text[1:].replace(",", "")) > 0:
        problems.append(problem(source, "err_negative", row=row, column=column, value=text))
        return None
    if not _WHOLE.match(text):
        problems.append(problem(source, "err_whole", row=row, column=column, value=text))
        return None
    value = int(text.lstrip("+").split(".")[0].replace(",", ""))
    if value > MAX_COUNT:
        problems.append(problem(source, "err_count_large", row=row, column=column, limit=f"{MAX_COUNT:,}", value=text))
        return None
    return value


def check_horizon(days: int, mask_days: int, source: str = "--days") -> None:
    """The SPEC's limit: masks are a stock held for mask_days, consumption is not modelled."""
    if days < 1:
        raise InputError([problem(source, "err_plan_days", column="--days", days=days)])
    if days > mask_days:
        raise InputError([problem(source, "err_plan_horizon", column="rules.mask_days", days=days,
                                  mask_days=mask_days)])
