"""``allocator solve``: one instance, three stages, the report and every output in one transaction."""

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
    LangOpt,
    ScenarioOpt,
    Search,
    SetOpt,
    SheetOpt,
    Solver,
    SolverOpt,
    add_visuals,
    app,
    console,
    fail_on_bad_input,
    keys_epilog,
    print_notes,
)


@app.command(epilog=keys_epilog())
def solve(
    instance: InstanceArg,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    export: Annotated[Optional[Path], typer.Option(help="Write allocation.csv, buses.csv, masks.csv, passes.csv, allocation.xlsx (all of them in one workbook), summary.json and manifest.json here.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for reading the instance and all stages together (the export is written after).")] = 60.0,
    threads: Annotated[int, typer.Option(min=1, help="Threads the solver may use (HiGHS and SCIP search sequentially; --deterministic uses 1).")] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option(help="Bound the search by work (nodes), not wall time: same input and seed give byte-identical CSV exports.")] = False,
    format: Annotated[Format, typer.Option("--format", help="table: the report; json: summary.json on stdout.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    lang: LangOpt = None,
    html: Annotated[Optional[Path], typer.Option(help="Write one self-contained HTML report (opens offline, prints on A4).")] = None,
    plots: Annotated[Optional[Path], typer.Option(help="Write the report's charts as PNG files into this folder.")] = None,
    log: Annotated[bool, typer.Option(help="Show the solver's log on stderr.")] = False,
    search: Annotated[Search, typer.Option(help="full: branch and bound in every stage; guided: LP bound priced over whole units, plans from the price search or searched around the LP solution; auto: guided for very large models, and without chain balance the price search may prove stage 2 before branch and bound.")] = Search.auto,
    solver: SolverOpt = Solver.highs,
) -> None:
    """Solve one instance: chain balance, then weighted output, then fewest supplies used."""
    import time

    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions
    from allocator.stages import driver

    started, begun = datetime.now(timezone.utc), time.perf_counter()  # reading counts against the time limit
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, threads=threads, log=log, search=search.value,
                           solver=solver.value)
    language = lang.value if lang else "en"
    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, language)
    language = lang.value if lang else problem.scenario.lang
    if not quiet:
        print_notes(problem.instance.notes, language)
    result = driver.solve(problem, options, started=begun)
    try:
        summary = _deliver(result, started, export, language, html, plots)
    except Exception as exc:  # unwritable exports end here; anything else is re-raised
        fail_on_bad_input(exc, language)
    if format is Format.json:
        from allocator.output.export import json_bytes

        sys.stdout.write(json_bytes(summary).decode("utf-8"))
    elif not quiet:
        from allocator.output.report import render

        console().print(render(result, summary, language))
    raise typer.Exit(0 if result.has_plan else 1)


def _deliver(result, started: datetime, export: Path | None, lang: str, html: Path | None, plots: Path | None) -> dict:
    """Render every output in memory, then write them all or none (see allocator.output.transaction)."""
    from allocator.analysis.summary import summarize
    from allocator.output.export import EXPORT_NAMES, export_files
    from allocator.output.manifest import manifest
    from allocator.output.transaction import Outputs

    summary = summarize(result)
    outputs = Outputs()
    if export is not None:
        outputs.folder(export, export_files(result, summary, manifest(result, summary, started), lang),
                       EXPORT_NAMES)
    if html or plots:
        from allocator.output.html import plan_outputs

        add_visuals(outputs, *plan_outputs(result, summary, lang, html is not None, plots is not None), html, plots)
    outputs.commit()
    return summary
