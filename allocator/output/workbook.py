"""Workbooks for the logistics team: sheets of rows written with XlsxWriter, ready to filter and print.

Every command that exports a spreadsheet (solve, whatif; plan and assign) describes its sheets as
plain data, :class:`Sheet` made of :class:`Block` s (a header and rows, with a number format per
column), and :func:`workbook_bytes` renders them: header rows bold and frozen, an autofilter on
the first block, column widths that fit their contents (a Chinese character counts twice), text
cells that a spreadsheet would run as a formula neutralised with a leading apostrophe exactly
as in the CSV files, numbers written as numbers.  The bytes depend only on the sheets (the
workbook's creation date is fixed), so a ``--deterministic`` export gives the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Excel number formats the exports use.
PERCENT = "0.00%"
WHOLE = "#,##0"
DECIMAL = "#,##0.00"
RATIO6 = "0.000000"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTH_SAMPLE = 2000  # rows looked at to size a column
_FIXED_DATE = dt.datetime(2020, 2, 20)  # the workbook's "created" property: no clock in the bytes


@dataclass(frozen=True)
class Block:
    """A table: its header, its rows (str, int, float, bool or None per cell) and a number format per column."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: Mapping[int, str] = field(default_factory=dict)
    title: str | None = None  # a bold line above the header


@dataclass(frozen=True)
class Sheet:
    """One sheet: blocks one under the other, a blank row between them.

    ``notes`` is a row above the first header (what each column means: a template's);
    ``validations`` maps a column of the first block to XlsxWriter data-validation options,
    applied to ``validated_rows`` rows below its header."""

    name: str
    blocks: Sequence[Block]
    notes: Sequence[str] | None = None
    validations: Mapping[int, dict] = field(default_factory=dict)
    validated_rows: int = 0

    @classmethod
    def table(cls, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              formats: Mapping[int, str] | None = None) -> Sheet:
        return cls(name, [Block(columns, rows, formats or {})])


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file of ``sheets``, in memory: written directly (allocator.output.xlsx), or by
    XlsxWriter when a sheet carries data validation (the register template)."""
    if not any(sheet.validations for sheet in sheets):
        from allocator.output.xlsx import render

        return render(sheets, [_widths(sheet) for sheet in sheets])
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False, "nan_inf_to_errors": True})
    book.set_properties({"created": _FIXED_DATE})
    styles = _Styles(book)
    for sheet in sheets:
        _write_sheet(book, styles, sheet)
    book.close()
    return buffer.getvalue()


def _widths(sheet: Sheet) -> dict[int, float]:
    widths: dict[int, float] = {}
    for block in sheet.blocks:
        _measure(widths, block)
    return widths


class _Styles:
    def __init__(self, book):
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 12})
        self.note = book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self._numbers: dict[str, Any] = {}

    def number(self, pattern: str):
        if pattern not in self._numbers:
            self._numbers[pattern] = self.book.add_format({"num_format": pattern})
        return self._numbers[pattern]


def _write_sheet(book, styles: _Styles, sheet: Sheet) -> None:
    ws = book.add_worksheet(sheet.name)
    row = 0
    widths: dict[int, float] = {}
    column_formats: dict[int, object] = {}
    if sheet.notes:
        ws.write_row(row, 0, [_text(n) for n in sheet.notes], styles.note)
        ws.set_row(row, 15 * max(1, max((_lines(n) for n in sheet.notes), default=1)))
        row += 1
    for number, block in enumerate(sheet.blocks):
        if block.title:
            ws.write_string(row, 0, _text(block.title), styles.title)
            row += 1
        header_row = row
        ws.write_row(row, 0, [_text(c) for c in block.columns], styles.header)
        row += 1
        formats = {column: styles.number(pattern) for column, pattern in block.formats.items()}
        for values in block.rows:
            for column, value in enumerate(values):
                _write_cell(ws, row, column, value, formats.get(column))
            row += 1
        _measure(widths, block)
        if number == 0:
            ws.freeze_panes(header_row + 1, 0)
            if block.rows:
                ws.autofilter(header_row, 0, row - 1, len(block.columns) - 1)
            for column, options in sheet.validations.items():
                ws.data_validation(header_row + 1, column, header_row + max(1, sheet.validated_rows), column, options)
            if not block.rows:  # an empty table (a template): the formats go to the rows an officer fills in
                column_formats.update(formats)
        row += 1  # a blank row between blocks
    for column, width in widths.items():
        ws.set_column(column, column, width, column_formats.get(column))


def _write_cell(ws, row: int, column: int, value: Any, fmt) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(row, column, _text(value))
    elif isinstance(value, bool):
        ws.write_string(row, column, "yes" if value else "no")
    elif isinstance(value, (int, float)) and math.isfinite(value):
        ws.write_number(row, column, value, fmt)
    else:
        ws.write_string(row, column, _text(str(value)))


def _text(value: str) -> str:
    """The CSV files' neutralisation: a cell a spreadsheet would run as a formula gets an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _cells(text: str) -> int:
    """Display width: a CJK character takes two cells."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _measure(widths: dict[int, float], block: Block) -> None:
    """Widths that fit the header and the first rows, between 6 and 48 characters."""
    for column, name in enumerate(block.columns):
        widths[column] = max(widths.get(column, 6), min(48, _cells(str(name)) + 2))
    for values in block.rows[:_WIDTH_SAMPLE]:
        for column, value in enumerate(values):
            shown = _shown(value, block.formats.get(column))
            widths[column] = max(widths.get(column, 6), min(48, _cells(shown) + 2))


def _shown(value: Any, pattern: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pattern == PERCENT:
        return f"{100 * value:.2f}%"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and pattern in (WHOLE, DECIMAL):
        return f"{value:,.2f}"
    return str(value)
