"""Any table an officer hands us, as header and rows of text: the one place files are opened.

The instance, and every other register the tool reads, goes through :func:`read_table`:
file errors, encodings (UTF-8 with or without BOM, else GB18030), CSV quoting, blank
lines skipped, empty files refused, each row keeping the line number an editor or Excel
shows (the header is row 1).  What the cells mean is for the caller to check.

Workbooks (.xlsx, .xlsm, .xls, .ods, or a workbook under another name) are read with
python-calamine (allocator.data.workbook): the first visible sheet unless ``sheet`` names
one, each cell as the text of its value (a formula's cached value, a date as 2020-03-04),
merged cells below the header filled with their value, and every row keeping the number
Excel shows, so that a problem can name its cell (``企业登记!F51``, :meth:`Table.cell`).

A caller that knows its columns passes ``find_header``: the first row holding the most
of them (among the first rows) is the header, so a title or notes above it are skipped,
and a note says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from allocator.errors import InputError, InputProblem, column_letter, problem

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (xlsx, ods), OLE (xls)
HEADER_SCAN = 30  # rows searched for the header below a title
#: A quoted cell running over more lines than this is taken for a quote left open (a register's
#: cell may hold a line break or two, an address or a note, never a screenful).
MAX_CELL_LINES = 20


@dataclass(frozen=True)
class Table:
    """A file's header and its non-blank rows, with the row number of each as the officer sees it."""

    source: str
    sha256: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    sheet: str | None = None  # the sheet that was read, when the file is a workbook
    header_row: int = 1  # the row the header is on (below a title, it is not 1)
    notes: tuple[InputProblem, ...] = ()  # what the reader decided (header below a title, merged cells filled)

    def cell(self, line: int, column: int) -> str | None:
        """``F51``: the cell of ``column`` (an index into ``header``) on row ``line``; None for a text file."""
        return None if self.sheet is None else f"{column_letter(column)}{line}"

    def place(self, line: int | None, column: int | None) -> dict:
        """Where a problem lies, as keyword arguments of :func:`allocator.errors.problem`."""
        if self.sheet is None:
            return {"row": line}
        cell = self.cell(line, column) if line is not None and column is not None else None
        return {"row": line, "sheet": self.sheet, "cell": cell}


def read_table(path: str | Path, encoding: str | None = None, *, sheet: str | None = None,
               find_header: Callable[[list[str]], int] | None = None, no_rows: str = "err_no_rows") -> Table:
    """Read one table; raises :class:`InputError` naming the file (and row) when it cannot be used.

    ``sheet`` picks a workbook's sheet by name (default: the first visible one); ``find_header``
    scores a row as a header (how many of the caller's required columns it holds); ``no_rows``
    is the words key of the message for a file with a header only (it names what rows are missing).
    """
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError([problem(source, "err_not_found")]) from None
    except IsADirectoryError:
        raise InputError([problem(source, "err_directory")]) from None
    except OSError as exc:
        raise InputError([problem(source, "err_unreadable", reason=exc.strerror)]) from None
    sha256 = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in SPREADSHEETS or data.startswith(_WORKBOOK_MAGIC):
        from allocator.data.workbook import read_sheet

        name, rows, merged = read_sheet(data, source, sheet)
        return _table(source, sha256, rows, find_header, no_rows, name, merged)
    if sheet is not None:
        raise InputError([problem(source, "err_sheet_of_text")])
    text = decode(data, source, encoding)
    return _table(source, sha256, _csv_rows(text, source, find_header), find_header, no_rows)


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    """Strict UTF-8 (BOM or not) first, then GB18030, unless an encoding is forced."""
    if b"\x00" in data[:65536]:
        raise InputError([problem(source, "err_binary")])
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError([problem(source, "err_encoding_unknown", encoding=encoding)]) from None
        except UnicodeDecodeError as exc:
            raise InputError([problem(source, "err_encoding_bad", encoding=encoding, byte=exc.start)]) from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise InputError([problem(source, "err_encoding")])


def _csv_rows(text: str, source: str,
              find_header: Callable[[list[str]], int] | None = None) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a CSV text, each with the line an editor shows.

    The csv module reads a quote left open as one cell running to the end of the file, which
    surfaced as blank cells on the last row; such a quote is reported where it opens instead."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = last = 1  # the first line of the record being read, and of the last non-blank one
    try:
        for fields in reader:
            if reader.line_num - start >= MAX_CELL_LINES:
                _refuse_open_quote(text, source, rows, start, reader.line_num, find_header)
            if any(cell.strip() for cell in fields):  # blank lines are skipped
                rows.append((reader.line_num, fields))
                last = start
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell over the csv module's size limit: often a quote left open
        _refuse_open_quote(text, source, rows, start, reader.line_num, find_header)
        raise InputError([problem(source, "err_csv", row=reader.line_num, reason=str(exc))]) from None
    if rows:
        _refuse_open_quote(text, source, rows[:-1], last, rows[-1][0], find_header)
    return rows


