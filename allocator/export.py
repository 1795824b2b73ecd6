"""The export folder: the logistics team's stable spreadsheet contract.

Files are UTF-8 with a BOM (so Excel shows Chinese), text cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe, and the whole folder
is written atomically: every file goes to a temporary name first and is renamed into
place only once all of them were written and every target was found writable (a
file held open by Excel is reported, and nothing is replaced).  CSV content depends
only on the input, the scenario and the allocation, never on timings, so a
``--deterministic`` rerun gives byte-identical CSV files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from allocator.errors import ExportError
from allocator.reasons import reasons
from allocator.result import binding_input, bus_stops
from allocator.solving import Result

ALLOCATION_COLUMNS = (
    "enterprise_id", "name", "tier", "chain_link", "park", "origin", "employees", "on_post", "workers_away",
    "electricity_recovery", "masks_in_stock", "trucks_needed", "output_value", "eligible", "boxes", "masks",
    "passes", "workers_returned", "bus_ids", "c_before", "c_after", "binding", "reason",
)
BUS_COLUMNS = ("bus_id", "origin", "park", "enterprise_id", "name", "workers", "seats_used", "seats")
MASK_COLUMNS = ("enterprise_id", "name", "park", "tier", "chain_link", "boxes", "masks")
PASS_COLUMNS = ("enterprise_id", "name", "park", "tier", "chain_link", "trucks_needed", "passes")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _file_mode() -> int:
    """Plain files get the usual permissions (mkstemp would leave them private)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


def export_files(result: Result, summary: dict[str, Any], manifest: dict[str, Any], lang: str = "en") -> dict[str, bytes]:
    """Every file of the export folder, rendered in memory; ``lang`` only changes CSV headers."""
    from allocator.i18n import header

    stops = bus_stops(result.problem, result.allocation)

    def heads(columns: Sequence[str]) -> list[str]:
        return [header(c, lang) for c in columns]

    return {
        "allocation.csv": csv_bytes(heads(ALLOCATION_COLUMNS), zip(*allocation_columns(result, stops)), formatted=True),
        "buses.csv": csv_bytes(heads(BUS_COLUMNS), bus_rows(result, stops)),
        "masks.csv": csv_bytes(heads(MASK_COLUMNS), delivery_rows(result, "masks")),
        "passes.csv": csv_bytes(heads(PASS_COLUMNS), delivery_rows(result, "passes")),
        "summary.json": json_bytes(summary),
        "manifest.json": json_bytes(manifest),
    }


def write_export(directory: str | Path, files: dict[str, bytes]) -> None:
    """Write all files or none: temporary files first, then one rename per file."""
    directory = Path(directory)
    created = not directory.exists()
    temps: list[tuple[Path, Path]] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            temps.append((Path(temp), directory / name))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, _FILE_MODE)
        for _, target in temps:
            _check_replaceable(target)
        for temp, target in temps:
            os.replace(temp, target)
        temps.clear()
    except OSError as exc:
        raise ExportError(_explain(exc, directory)) from None
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        if created and temps and not any(directory.iterdir()):
            directory.rmdir()


def write_new_folder(directory: str | Path, files: dict[str, bytes]) -> None:
    """Write a whole folder under a temporary name, then rename it into place.

    Used for the per-scenario folders of a sweep: an interrupted run leaves only a
    ``.NAME.partial-*`` folder, which the sweep removes, never a half-filled one.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.partial-"))
    os.chmod(partial, _FILE_MODE | 0o111 & ~(0o666 & ~_FILE_MODE))
    try:
        write_export(partial, files)
        if directory.exists():
            old = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.partial-old-"))
            os.replace(directory, old / "previous")
            os.replace(partial, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, directory)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(_explain(exc, directory)) from None
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


def _check_replaceable(target: Path) -> None:
    """A file Excel holds open cannot be replaced on Windows; find out before touching anything."""
    if target.exists():
        with open(target, "r+b"):
            pass


def _explain(exc: OSError, directory: Path) -> str:
    name = Path(exc.filename).name if exc.filename else str(directory)
    if isinstance(exc, PermissionError):
        return f"cannot write {name} in {directory}: it is open in another program (Excel?) or read-only; close it and run again. Nothing was written."
    return f"cannot write the export to {directory}: {exc.strerror or exc}. Nothing was written."


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
