"""``allocator whatif``: a base scenario and its variants, solved in parallel and compared."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator.cli.common import (
    EncodingOpt,
    InstanceArg,
    LangOpt,
    ScenarioOpt,
    SetOpt,
    SheetOpt,
    Solver,
    SolverOpt,
    add_visuals,
    app,
    console,
    fail_on_bad_input,
    finite_seconds,
    output_targets,
    print_notes,
)


class Backend(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def whatif(
    instance: InstanceArg,
    vary: Annotated[Optional[list[str]], typer.Option(help="A grid axis, e.g. [bold]--vary supply.masks=300000,380000[/]; repeatable (the full grid is solved).")] = None,
    scenarios: Annotated[Optional[Path], typer.Option(metavar="FILE", help="TOML of named scenarios: \\[scenario.NAME] tables of overrides.")] = None,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    out: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Write comparison.csv, comparison.xlsx, manifest.json and one export folder per scenario here.")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, metavar="N", help="Parallel runs (default: one per core).")] = None,
    backend: Annotated[Backend, typer.Option(help="local process pool, or a Dask cluster (pip install 'allocator\\[dask]').")] = Backend.local,
    address: Annotated[Optional[str], typer.Option(help="Dask scheduler, e.g. tcp://10.0.0.5:8786; without it a LocalCluster is started.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, callback=finite_seconds, help="Seconds per scenario.")] = 60.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option("--deterministic", help="Bound each run by work, not wall time (identical results on any backend).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")] = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    lang: LangOpt = None,
    html: Annotated[Optional[Path], typer.Option(help="Write one self-contained HTML comparison with the KPI curves.")] = None,
    plots: Annotated[Optional[Path], typer.Option(help="Write the comparison chart as PNG into this folder.")] = None,
    solver: SolverOpt = Solver.highs,
    plan_days: Annotated[Optional[int], typer.Option(min=1, help="Plan a week of this many days in every run (as `allocator plan --days`); --vary arrivals=A.csv,B.csv sweeps arrival schedules.")] = None,
    arrivals: Annotated[Optional[Path], typer.Option(help="With --plan-days: ARRIVALS.csv of the base (and of every variant that does not name its own).")] = None,
) -> None:
    """Solve a grid or a list of scenarios against a base and compare them (exit 1 if any run gave no plan)."""
    from allocator import sweep as wi
    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions

    started = datetime.now(timezone.utc)
    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
        variants = (wi.grid(vary) if vary else []) + (wi.named(scenarios) if scenarios else [])
        wi.check_names(variants)
        week = _week(plan_days, arrivals, problem, variants)
        _check_targets(out, html, plots, variants)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    if not quiet:
        print_notes(problem.instance.notes, lang.value if lang else problem.scenario.lang)
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, solver=solver.value)
    count = workers or wi.default_workers()
    outcomes, interrupted = _sweep(problem, variants, options, count, backend.value, address, out, quiet, week)
    language = lang.value if lang else problem.scenario.lang
    _write_sweep(problem, outcomes, options, started, out, language, html, plots)
    if not quiet:
        from allocator.output.report import render_sweep

        screen = console()
        screen.print(render_sweep(outcomes, language, screen.width))
    if interrupted:
        typer.echo(f"interrupted: {len(outcomes)} finished runs kept", err=True)
        raise typer.Exit(130)
    raise typer.Exit(0 if all(o.has_plan for o in outcomes) else 1)


#: The files whatif --out writes beside the runs' folders (see _write_sweep).
SWEEP_FILES = frozenset({"comparison.csv", "comparison.xlsx", "manifest.json"})


def _check_targets(out, html, plots, variants) -> None:
    """--out, --html and --plots checked as solve, plan and assign check theirs, but before any run:
    the runs write their folders as they finish, so a bad target found at the end (an --html that
    is a folder, an --out holding someone's files) left them written beside an exit 2.  --out may
    hold only what this sweep writes: its files and the folders of its runs."""
    from allocator import sweep as wi
    from allocator.output.export import EXPORT_NAMES
    from allocator.output.html import SWEEP_PNG

    runs, ours = set(), frozenset()
    if out is not None:
        runs = {wi.folder_name(v.name) for v in [wi.Variant(wi.BASE), *variants]}
        inside = {p.name for p in (html, plots) if p is not None and p.absolute().parent == out.absolute()}
        ours = frozenset(runs | SWEEP_FILES | inside)
    targets = output_targets(out, ours, html, plots, (SWEEP_PNG,))
    for run in runs:
        targets.folder(out / run, {}, EXPORT_NAMES)  # as each run's write_export will check it
    targets.check()


def _week(days, arrivals, problem, variants):
    """With --plan-days: every arrivals file read and the base's horizon checked before any run."""
    from allocator.errors import InputError
    from allocator.errors import problem as worded

    if days is None:
        if arrivals is not None:
            raise InputError([worded("--arrivals", "err_arrivals_without_days")])
        if any("arrivals" in v.overrides for v in variants):
            raise InputError([worded("--vary/--scenarios", "err_arrivals_key_without_days")])
        return None
    from allocator.plan.arrivals import check_horizon
    from allocator.sweep.plans import read_weeks

    check_horizon(days, problem.scenario.rules.mask_days)
    return read_weeks(days, arrivals, variants)


def _sweep(problem, variants, options, workers, backend, address, out, quiet, week=None):
    from rich.progress import Progress

    from allocator import sweep as wi

    finished = []
    progress = Progress(console=console(stderr=True), transient=True, disable=quiet or not sys.stderr.isatty())
    with progress:
        task = progress.add_task("solving scenarios", total=len(variants) + 1)

        def done(outcome):
            finished.append(outcome)
            progress.advance(task)

        try:
            plans = {} if week is None else {"run": _plan_variant(), "extra": (week,)}
            outcomes = wi.run_sweep(problem.instance, problem.scenario, variants, options, workers=workers,
                                    backend=backend, address=address, export_dir=out, on_done=done, **plans)
        except KeyboardInterrupt:
            order = {v.name: i for i, v in enumerate([wi.Variant(wi.BASE)] + variants)}
            return sorted(finished, key=lambda o: order[o.variant.name]), True
        except Exception as exc:
            fail_on_bad_input(exc)
    return outcomes, False


def _plan_variant():
    from allocator.sweep.plans import plan_variant

    return plan_variant


def _write_sweep(problem, outcomes, options, started, out, lang, html, plots) -> None:
    """The comparison, its manifest and the charts, all or none (the runs' folders are written as they finish)."""
    from allocator import sweep as wi
    from allocator.output.export import csv_bytes, json_bytes
    from allocator.output.transaction import Outputs
    from allocator.output.workbook import workbook_bytes

    try:
        outputs = Outputs()
        if out is not None:
            columns, rows = wi.comparison(outcomes)
            manifest = wi.sweep_manifest(problem.instance, outcomes, options, started, sys.argv)
            outputs.file(out / "comparison.csv", csv_bytes(columns, rows))
            outputs.file(out / "comparison.xlsx", workbook_bytes([wi.comparison_sheet(columns, rows, lang)]))
            outputs.file(out / "manifest.json", json_bytes(manifest))
        if html or plots:
            from allocator.output.html import sweep_outputs

            add_visuals(outputs, *sweep_outputs(outcomes, lang, html is not None, plots is not None), html, plots)
        outputs.commit()
    except Exception as exc:
        fail_on_bad_input(exc, lang)
