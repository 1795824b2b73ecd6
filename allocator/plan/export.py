"""The week's export folder: the logistics team's files, with ``solve``'s file rules.

    deliveries.csv  one row per day and enterprise that receives something that day
    buses.csv       as solve's, with a leading day column; bus ids unique within a day
    daily.csv       one row per day: arrivals, handed out, left in store, recoveries, output
    allocation.csv  as solve's (the totals over the horizon), plus c_day1 .. c_dayD
    week.xlsx       the four files as sheets, and solve's summary sheet for the end of the week
    summary.json, manifest.json

UTF-8 with a BOM, formula-like text neutralised, CSV content independent of timings
(allocator.output.export's csv_bytes and json_bytes), the folder written all or none
(allocator.output.transaction).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Iterable, Sequence

import numpy as np

from allocator.allocation import Allocation, bus_stops
from allocator.output.export import ALLOCATION_COLUMNS, BUS_COLUMNS, allocation_columns, csv_bytes, json_bytes
from allocator.plan.evaluation import Plan
from allocator.plan.result import PlanResult
from allocator.plan.summary import end_of_week, exported_plan

DELIVERY_COLUMNS = ("day", "enterprise_id", "name", "tier", "chain_link", "park", "boxes", "masks", "passes",
                    "workers_returned")
DAY_BUS_COLUMNS = ("day", *BUS_COLUMNS)
#: Every name a plan's export folder may hold (solve's names too: a folder may change hands).
PLAN_NAMES = frozenset({"deliveries.csv", "buses.csv", "daily.csv", "allocation.csv", "week.xlsx", "summary.json",
                        "manifest.json"})


def daily_columns(links: Sequence[str]) -> tuple[str, ...]:
    return ("day", "masks_arrived", "passes_arrived", "buses_arrived", "boxes_handed_out", "masks_handed_out",
            "passes_handed_out", "buses_used", "workers_returned", "masks_left", "passes_left", "buses_unused",
            "recovery", *(f"link_{link}" for link in links), "lowest_link", "weighted_output")


def plan_files(result: PlanResult, summary: dict[str, Any], manifest: dict[str, Any], lang: str = "en",
               day_by_day: bool = False) -> dict[str, bytes]:
    """Every file of the folder, rendered in memory; ``lang`` only changes CSV headers."""
    plan, check = exported_plan(result, day_by_day)
    days = day_stops(result, plan)

    def heads(columns: Sequence[str]) -> list[str]:
        return [plan_header(c, lang) for c in columns]

    c_days = [f"c_day{day}" for day in result.horizon.day_numbers]
    view = end_of_week(result, plan, check)
    stops = [dataclasses.replace(stop, bus_id=f"{day}:{stop.bus_id}") for day, day_list in days for stop in day_list]
    columns = allocation_columns(view, stops) + [[f"{v:.6f}" for v in check.c[k].tolist()] for k in range(len(c_days))]
    links = list(result.horizon.problem.links)
    tables = {
        "deliveries": (DELIVERY_COLUMNS, list(delivery_rows(result, plan))),
        "buses": (DAY_BUS_COLUMNS, list(bus_rows(result, days))),
        "daily": (daily_columns(links), list(daily_rows(summary, links))),
        "allocation": ((*ALLOCATION_COLUMNS, *c_days), [list(row) for row in zip(*columns)]),
    }
    files = {f"{name}.csv": csv_bytes(heads(codes), rows, formatted=name == "allocation")
             for name, (codes, rows) in tables.items()}
    return {**files, "week.xlsx": week_workbook(tables, heads, summary, lang),
            "summary.json": json_bytes(summary), "manifest.json": json_bytes(manifest)}


def week_workbook(tables: dict[str, tuple[Sequence[str], list]], heads, summary: dict[str, Any], lang: str) -> bytes:
    """week.xlsx: the four CSV files' cells as sheets (numbers as numbers, recoveries as
    percentages, the same neutralised text), then solve's summary sheet for the end of the week."""
    from allocator.output.spreadsheet import FORMATS, csv_sheets, summary_sheet
    from allocator.output.workbook import DECIMAL, PERCENT, WHOLE, workbook_bytes

    def format_of(code: str) -> str | None:
        if code in FORMATS:
            return FORMATS[code]
        if code in ("recovery", "lowest_link") or code.startswith(("c_day", "link_")):
            return PERCENT
        return DECIMAL if code == "weighted_output" else WHOLE if code in _WEEK_COUNTS else None

    return workbook_bytes([*csv_sheets(tables, heads, lang, format_of), summary_sheet(summary, lang)])


