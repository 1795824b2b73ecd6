"""One sheet of a workbook (.xlsx, .xlsm, .xls, .ods) as rows of text, read with python-calamine.

Each cell becomes the text an officer would type for its value: a whole number ``12``,
a fraction in plain decimals (``0.85``, never ``8.5e-01``), a date ``2020-03-04``, a
formula its cached value (what Excel last showed; a formula never calculated, or one
showing an error such as ``#DIV/0!``, reads as blank).  Rows keep the numbers Excel shows.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from allocator.errors import InputError, problem


def read_sheet(data: bytes, source: str, sheet: str | None) -> tuple[str, list[tuple[int, list[str]]], list]:
    """(sheet name, non-blank rows with their Excel row numbers, merged ranges) of one sheet."""
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise InputError([problem(source, "err_workbook_password")]) from None
    except Exception as exc:  # calamine raises several kinds for a damaged or foreign file
        raise InputError([problem(source, "err_workbook", reason=str(exc).strip() or type(exc).__name__)]) from None
    worksheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    name = _choose(source, worksheets, sheet, calamine.SheetVisibleEnum.Visible)
    grid = book.get_sheet_by_name(name)
    rows = []
    for index, values in enumerate(grid.to_python(skip_empty_area=False)):
        fields = [v if type(v) is str else _text(v) for v in values]
        if any(f.strip() for f in fields):
            rows.append((index + 1, fields))
    return name, rows, list(getattr(grid, "merged_cell_ranges", None) or [])


def _choose(source: str, worksheets: list, wanted: str | None, visible) -> str:
    names = [m.name for m in worksheets]
    if wanted is None:
        shown = [m.name for m in worksheets if m.visible == visible]
        if not shown:
            raise InputError([problem(source, "err_no_sheet")])
        return shown[0]  # the first sheet an officer sees; hidden sheets hold lists and lookups
    if wanted in names:
        return wanted
    close = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if close:
        return close[0]
    raise InputError([problem(source, "err_sheet_unknown", sheet_name=wanted, names="、".join(names) if _cjk(names) else ", ".join(names))])


def _cjk(names: list[str]) -> bool:
    return any(ord(c) > 0x2E80 for n in names for c in n)


def _text(value: object) -> str:
    if type(value) is float and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)
