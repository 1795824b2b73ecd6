"""allocation.xlsx: the export's four CSV files and the report's headline in one workbook.

The sheets hold exactly the CSV files' cells (same columns, same order, same neutralised
text; numbers as numbers, recovery shown as a percentage), so that a cell of the workbook
and the same cell of the CSV file always agree; a summary sheet adds the headline
figures, the supplies and the stage table (no timings: a ``--deterministic`` rerun gives
the same file).  Sheet names and headers follow ``--lang``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from allocator.output.words import LINKS, STAGES, STATUSES, TIERS, name_of, t
from allocator.output.workbook import DECIMAL, PERCENT, RATIO6, WHOLE, Block, Sheet, workbook_bytes

#: Number formats per export column (the others are text).
FORMATS = {
    "employees": WHOLE, "on_post": WHOLE, "workers_away": WHOLE, "electricity_recovery": PERCENT,
    "masks_in_stock": WHOLE, "trucks_needed": WHOLE, "output_value": DECIMAL, "boxes": WHOLE, "masks": WHOLE,
    "passes": WHOLE, "workers_returned": WHOLE, "c_before": PERCENT, "c_after": PERCENT, "workers": WHOLE,
    "seats_used": WHOLE, "seats": WHOLE,
}
_INTEGER = {c for c, f in FORMATS.items() if f == WHOLE}
SHEETS = ("allocation", "masks", "passes", "buses")


def typed(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """CSV cells (strings, or raw values) as workbook cells: numbers where the column holds numbers.

    Converted a column at a time (the province's 2.3 million cells: 1.1 s cell by cell)."""
    rows = list(rows)
    if not rows:
        return []
    kinds = [int if c in _INTEGER else float if c in FORMATS else None for c in columns]
    cells = list(zip(*rows, strict=True))  # every row has every column (a short row is a bug upstream)
    return [list(row) for row in zip(*(_typed(column, kind) for column, kind in zip(cells, kinds, strict=True)))]


def _typed(column: Sequence[Any], kind) -> list[Any]:
    if kind is None:
        return [v.item() if hasattr(v, "item") else v for v in column]
    return [v if v is None or v == "" else kind(v) for v in column]


def allocation_workbook(tables: dict[str, tuple[Sequence[str], list[list[Any]]]], summary: dict[str, Any],
                        lang: str) -> bytes:
    """``tables``: for each of SHEETS, its export columns (SPEC names) and typed rows."""
    from allocator.output.words import header

    sheets = []
    for name in SHEETS:
        columns, rows = tables[name]
        formats = {i: FORMATS[c] for i, c in enumerate(columns) if c in FORMATS}
        sheets.append(Sheet.table(t(f"sheet_{name}", lang), [header(c, lang) for c in columns], rows, formats))
    sheets.append(summary_sheet(summary, lang))
    return workbook_bytes(sheets)


def summary_sheet(summary: dict[str, Any], lang: str) -> Sheet:
    """The report's headline: the plan, recovery before and after, supplies, and each stage's claim."""
    inst, rec = summary["instance"], summary["recovery"]
    plan = Block([t("col_figure", lang), t("col_value", lang)], [
        [t("sheet_file", lang), inst["file"]],
        [t("col_enterprises", lang), inst["enterprises"]],
        [t("col_status", lang), name_of(STATUSES, summary["status"], lang)],
    ], {})
    rows = [[t("overall", lang), rec["overall"]["before"], rec["overall"]["after"]]]
    rows += [[t("tier_row", lang, tier=name_of(TIERS, k, lang)), v["before"], v["after"]] for k, v in rec["tiers"].items()]
    rows += [[t("link_row", lang, link=name_of(LINKS, k, lang)), v["before"], v["after"]] for k, v in rec["links"].items()]
    if rec["lowest_listed_link"]:
        low = rec["lowest_listed_link"]
        rows.append([t("chart_lowest", lang), low["before"], low["after"]])
    recovery = Block([t("col_figure", lang), t("col_before", lang), t("col_after", lang)], rows, {1: PERCENT, 2: PERCENT},
                     title=t("recovery_title", lang))
    output = summary["weighted_output"]
    recovery_rows = list(recovery.rows) + [[t("kpi_output", lang), output["before"], output["after"]]]
    recovery = Block(recovery.columns, recovery_rows, recovery.formats, recovery.title)
    sup = summary["supplies"]
    supplies = Block([t("col_figure", lang), t("col_supply", lang), t("col_used", lang), t("col_left", lang)],
                     [[t(k, lang), sup[k]["supply"], sup[k]["used"], sup[k]["left"]] for k in ("masks", "boxes", "passes", "buses")]
                     + [[t("chart_seats", lang), sup["seats"]["offered"], sup["seats"]["used"], sup["seats"]["empty"]]],
                     {1: WHOLE, 2: WHOLE, 3: WHOLE}, title=t("supplies_title", lang))
    stages = Block([t(k, lang) for k in ("col_stage", "col_objective", "col_status", "col_value", "col_bound", "col_gap")],
                   [[s["stage"], name_of(STAGES, s["stage"], lang), _status(s, lang), s["value"], s["bound"], s["gap"]]
                    for s in summary["stages"]], {3: RATIO6, 4: RATIO6, 5: "0.0E+00"}, title=t("stages_title", lang))
    return Sheet(t("sheet_summary", lang), [plan, recovery, supplies, stages])


def _status(stage: dict[str, Any], lang: str) -> str:
    from allocator.output.wording import stage_note

    text = name_of(STATUSES, stage["status"], lang)
    return text + (f" ({stage_note(stage['note'], lang)})" if stage["note"] else "")


def csv_sheets(tables: dict[str, tuple[Sequence[str], list]], heads, lang: str, format_of) -> list[Sheet]:
    """Sheets holding the cells of export CSV files: ``tables`` maps a sheet (its words key
    ``sheet_NAME``) to its column codes and rows as the CSV file gets them; ``heads`` gives the
    headers, ``format_of(code)`` a column's number format (None: text).  Numbers become numbers,
    yes/no stays as the CSV writes it, so a cell of the workbook and of the CSV file agree."""
    sheets = []
    for name, (codes, rows) in tables.items():
        formats = {i: f for i, c in enumerate(codes) if (f := format_of(c)) is not None}
        cells = [[_number(v) if i in formats else _text_cell(v) for i, v in enumerate(row)] for row in rows]
        sheets.append(Sheet.table(t(f"sheet_{name}", lang), heads(codes), cells, formats))
    return sheets


def _text_cell(value: Any) -> Any:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    return value.item() if hasattr(value, "item") else value


def _number(value: Any) -> Any:
    """A CSV cell as a number (blank stays blank)."""
    if value is None or value == "":
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int):
        return value
    number = float(value)
    return int(number) if isinstance(value, str) and number.is_integer() and "." not in value else number
