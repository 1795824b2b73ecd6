"""A sweep's comparison: the KPIs of each run and their change against the base, and its manifest."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from allocator.data.instance import Instance
from allocator.options import SolveOptions
from allocator.sweep.runner import RunOutcome
from allocator.sweep.variants import BASE

def kpis(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures a row of the comparison shows, straight from a run's summary."""
    rec, sup = summary["recovery"], summary["supplies"]
    row: dict[str, Any] = {"recovery_after": rec["overall"]["after"]}
    for tier, values in rec["tiers"].items():
        row[f"tier_{tier}_after"] = values["after"]
    for link in summary["scenario"]["rules"]["chain_links"]:
        if link in rec["links"]:
            row[f"link_{link}_after"] = rec["links"][link]["after"]
    lowest = rec["lowest_listed_link"]
    row["min_link_after"] = lowest["after"] if lowest else min(v["after"] for v in rec["links"].values())
    row["weighted_output"] = summary["weighted_output"]["after"]
    for key in ("masks", "passes", "buses"):
        row[f"{key}_used"] = sup[key]["used"]
        row[f"{key}_left"] = sup[key]["left"]
    for stage in summary["stages"]:  # stage 3's gap counts units, stage 2's output: never mixed
        row[f"gap_stage{stage['stage']}"] = stage["gap"]
    if summary.get("command") == "plan":  # a week's plan: its stage values and its gain over day by day
        row["lowest_link_days"] = summary["values"]["1"]
        row["weighted_output_days"] = summary["values"]["2"]
        gain = summary.get("gain") or {}
        row["gain_lowest_link_days"] = gain.get("lowest_link_days")
        row["gain_weighted_output_days"] = gain.get("weighted_output_days")
    return row


DELTA_KEYS = ("recovery_after", "min_link_after", "weighted_output")


def comparison_sheet(columns: list[str], rows: list[list[Any]], lang: str):
    """comparison.csv as a workbook sheet: shares as percentages, gaps in scientific notation."""
    from allocator.output.words import t
    from allocator.output.workbook import DECIMAL, PERCENT, WHOLE, Sheet

    def pattern(column: str) -> str | None:
        if column.startswith("gap_stage"):
            return "0.0E+00"
        if column in ("weighted_output", "change_weighted_output"):
            return DECIMAL
        if column.endswith(("_used", "_left")):
            return WHOLE
        if column.endswith("_after"):
            return PERCENT
        return None

    formats = {i: f for i, c in enumerate(columns) if (f := pattern(c))}
    return Sheet.table(t("sheet_comparison", lang), columns, rows, formats)


def comparison(outcomes: list[RunOutcome]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of comparison.csv: KPIs per scenario and their change against the base."""
    base = next((o for o in outcomes if o.variant.name == BASE and o.summary), None)
    base_kpis = kpis(base.summary) if base else {}
    all_kpis = [kpis(o.summary) if o.summary else {} for o in outcomes]
    keys: list[str] = []
    for k in all_kpis:
        keys += [x for x in k if x not in keys]
    columns = ["scenario", "overrides", "status"] + keys + [f"change_{k}" for k in DELTA_KEYS] + ["error"]
    rows = []
    for outcome, values in zip(outcomes, all_kpis):
        deltas = [values[k] - base_kpis[k] if k in values and k in base_kpis else None for k in DELTA_KEYS]
        rows.append([outcome.variant.name, outcome.variant.label(), outcome.status]
                    + [values.get(k) for k in keys] + deltas + [outcome.error or ""])
    return columns, rows


def sweep_manifest(instance: Instance, outcomes: list[RunOutcome], options: SolveOptions, started: datetime, command: list[str]) -> dict[str, Any]:
    from allocator.output.manifest import versions

    return {
        "command": command,
        "input": {"file": instance.source, "sha256": instance.sha256, "enterprises": len(instance)},
        "versions": versions(),
        "seed": options.seed,
        "deterministic": options.deterministic,
        "time_limit": options.time_limit,
        "solver": options.solver,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "runs": [
            {
                "scenario": o.variant.name,
                "overrides": o.variant.overrides,
                "resolved": o.scenario,
                "status": o.status,
                "error": o.error,
                "stages": [{k: s[k] for k in ("stage", "status", "value", "bound", "gap")} for s in o.summary["stages"]] if o.summary else None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
    }