def _refuse_open_quote(text: str, source: str, before: list[tuple[int, list[str]]], start: int, end: int,
                       find_header: Callable[[list[str]], int] | None) -> None:
    """Raise one problem, at the row and column where it opens, when the record on lines
    ``start``..``end`` holds a quote never closed or a quoted cell of implausibly many lines."""
    lines = list(itertools.islice(io.StringIO(text, newline=""), start - 1, end))
    found = _open_quote(lines)
    if found is None:
        return
    offset, column, closed = found
    where = {"row": start + offset, "column": _column_name(before, column, find_header)}
    if closed is None:
        raise InputError([problem(source, "err_quote_open", **where)])
    raise InputError([problem(source, "err_quote_long", **where, end=start + closed, lines=closed - offset + 1)])


def _open_quote(lines: list[str]) -> tuple[int, int, int | None] | None:
    """The first quoted cell of one CSV record (its physical ``lines``) that is never closed or spans
    more than MAX_CELL_LINES lines: (line offset, column index, offset of the closing line or None).
    Follows the csv module's rules: a quote opens a cell only at its start, ``""`` is a quote inside."""
    state, column, opened = "start", 0, (0, 0)
    for offset, line in enumerate(lines):
        for char in line:
            if state == "quoted":
                state = "quote?" if char == '"' else "quoted"
            elif state == "quote?" and char == '"':
                state = "quoted"
            elif char == ",":
                if state == "quote?" and offset - opened[0] >= MAX_CELL_LINES:
                    return opened[0], opened[1], offset
                state, column = "start", column + 1
            elif state == "start" and char == '"':
                state, opened = "quoted", (offset, column)
            elif state == "quote?":
                if offset - opened[0] >= MAX_CELL_LINES:
                    return opened[0], opened[1], offset
                state = "field"
            elif state == "start":
                state = "field"
    if state == "quoted":
        return opened[0], opened[1], None
    if state == "quote?" and len(lines) - 1 - opened[0] >= MAX_CELL_LINES:
        return opened[0], opened[1], len(lines) - 1
    return None


def _column_name(before: list[tuple[int, list[str]]], column: int,
                 find_header: Callable[[list[str]], int] | None) -> str:
    """A column as the header above wrote it, else as a spreadsheet names it (``C``)."""
    if before:
        header = before[_header_index(before, find_header)][1]
        if column < len(header) and header[column].strip():
            return header[column].strip()
    return column_letter(column)


def _table(source: str, sha256: str, rows: list[tuple[int, list[str]]], find_header: Callable[[list[str]], int] | None,
           no_rows: str, sheet: str | None = None, merged: list | None = None) -> Table:
    if not rows:
        raise InputError([problem(source, "err_empty", sheet=sheet)])
    at = _header_index(rows, find_header)
    header_row, header = rows[at]
    notes = []
    if at > 0:
        above = f"{rows[0][0]}" if at == 1 else f"{rows[0][0]}–{rows[at - 1][0]}"
        notes.append(problem(source, "note_header_row", row=header_row, sheet=sheet, header_row=header_row, rows=above))
    body = rows[at + 1:]
    if merged:
        filled = _fill_merged(body, merged, header_row)
        if filled:
            merged_key = "note_merged_one" if filled == 1 else "note_merged"  # English's singular
            notes.append(problem(source, merged_key, sheet=sheet, cells=filled))
    if not body:
        raise InputError([problem(source, no_rows, row=header_row, sheet=sheet)])
    return Table(source, sha256, header, [fields for _, fields in body], [line for line, _ in body], sheet, header_row,
                 tuple(notes))


def _header_index(rows: list[tuple[int, list[str]]], find_header: Callable[[list[str]], int] | None) -> int:
    """The first row holding the most required columns among the first rows (the first row without a scorer)."""
    if find_header is None:
        return 0
    scores = [find_header(fields) for _, fields in rows[:HEADER_SCAN]]
    best = max(scores)
    return scores.index(best) if best > 0 else 0


def _fill_merged(body: list[tuple[int, list[str]]], merged: list, header_row: int) -> int:
    """A merged range below the header gives its value to every cell it covers (a park written once
    for five firms means all five).  Returns how many cells were filled."""
    by_line = {line: fields for line, fields in body}
    filled = 0
    for (top, left), (bottom, right) in merged:
        if top + 1 <= header_row:
            continue  # a title or the header itself
        value = by_line.get(top + 1, [])[left] if left < len(by_line.get(top + 1, [])) else ""
        for line in range(top + 1, bottom + 2):
            fields = by_line.get(line)
            for column in range(left, right + 1):
                if fields is not None and column < len(fields) and (line, column) != (top + 1, left):
                    fields[column] = value
                    filled += 1
    return filled