_WEEK_COUNTS = {"day", "masks_arrived", "passes_arrived", "buses_arrived", "boxes_handed_out", "masks_handed_out",
                "passes_handed_out", "buses_used", "masks_left", "passes_left", "buses_unused"}


def plan_header(column: str, lang: str) -> str:
    """A column's header: the code itself in English, solve's or the plan's words in Chinese."""
    from allocator.output.words import HEADERS, TEXT, header, t

    if lang == "en" or column in HEADERS:
        return header(column, lang)
    if column.startswith("c_day"):
        return t("header_c_day", lang, day=column.removeprefix("c_day"))
    if column.startswith("link_"):
        return t("header_link", lang, link=column.removeprefix("link_"))
    return t(f"header_{column}", lang) if f"header_{column}" in TEXT else column


def day_stops(result: PlanResult, plan: Plan) -> list[tuple[int, list]]:
    """Each day's bus stops: that day's riders seated on that day's buses (ids from BUS001 each day)."""
    h = result.horizon
    _, _, riders = plan.daily(h.start)
    zeros = np.zeros(len(h.problem), dtype=np.int64)
    return [(day, bus_stops(h.problem, Allocation(zeros, zeros, riders[k], plan.buses[k])))
            for k, day in enumerate(h.day_numbers)]


def delivery_rows(result: PlanResult, plan: Plan) -> Iterable[list[Any]]:
    """Day by day, grouped by park (the delivery point), enterprises in input order."""
    h = result.horizon
    inst, pack = h.problem.instance, h.problem.scenario.supply.mask_pack
    boxes, passes, riders = plan.daily(h.start)
    for k, day in enumerate(h.day_numbers):
        receivers = np.flatnonzero((boxes[k] > 0) | (passes[k] > 0) | (riders[k] > 0))
        for i in receivers[np.argsort(inst.park[receivers].astype(str), kind="stable")]:
            yield [day, inst.enterprise_id[i], inst.name[i], inst.tier[i], inst.chain_link[i], inst.park[i],
                   boxes[k][i], boxes[k][i] * pack, passes[k][i], riders[k][i]]


def bus_rows(result: PlanResult, days: list[tuple[int, list]]) -> Iterable[list[Any]]:
    inst, seats = result.horizon.problem.instance, result.horizon.problem.scenario.supply.bus_seats
    for day, stops in days:
        used: dict[str, int] = {}
        for stop in stops:
            used[stop.bus_id] = used.get(stop.bus_id, 0) + stop.workers
        for stop in stops:
            firm = stop.enterprise
            ident, name = (inst.enterprise_id[firm], inst.name[firm]) if firm >= 0 else ("", "")
            yield [day, stop.bus_id, stop.origin, stop.park, ident, name, stop.workers, used[stop.bus_id], seats]


def daily_rows(summary: dict[str, Any], links: Sequence[str]) -> Iterable[list[Any]]:
    for d in summary["daily"]:
        arrived, out, left = d["arrived"], d["handed_out"], d["left"]
        yield [d["day"], arrived["masks"], arrived["passes"], arrived["buses"], out["boxes"], out["masks"],
               out["passes"], out["buses"], out["workers"], left["masks"], left["passes"], left["buses"],
               f"{d['recovery']:.6f}", *(f"{d['links'][link]:.6f}" for link in links),
               "" if d["lowest_link"] is None else f"{d['lowest_link']:.6f}", f"{d['weighted_output']:.6f}"]


def plan_manifest(result: PlanResult, summary: dict[str, Any], started: datetime,
                  command: list[str] | None = None) -> dict[str, Any]:
    """solve's manifest (inputs, limits, versions, outcome) with the arrivals and the horizon."""
    from allocator.output.manifest import manifest

    out = manifest(result, summary, started, command)
    out["arrivals"] = {"file": summary["arrivals"]["file"], "sha256": summary["arrivals"]["sha256"]}
    out["days"] = summary["days"]
    out["exported"] = summary["exported"]
    return out
