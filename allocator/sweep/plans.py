"""Sweeps of week plans (``whatif --plan-days D``): each variant planned over the same days.

A variant may change the scenario as usual, and also the arrivals: the key ``arrivals`` names
another ARRIVALS.csv (``--vary arrivals=week-a.csv,week-b.csv``: a sweep over arrival
schedules).  Every arrivals file is read and checked before the sweep starts (bad input is
exit 2, as for ``plan``); a variant whose scenario cannot plan the horizon (mask_days too
short) fails in its own row.  Each run's folder is the export ``plan --export`` writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from allocator.data.instance import Instance
from allocator.data.scenario import Scenario
from allocator.errors import InputError
from allocator.options import SolveOptions
from allocator.plan.arrivals import Arrivals
from allocator.sweep.runner import RunOutcome
from allocator.sweep.variants import Variant, folder_name

#: The override key that names a variant's arrivals file.
ARRIVALS_KEY = "arrivals"


@dataclass(frozen=True)
class Week:
    """What every run of a plan sweep shares: the days, the base arrivals, and the variants' arrivals by path."""

    days: int
    arrivals: Arrivals
    others: dict[str, Arrivals]


def read_weeks(days: int, base: Path | None, variants: list[Variant]) -> Week:
    """The base arrivals and every variant's, read and checked at once (InputError lists every problem)."""
    from allocator.plan.arrivals import read_arrivals

    problems, others = [], {}
    week = Arrivals.none(days)
    try:
        week = read_arrivals(base, days) if base is not None else week
    except InputError as exc:
        problems += exc.problems
    for path in {str(v.overrides[ARRIVALS_KEY]) for v in variants if ARRIVALS_KEY in v.overrides}:
        try:
            others[path] = read_arrivals(path, days)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Week(days, week, others)


def plan_variant(instance: Instance, base: Scenario, variant: Variant, options: SolveOptions, export_dir: str | None,
                 week: Week) -> RunOutcome:
    """One week's plan, self-contained so it can execute in any worker process."""
    from allocator.errors import ExportError
    from allocator.plan.arrivals import check_horizon
    from allocator.plan.problem import Horizon
    from allocator.plan.summary import summarize_plan
    from allocator.plan.week import plan
    from allocator.problem import Problem

    started = time.perf_counter()
    overrides = {k: v for k, v in variant.overrides.items() if k != ARRIVALS_KEY}
    arrivals = week.others.get(str(variant.overrides.get(ARRIVALS_KEY)), week.arrivals)
    try:
        scenario = base.with_overrides(overrides, source=f"scenario {variant.name!r}")
        check_horizon(week.days, scenario.rules.mask_days, f"scenario {variant.name!r}")
    except InputError as exc:
        return RunOutcome(variant, None, None, "; ".join(p.message for p in exc.problems), time.perf_counter() - started)
    try:
        result = plan(Horizon(Problem(instance, scenario), arrivals), options)
        summary = summarize_plan(result)
        if export_dir is not None:
            _export_run(result, summary, Path(export_dir) / folder_name(variant.name))
    except (ExportError, RuntimeError, ValueError) as exc:
        return RunOutcome(variant, scenario.to_dict(), None, str(exc), time.perf_counter() - started)
    return RunOutcome(variant, scenario.to_dict(), summary, None, time.perf_counter() - started)


def _export_run(result, summary: dict[str, Any], folder: Path) -> None:
    from allocator.output.export import write_export
    from allocator.plan.export import plan_files, plan_manifest

    write_export(folder, plan_files(result, summary, plan_manifest(result, summary, datetime.now(timezone.utc))))
