"""Any table an officer hands us, as header and rows of text: the one place files are opened.

The instance, and every other register the tool reads, goes through :func:`read_table`:
file errors, encodings (UTF-8 with or without BOM, else GB18030), CSV quoting, blank
lines skipped, empty files refused, each row keeping the line number an editor or Excel
shows (the header is row 1).  What the cells mean is for the caller to check.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from allocator.errors import InputError, InputProblem


@dataclass(frozen=True)
class Table:
    """A file's header and its non-blank rows, with the row number of each as the officer sees it."""

    source: str
    sha256: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]


def read_table(path: str | Path, encoding: str | None = None, rows: str = "enterprise rows") -> Table:
    """Read one table; raises :class:`InputError` naming the file (and row) when it cannot be used.

    ``rows`` names what a row of this register is, for the message about a header-only file."""
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError([InputProblem(source, "file not found")]) from None
    except IsADirectoryError:
        raise InputError([InputProblem(source, "is a directory, not a table file")]) from None
    except OSError as exc:
        raise InputError([InputProblem(source, f"cannot be read: {exc.strerror}")]) from None
    text = decode(data, source, encoding)
    header, records, lines = _split_records(text, source, rows)
    return Table(source, hashlib.sha256(data).hexdigest(), header, records, lines)


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    """Strict UTF-8 (BOM or not) first, then GB18030, unless an encoding is forced."""
    if b"\x00" in data[:65536]:
        raise InputError([InputProblem(source, "looks like a binary file (it contains NUL bytes), not a CSV text file")])
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError([InputProblem(source, f"unknown encoding {encoding!r}")]) from None
        except UnicodeDecodeError as exc:
            raise InputError([InputProblem(source, f"cannot be decoded as {encoding}: byte {exc.start}")]) from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise InputError([InputProblem(source, "is neither UTF-8 nor GB18030 text; pass --encoding if you know it")])


def _split_records(text: str, source: str, rows: str) -> tuple[list[str], list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        for fields in reader:
            if not any(cell.strip() for cell in fields):
                continue  # blank lines are skipped
            if header is None:
                header = fields
            else:
                records.append(fields)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError([InputProblem(source, f"is not valid CSV: {exc}", row=reader.line_num)]) from None
    if header is None:
        raise InputError([InputProblem(source, "the file is empty")])
    if not records:
        raise InputError([InputProblem(source, f"the file has a header but no {rows}", row=1)])
    return header, records, lines


