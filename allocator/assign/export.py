"""The assign export folder: visit lists for the commissioners, in the logistics team's format.

Same file rules as ``solve --export`` (UTF-8 with BOM, formula-like text neutralised, the
folder replaced all or nothing through allocator.output.transaction.Outputs), and
allocation.csv is exactly the file ``solve`` writes for the same allocation.

    assignment.csv  one row per (commissioner, firm), commissioners in file order
    visits.csv      one row per commissioner: firms, parks, key firm if a leader
    unserved.csv    firms without a commissioner, and why
    visits.xlsx     the three files above as sheets, for the team that prints the lists
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from allocator.assign import Run
from allocator.assign.summary import parks_of, unserved_reasons

ASSIGNMENT_COLUMNS = (
    "commissioner_id", "commissioner_name", "field", "home_park", "leader", "enterprise_id", "name", "park", "tier",
    "chain_link", "key_firm", "c_after", "binding", "gap", "priority", "boxes", "masks", "passes", "workers_returned",
)
VISIT_COLUMNS = ("commissioner_id", "commissioner_name", "field", "home_park", "leader", "capacity", "firms", "parks",
                 "park_count", "key_firm", "enterprise_ids", "park_names")
UNSERVED_COLUMNS = ("enterprise_id", "name", "park", "tier", "chain_link", "key_firm", "c_after", "binding", "gap",
                    "priority", "reason")
#: Every name an assign export folder may hold.
EXPORT_NAMES = frozenset({"assignment.csv", "visits.csv", "unserved.csv", "allocation.csv", "visits.xlsx",
                          "summary.json", "manifest.json"})


def export_files(run: Run, summary: dict[str, Any], manifest: dict[str, Any], lang: str = "en") -> dict[str, bytes]:
    """Every file of the folder, rendered in memory; ``lang`` only changes the CSV headers."""
    from allocator.allocation import bus_stops
    from allocator.output.export import ALLOCATION_COLUMNS, allocation_columns, csv_bytes, json_bytes

    stops = bus_stops(run.allocation.problem, run.allocation.allocation)
    tables = {"assignment": (ASSIGNMENT_COLUMNS, list(assignment_rows(run))),
              "visits": (VISIT_COLUMNS, list(visit_rows(run))),
              "unserved": (UNSERVED_COLUMNS, list(unserved_rows(run)))}
    return {
        **{f"{name}.csv": csv_bytes(heads(codes, lang), rows) for name, (codes, rows) in tables.items()},
        "visits.xlsx": visits_workbook(tables, lang),
        "allocation.csv": csv_bytes(heads(ALLOCATION_COLUMNS, lang), zip(*allocation_columns(run.allocation, stops)),
                                    formatted=True),
        "summary.json": json_bytes(summary),
        "manifest.json": json_bytes(manifest),
    }


def visits_workbook(tables: dict[str, tuple[Sequence[str], list]], lang: str) -> bytes:
    """visits.xlsx: assignment, visits and unserved cell for cell as in their CSV files."""
    from allocator.output.spreadsheet import csv_sheets
    from allocator.output.workbook import PERCENT, RATIO6, WHOLE, workbook_bytes

    formats = {"c_after": PERCENT, "gap": PERCENT, "priority": RATIO6, **dict.fromkeys(_COUNTS, WHOLE)}
    return workbook_bytes(csv_sheets(tables, lambda codes: heads(codes, lang), lang, formats.get))


_COUNTS = ("capacity", "firms", "parks", "park_count", "boxes", "masks", "passes", "workers_returned")


def heads(columns: Sequence[str], lang: str) -> list[str]:
    from allocator.output.words import TEXT, header, t

    return [t(f"assign_col_{c}", lang) if f"assign_col_{c}" in TEXT else header(c, lang) for c in columns]


def _firm(run: Run, i: int) -> list[Any]:
    problem = run.assignment.problem
    inst = problem.instance
    c = float(run.allocation.evaluation.c_after[i])
    return [inst.enterprise_id[i], inst.name[i], inst.park[i], inst.tier[i], inst.chain_link[i], bool(problem.key[i]),
            f"{c:.6f}", problem.binding[i], f"{1 - c:.6f}", f"{float(problem.pi[i]):.6f}"]


def assignment_rows(run: Run):
    """Commissioners in file order; each one's firms by park, then input order."""
    problem = run.assignment.problem
    alloc, pack = run.allocation.allocation, problem.scenario.supply.mask_pack
    park = problem.instance.park
    firms_of = run.assignment.plan.firms_of()
    for j, who in enumerate(problem.staff):
        for i in sorted(firms_of.get(j, []), key=lambda i: (park[i], i)):
            b = int(alloc.boxes[i])
            yield [who.commissioner_id, who.name, who.field, who.park, who.leader, *_firm(run, i), b, b * pack,
                   int(alloc.passes[i]), int(alloc.returned[i])]


def visit_rows(run: Run):
    from allocator.assign.plan import park_cost

    problem = run.assignment.problem
    inst = problem.instance
    firms_of = run.assignment.plan.firms_of()
    for j, (who, parks) in enumerate(zip(problem.staff, parks_of(run))):
        firms = sorted(firms_of.get(j, []), key=lambda i: (inst.park[i], i))
        key = next((inst.enterprise_id[i] for i in firms if who.leader and problem.key[i]), "")
        yield [who.commissioner_id, who.name, who.field, who.park, who.leader, who.most_firms, len(firms), len(parks),
               park_cost(problem, j, set(parks)), key, ";".join(inst.enterprise_id[i] for i in firms), ";".join(parks)]


def unserved_rows(run: Run):
    why = unserved_reasons(run)
    for i, reason in enumerate(why.tolist()):
        if reason:
            yield [*_firm(run, i), reason]


def manifest(run: Run, summary: dict[str, Any], started, command: list[str] | None = None) -> dict[str, Any]:
    """What an auditor needs to reproduce the run: both inputs' hashes, the scenario, versions, limits."""
    import platform
    import sys
    from datetime import datetime

    from allocator.output.manifest import versions

    alloc_opts, opts = run.allocation.options, run.assignment.options
    return {
        "command": command if command is not None else sys.argv,
        "input": summary["instance"],
        "commissioners": summary["commissioners"],
        "scenario": summary["scenario"],
        "versions": versions(),
        "platform": platform.platform(),
        "allocation": {"time_limit": alloc_opts.time_limit, "seed": alloc_opts.seed, "solver": alloc_opts.solver,
                       "status": summary["allocation"]["status"],
                       "stages": [{k: s[k] for k in ("stage", "status", "value", "bound", "gap")}
                                  for s in summary["allocation"]["stages"]]},
        "time_limit": opts.time_limit,
        "workers": opts.workers,
        "seed": opts.seed,
        "rel_gap": opts.rel_gap,
        "status": summary["status"],
        "stages": [{k: s[k] for k in ("stage", "status", "value", "bound", "gap")} for s in summary["stages"]],
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": summary["timings"],
    }
