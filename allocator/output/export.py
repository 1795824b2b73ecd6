"""The export folder: the logistics team's stable spreadsheet contract.

Files are UTF-8 with a BOM (so Excel shows Chinese), text cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe, and the whole folder
is replaced as a whole (see :mod:`allocator.output.transaction`): a reader sees the old set or
the new one, and a failure leaves the old one.  CSV content depends
only on the input, the scenario and the allocation, never on timings, so a
``--deterministic`` rerun gives byte-identical CSV files.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from allocator.analysis.reasons import reasons
from allocator.allocation import binding_input, bus_stops
from allocator.result import Result
from allocator.output.transaction import Outputs

ALLOCATION_COLUMNS = (
    "enterprise_id", "name", "tier", "chain_link", "park", "origin", "employees", "on_post", "workers_away",
    "electricity_recovery", "masks_in_stock", "trucks_needed", "output_value", "eligible", "boxes", "masks",
    "passes", "workers_returned", "bus_ids", "c_before", "c_after", "binding", "reason",
)
BUS_COLUMNS = ("bus_id", "origin", "park", "enterprise_id", "name", "workers", "seats_used", "seats")
MASK_COLUMNS = ("enterprise_id", "name", "park", "tier", "chain_link", "boxes", "masks")
PASS_COLUMNS = ("enterprise_id", "name", "park", "tier", "chain_link", "trucks_needed", "passes")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_files(result: Result, summary: dict[str, Any], manifest: dict[str, Any], lang: str = "en") -> dict[str, bytes]:
    """Every file of the export folder, rendered in memory; ``lang`` only changes headers (and
    the workbook's sheet names)."""
    from allocator.output.spreadsheet import allocation_workbook, typed
    from allocator.output.words import header

    stops = bus_stops(result.problem, result.allocation)

    def heads(columns: Sequence[str]) -> list[str]:
        return [header(c, lang) for c in columns]

    allocation = [list(row) for row in zip(*allocation_columns(result, stops))]
    buses, masks, passes = list(bus_rows(result, stops)), list(delivery_rows(result, "masks")), list(delivery_rows(result, "passes"))
    tables = {"allocation": (ALLOCATION_COLUMNS, typed(ALLOCATION_COLUMNS, allocation)),
              "masks": (MASK_COLUMNS, typed(MASK_COLUMNS, masks)), "passes": (PASS_COLUMNS, typed(PASS_COLUMNS, passes)),
              "buses": (BUS_COLUMNS, typed(BUS_COLUMNS, buses))}
    return {
        "allocation.csv": csv_bytes(heads(ALLOCATION_COLUMNS), allocation, formatted=True),
        "buses.csv": csv_bytes(heads(BUS_COLUMNS), buses),
        "masks.csv": csv_bytes(heads(MASK_COLUMNS), masks),
        "passes.csv": csv_bytes(heads(PASS_COLUMNS), passes),
        "allocation.xlsx": allocation_workbook(tables, summary, lang),
        "summary.json": json_bytes(summary),
        "manifest.json": json_bytes(manifest),
    }


#: Every name an export folder may hold: an earlier export of any command of this version.
EXPORT_NAMES = frozenset({"allocation.csv", "buses.csv", "masks.csv", "passes.csv", "allocation.xlsx", "summary.json",
                          "manifest.json", "deliveries.csv", "daily.csv", "week.xlsx"})  # the last three: plan's


def write_export(directory: str | Path, files: dict[str, bytes]) -> None:
    """Replace the export folder as a whole (see allocator.output.transaction): all files or none."""
    outputs = Outputs()
    outputs.folder(directory, files, EXPORT_NAMES)
    outputs.commit()


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]], formatted: bool = False) -> bytes:
    """CSV in Excel's dialect; ``formatted`` rows already hold their final cell strings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows if formatted else ([_cell(v) for v in row] for row in rows))
    return buffer.getvalue().encode("utf-8-sig")


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n").encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return format(float(value), ".12g")


def allocation_columns(result: Result, stops: list) -> list[list[str]]:
    """allocation.csv column by column, each cell formatted as :func:`_cell` would (one call
    per column, not one per cell: 2.3 million cells at 100,000 firms)."""
    problem, alloc, ev = result.problem, result.allocation, result.evaluation
    inst, pack = problem.instance, problem.scenario.supply.mask_pack
    buses_of: dict[int, list[str]] = {}
    for stop in stops:
        if stop.enterprise >= 0:
            buses_of.setdefault(stop.enterprise, []).append(stop.bus_id)
    bus_ids = [";".join(buses_of.get(i, [])) for i in range(len(inst))]
    texts = (inst.enterprise_id, inst.name, inst.tier, inst.chain_link, inst.park, inst.origin)
    return [
        *(_text_cells(column) for column in texts),
        *(_int_cells(column) for column in (inst.employees, inst.on_post, inst.workers_away)),
        _float_cells(inst.electricity_recovery),
        *(_int_cells(column) for column in (inst.masks_in_stock, inst.trucks_needed)),
        _float_cells(inst.output_value),
        ["yes" if e else "no" for e in problem.eligible.tolist()],
        *(_int_cells(column) for column in (alloc.boxes, alloc.boxes * pack, alloc.passes, alloc.returned)),
        _text_cells(bus_ids),
        _ratio_cells(ev.c_before),
        _ratio_cells(ev.c_after),
        _text_cells(binding_input(problem, alloc, ev.c_after)),
        _text_cells(reasons(problem, alloc)),
    ]


def _text_cells(column: Sequence[Any]) -> list[str]:
    return [_cell(v) for v in (column.tolist() if isinstance(column, np.ndarray) else column)]


def _int_cells(column: np.ndarray) -> list[str]:
    return [str(v) for v in np.asarray(column, dtype=np.int64).tolist()]


def _float_cells(column: np.ndarray) -> list[str]:
    return [format(v, ".12g") for v in np.asarray(column, dtype=float).tolist()]


def _ratio_cells(column: np.ndarray) -> list[str]:
    return [f"{v:.6f}" for v in np.asarray(column, dtype=float).tolist()]


def bus_rows(result: Result, stops: list) -> Iterable[list[Any]]:
    inst, seats = result.problem.instance, result.problem.scenario.supply.bus_seats
    used: dict[str, int] = {}
    for stop in stops:
        used[stop.bus_id] = used.get(stop.bus_id, 0) + stop.workers
    for stop in stops:
        firm = stop.enterprise
        ident, name = (inst.enterprise_id[firm], inst.name[firm]) if firm >= 0 else ("", "")
        yield [stop.bus_id, stop.origin, stop.park, ident, name, stop.workers, used[stop.bus_id], seats]


def delivery_rows(result: Result, kind: str) -> Iterable[list[Any]]:
    """Enterprises that receive masks (or passes), grouped by park, the delivery point."""
    problem, alloc = result.problem, result.allocation
    inst, pack = problem.instance, problem.scenario.supply.mask_pack
    amount = alloc.boxes if kind == "masks" else alloc.passes
    receivers = np.flatnonzero(amount > 0)
    order = receivers[np.argsort(inst.park[receivers].astype(str), kind="stable")]
    for i in order:
        head = [inst.enterprise_id[i], inst.name[i], inst.park[i], inst.tier[i], inst.chain_link[i]]
        if kind == "masks":
            yield head + [alloc.boxes[i], alloc.boxes[i] * pack]
        else:
            yield head + [inst.trucks_needed[i], alloc.passes[i]]
