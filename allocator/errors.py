"""Bad input is reported as a list of problems, each naming file, row and column.

The CLI turns an :class:`InputError` into one line per problem and exit code 2; the
library raises it so a Python caller gets the same information as structured data.

A problem found in a spreadsheet also names its sheet and cell the way Excel shows them
(``企业登记!F51``); ``header`` is the column as the file's header wrote it (员工数), ``column``
the name the SPEC gives it (employees).  A problem made with :func:`problem` carries the key
of its wording in :mod:`allocator.output.words` and its fields, so that it can be shown in the
officer's language (:func:`allocator.output.words.describe`); ``message`` is always English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file: where it is and what to do about it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None  # the spreadsheet's sheet, when the file is a workbook
    cell: str | None = None  # "F51": column letter and row, as Excel shows them
    header: str | None = None  # the column as the file's header wrote it, when it differs from ``column``
    code: str = ""  # key of the wording in allocator.output.words ("" for a message without one)
    fields: tuple[tuple[str, Any], ...] = ()

    def cell_ref(self) -> str | None:
        """``企业登记!F51``, as Excel shows a cell (None outside a workbook's cells)."""
        return f"{sheet_ref(self.sheet)}!{self.cell}" if self.cell is not None and self.sheet is not None else None

    def where(self) -> str:
        """File, then sheet and cell (a workbook) or row (a text file), then the column."""
        where = self.file
        if self.cell_ref() is not None:
            where += f", {self.cell_ref()}"
        else:
            if self.sheet is not None:
                where += f", sheet {self.sheet!r}"
            if self.row is not None:
                where += f", row {self.row}"
        if self.column is not None:
            if self.header and self.header.strip().lower() != self.column:
                where += f", column {self.header.strip()!r} ({self.column})"
            else:
                where += f", column {self.column!r}"
        return where

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


def problem(file: str, code: str, /, *, row: int | None = None, column: str | None = None, sheet: str | None = None,
            cell: str | None = None, header: str | None = None, **fields: Any) -> InputProblem:
    """A problem worded by ``code`` (allocator.output.words.TEXT), its English message filled in."""
    from allocator.output.words import t

    return InputProblem(file, t(code, "en", **fields), row=row, column=column, sheet=sheet, cell=cell,
                        header=header, code=code, fields=tuple(fields.items()))


_BARE_SHEET = re.compile(r"[^\W\d]\w*")


def sheet_ref(name: str) -> str:
    """A sheet's name as Excel writes it before ``!``: quoted when it holds spaces or punctuation."""
    return name if _BARE_SHEET.fullmatch(name) else "'" + name.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class InputError(ValueError):
    """Raised when an instance or a scenario cannot be used; carries every problem found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExportError(OSError):
    """Raised when an export cannot be written completely (nothing is left half-written)."""
