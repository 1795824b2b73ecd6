"""``allocator plan``: days 1..D at once, arrivals and all; the report and every output in one transaction."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator.cli.common import (
    EncodingOpt,
    Format,
    InstanceArg,
    Interrupts,
    LangOpt,
    ScenarioOpt,
    SetOpt,
    SheetOpt,
    Solver,
    SolverOpt,
    app,
    check_targets,
    console,
    fail_on_bad_input,
    finite_seconds,
    print_notes,
    progress_console,
    run_began,
    show_live,
)

DaysOpt = Annotated[int, typer.Option("--days", min=1, help="Days of the plan, 1..rules.mask_days (masks are a stock held for mask_days).", show_default=False)]
ArrivalsOpt = Annotated[Optional[Path], typer.Option(help="ARRIVALS.csv: day, masks, passes, buses arriving each morning (a missing day or cell is 0). Without it nothing arrives.")]


@app.command()
def plan(
    instance: InstanceArg,
    days: DaysOpt,
    arrivals: ArrivalsOpt = None,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    export: Annotated[Optional[Path], typer.Option(help="Write deliveries.csv, buses.csv, daily.csv, allocation.csv, summary.json and manifest.json here.")] = None,
    html: Annotated[Optional[Path], typer.Option(help="Write one self-contained HTML page with each link's recovery and the stores over the days.")] = None,
    lang: LangOpt = None,
    time_limit: Annotated[float, typer.Option(min=0.1, callback=finite_seconds, help="Seconds for the whole run: start-up, reading, the day-by-day baseline, the week's stages and writing the outputs.")] = 60.0,
    day_by_day: Annotated[bool, typer.Option("--day-by-day", help="Export the day-by-day baseline (each day solved alone, from what the days before left) instead of the week's plan; the report compares both either way.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option(help="Bound the search by work (nodes), not wall time: same input and seed give byte-identical CSV exports.")] = False,
    format: Annotated[Format, typer.Option("--format", help="table: the report; json: summary.json on stdout.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    solver: SolverOpt = Solver.highs,
) -> None:
    """Plan a week: masks arriving, buses booked day by day, passes as approved (SPEC "A week's plan")."""

    from allocator.options import SolveOptions
    from allocator.output.export import EXPORT_NAMES
    from allocator.output.live import LiveProgress, live
    from allocator.plan.export import PLAN_NAMES
    from allocator.plan.week import plan as plan_week
    from allocator.progress import Watch, watching

    started, began = datetime.now(timezone.utc), run_began()  # start-up and reading count against the time limit
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, solver=solver.value,
                           exports=export is not None or html is not None,
                           visuals=html is not None)
    try:
        horizon = load_horizon(instance, days, arrivals, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    language = lang.value if lang else horizon.problem.scenario.lang
    check_targets(export, EXPORT_NAMES | PLAN_NAMES, html, None, language)
    if not quiet:
        print_notes(horizon.problem.instance.notes, language)
    display = LiveProgress(None if deterministic else time_limit, language, began) if show_live(quiet, format) else None
    watch = Watch(display)
    with Interrupts(watch, language, display, quiet) as caught:
        with live(display, progress_console), watching(watch):
            result = plan_week(horizon, options, started=began, stop=lambda: watch.stopped)
        try:
            summary = _deliver(result, started, export, html, language, day_by_day, caught)
        except Exception as exc:  # an export that cannot be written ends here; anything else is re-raised
            fail_on_bad_input(exc, language)
        caught.writing = False
    if caught.quit:  # a second Ctrl-C while the outputs were swapped in: they are complete, stop here
        _say_interrupted(language)
        raise typer.Exit(130)
    if format is Format.json:
        from allocator.output.export import json_bytes

        sys.stdout.write(json_bytes(summary).decode("utf-8"))
    elif not quiet:
        from allocator.plan.report import render_plan

        console().print(render_plan(summary, language))
    if result.interrupted or caught.count:
        if not quiet:
            _say_interrupted(language)
        raise typer.Exit(130)
    raise typer.Exit(0 if summary["plan"] else 1)


def _say_interrupted(lang: str) -> None:
    from allocator.output.words import t

    typer.echo(t("interrupted", lang), err=True)


def load_horizon(instance: Path, days: int, arrivals: Path | None, scenario: Path | None, sets: list[str] | None,
                 encoding: str | None, sheet: str | None = None):
    """The instance, the scenario, the arrivals and the horizon's length, checked together: every problem at once."""
    from allocator.data.loading import load_problem
    from allocator.errors import InputError
    from allocator.plan.arrivals import Arrivals, check_horizon, read_arrivals
    from allocator.plan.problem import Horizon

    problems, problem, week = [], None, None
    try:
        problem = load_problem(instance, scenario, sets, encoding, sheet)
    except InputError as exc:
        problems += exc.problems
    try:
        week = read_arrivals(arrivals, days) if arrivals is not None else Arrivals.none(days)
    except InputError as exc:
        problems += exc.problems
    if problem is not None:
        try:
            check_horizon(days, problem.scenario.rules.mask_days, str(scenario) if scenario else "--days")
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Horizon(problem, week)


def _deliver(result, started: datetime, export: Path | None, html: Path | None, lang: str, day_by_day: bool,
             caught: Interrupts | None = None) -> dict:
    """Render every output in memory, then write them all or none (see allocator.output.transaction)."""
    from allocator.output.export import EXPORT_NAMES
    from allocator.output.transaction import Outputs
    from allocator.plan.export import PLAN_NAMES, plan_files, plan_manifest
    from allocator.plan.summary import summarize_plan

    summary = summarize_plan(result, day_by_day)
    outputs = Outputs()
    if export is not None:
        files = plan_files(result, summary, plan_manifest(result, summary, started), lang, day_by_day)
        outputs.folder(export, files, EXPORT_NAMES | PLAN_NAMES)
    if html is not None:
        from allocator.plan.html import plan_page

        page, warnings = plan_page(result, summary, lang)
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
        outputs.file(html, page.encode("utf-8"))
    if caught is not None:
        caught.writing = True  # a second Ctrl-C from here on waits for every output to be in place
    outputs.commit()
    return summary
