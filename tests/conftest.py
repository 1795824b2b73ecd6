"""Shared helpers: tiny instances under tests/data, solving them and checking their exports."""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings

from allocator.output.export import export_files, write_export
from allocator.data.loading import load_problem
from allocator.output.manifest import manifest
from allocator.options import SolveOptions
from allocator.stages.driver import solve
from allocator.analysis.summary import summarize
from tests.plan_check import check_plan_export
from tests.spec_check import check_export

DATA = Path(__file__).parent / "cases"

#: CI runs the same hypothesis examples every time (a red CI must mean a change broke
#: something); a local run draws new ones, which is how numerical edge cases are found.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
KEQIAO = Path(__file__).parent.parent / "instances" / "keqiao-2020.csv"

#: Tiny instances are solved to a proven optimum, not to the default 1e-4 gap.
EXACT = SolveOptions(time_limit=30, rel_gap=1e-9)


def solve_case(name: str, tmp_path: Path, sets: list[str] | None = None, instance: Path | None = None,
               solver: str = "highs"):
    """Solve tests/data/<name>.csv under <name>.toml, export it and check it independently."""
    instance = instance or DATA / f"{name}.csv"
    problem = load_problem(instance, DATA / f"{name}.toml", sets)
    result = solve(problem, replace(EXACT, solver=solver))
    summary = summarize(result)
    out = tmp_path / f"export-{name}"
    from datetime import datetime, timezone

    write_export(out, export_files(result, summary, manifest(result, summary, datetime.now(timezone.utc), [])))
    check = check_export(instance, out, DATA / f"{name}.toml", sets or ())
    assert check["violations"] == [], check["violations"]
    assert result.evaluation.violations == ()
    return result, summary, check, out


def plan_case(name: str, days: int, tmp_path: Path, sets: list[str] | None = None, day_by_day: bool = False,
              options: SolveOptions = EXACT):
    """Plan tests/cases/<name>.csv under <name>.toml and <name>_arrivals.csv for ``days``, export it and
    check the export independently (tests/plan_check.py)."""
    from datetime import datetime, timezone

    from allocator.output.transaction import Outputs
    from allocator.plan.arrivals import read_arrivals
    from allocator.plan.export import PLAN_NAMES, plan_files, plan_manifest
    from allocator.plan.problem import Horizon
    from allocator.plan.summary import summarize_plan
    from allocator.plan.week import plan

    arrivals = DATA / f"{name}_arrivals.csv"
    arrivals = arrivals if arrivals.exists() else None
    problem = load_problem(DATA / f"{name}.csv", DATA / f"{name}.toml", sets)
    week = read_arrivals(arrivals, days) if arrivals else None
    from allocator.plan.arrivals import Arrivals

    result = plan(Horizon(problem, week or Arrivals.none(days)), options)
    summary = summarize_plan(result, day_by_day)
    out = tmp_path / f"plan-{name}-{days}{'-by-day' if day_by_day else ''}"
    files = plan_files(result, summary, plan_manifest(result, summary, datetime.now(timezone.utc), []), "en", day_by_day)
    outputs = Outputs()
    outputs.folder(out, files, PLAN_NAMES)
    outputs.commit()
    check = check_plan_export(DATA / f"{name}.csv", out, days, arrivals, DATA / f"{name}.toml", sets or ())
    assert check["violations"] == [], check["violations"]
    assert result.evaluation.violations == ()
    return result, summary, check, out


def write_rows(path: Path, rows: list[dict], columns: list[str] | None = None, encoding: str = "utf-8") -> Path:
    columns = columns or list(rows[0])
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def small_instance(tmp_path_factory) -> Path:
    """The 'small' preset (about 300 firms): big enough to be realistic, solved in seconds."""
    from allocator.data.generate import generate, to_csv_bytes

    path = tmp_path_factory.mktemp("small") / "small.csv"
    path.write_bytes(to_csv_bytes(generate("small", 7)))
    return path


@pytest.fixture(scope="session")
def keqiao_result():
    """The bundled instance solved once with the defaults (about 6 s), for tests that read it."""
    return solve(load_problem(KEQIAO, None, None))


@pytest.fixture(scope="session")
def keqiao_guided():
    """The bundled instance solved once by the LP-guided search (about 6 s), for the bounds' tests."""
    from allocator.options import SolveOptions

    return solve(load_problem(KEQIAO, None, None), SolveOptions(search="guided"))


def _after(args: list[str], *names: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in names]


def run_cli(runner, args: list[str]):
    """Run the CLI; every export folder it wrote is checked by tests/spec_check.py, with the
    scenario resolved from this command's own inputs (--scenario, --set, a what-if variant's
    overrides), never from the summary.json it is checking."""
    import json

    from allocator.cli import app
    from allocator.sweep.variants import folder_name

    result = runner.invoke(app, args)
    if result.exit_code not in (0, 1, 130):
        return result
    scenario = next(iter(_after(args, "--scenario", "-s")), None)
    sets = _after(args, "--set")
    instance = Path(args[1])
    if instance.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        # the independent checker reads CSV only: a workbook is checked against its CSV twin
        # (same rows, English headers), which the test writes beside it
        instance = instance.with_suffix(".csv")
    for export in _after(args, "--export") if args[0] == "solve" else ():
        if (Path(export) / "summary.json").exists():
            check = check_export(instance, Path(export), scenario and Path(scenario), sets)
            assert check["violations"] == [], check["violations"]
    for export in _after(args, "--export") if args[0] == "plan" else ():
        if (Path(export) / "summary.json").exists():
            arrivals = next(iter(_after(args, "--arrivals")), None)
            days = int(_after(args, "--days")[0])
            check = check_plan_export(instance, Path(export), days, arrivals and Path(arrivals),
                                      scenario and Path(scenario), sets)
            assert check["violations"] == [], check["violations"]
    for out in _after(args, "--out") if args[0] == "whatif" else ():
        manifest = Path(out) / "manifest.json"
        runs = json.loads(manifest.read_text(encoding="utf-8"))["runs"] if manifest.exists() else []
        days = _after(args, "--plan-days")
        for run in runs:
            folder = Path(out) / folder_name(run["scenario"])
            if not (folder / "summary.json").exists():
                continue
            if days:  # a week's plan per run: its arrivals are the variant's own, else the base's
                arrivals = run["overrides"].get("arrivals") or next(iter(_after(args, "--arrivals")), None)
                check = check_plan_export(instance, folder, int(days[0]), arrivals and Path(arrivals),
                                          scenario and Path(scenario), sets, run["overrides"])
            else:
                check = check_export(instance, folder, scenario and Path(scenario), sets, run["overrides"])
            assert check["violations"] == [], (run["scenario"], check["violations"])
    return result
