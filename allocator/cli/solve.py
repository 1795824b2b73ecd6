"""``allocator solve``: one instance, three stages, the report and every output in one transaction.

While it searches, a live line on stderr shows the stage, the time against the limit, the best
plan, the bound and the gap.  Ctrl-C stops the search like a time limit: the best plan so far is
verified, reported with its gaps and exported, and the exit code is 130; a second Ctrl-C quits
at once, writing nothing.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from enum import Enum
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
    Search,
    SetOpt,
    SheetOpt,
    Solver,
    SolverOpt,
    add_visuals,
    app,
    check_targets,
    console,
    fail_on_bad_input,
    finite_seconds,
    keys_epilog,
    print_notes,
    progress_console,
    run_began,
    show_live,
)


class Show(str, Enum):
    parks = "parks"
    firms = "firms"


@app.command(epilog=keys_epilog())
def solve(
    instance: InstanceArg,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    export: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Write allocation.csv, buses.csv, masks.csv, passes.csv, allocation.xlsx (all of them in one workbook), summary.json and manifest.json here.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, callback=finite_seconds, metavar="S", help="Seconds for the whole run: start-up, reading, all stages and writing the outputs (the search stops early enough to write them, by the register's size).")] = 60.0,
    threads: Annotated[int, typer.Option(min=1, metavar="N", help="Threads the solver may use (HiGHS and SCIP search sequentially; --deterministic uses 1).")] = 1,
    seed: Annotated[int, typer.Option(min=0, metavar="N", help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option("--deterministic", help="Bound the search by work (nodes), not wall time: same input and seed give byte-identical exports.")] = False,
    format: Annotated[Format, typer.Option("--format", help="table: the report; json: summary.json on stdout.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (no live progress).")] = False,
    show: Annotated[Optional[Show], typer.Option(help="Also list who gets what: park by park, or every enterprise that receives something.")] = None,
    park: Annotated[Optional[str], typer.Option(help="With --show: only this park.")] = None,
    tier: Annotated[Optional[str], typer.Option(help="With --show: only this tier (A, B or C).")] = None,
    link: Annotated[Optional[str], typer.Option(help="With --show: only this chain link (dyeing or 印染 ...).")] = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    lang: LangOpt = None,
    html: Annotated[Optional[Path], typer.Option(metavar="FILE", help="Write one self-contained HTML report (opens offline, prints on A4).")] = None,
    plots: Annotated[Optional[Path], typer.Option(metavar="DIR", help="Write the report's charts as PNG files into this folder.")] = None,
    log: Annotated[bool, typer.Option("--log", help="Show the solver's log on stderr.")] = False,
    search: Annotated[Search, typer.Option(help="full: branch and bound in every stage; guided: LP bound priced over whole units, plans from the price search or searched around the LP solution; auto: guided for very large models, and without chain balance the price search may prove stage 2 before branch and bound.")] = Search.auto,
    solver: SolverOpt = Solver.highs,
) -> None:
    """Solve one instance: chain balance, then weighted output, then fewest supplies used."""

    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions
    from allocator.output.export import EXPORT_NAMES
    from allocator.output.live import LiveProgress, live
    from allocator.progress import Watch
    from allocator.stages import driver

    started, begun = datetime.now(timezone.utc), run_began()  # start-up and reading count against the time limit
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, threads=threads, log=log, search=search.value,
                           solver=solver.value, exports=export is not None or html is not None or plots is not None,
                           visuals=html is not None or plots is not None)
    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    language = lang.value if lang else problem.scenario.lang
    _check_filter(instance, problem, park, tier, link, language)
    check_targets(export, EXPORT_NAMES, html, plots, language)
    if not quiet:
        print_notes(problem.instance.notes, language)
    display = LiveProgress(None if deterministic else time_limit, language, begun) if show_live(quiet, format) else None
    watch = Watch(display)
    with Interrupts(watch, language, display, quiet) as caught:
        with live(display, progress_console):
            result = driver.solve(problem, options, started=begun, watch=watch)
        try:
            summary = _deliver(result, started, export, language, html, plots, caught)
        except Exception as exc:  # unwritable exports end here; anything else is re-raised
            fail_on_bad_input(exc, language)
        caught.writing = False
    if caught.quit:  # a second Ctrl-C while the outputs were swapped in: they are complete, stop here
        typer.echo(_t("interrupted", language), err=True)
        raise typer.Exit(130)
    if format is Format.json:
        from allocator.output.export import json_bytes

        sys.stdout.write(json_bytes(summary).decode("utf-8"))
    elif not quiet:
        _print_report(result, summary, language, show, park, tier, link)
    if caught.count:
        if not quiet:
            typer.echo(_t("interrupted", language), err=True)
        raise typer.Exit(130)
    raise typer.Exit(0 if result.has_plan else 1)


def _t(key: str, lang: str) -> str:
    from allocator.output.words import t

    return t(key, lang)


def _print_report(result, summary: dict, lang: str, show: Show | None, park, tier, link) -> None:
    from allocator.output.report import render

    screen = console()
    screen.print(render(result, summary, lang))
    if show is None and not (park or tier or link):
        return
    from allocator.output.deliveries import Filter, firms_table, parks_table

    chosen = Filter(park, tier, link)
    screen.print((parks_table if show is Show.parks else firms_table)(result, chosen, lang))


def _check_filter(instance: Path, problem, park, tier, link, lang: str) -> None:
    """A --park, --tier or --link that no enterprise of the register matches is a typo: say so
    before the solve (it once ran the whole minute and then printed an empty list), exit 2."""
    if not (park or tier or link):
        return
    from allocator.output.deliveries import Filter
    from allocator.output.words import t

    chosen = Filter(park, tier, link)
    if not chosen.matches(problem.instance).any():
        colon = "：" if lang == "zh" else ": "
        typer.echo(f"{t('error', lang)}{colon}{t('filter_none', lang, file=instance, options=chosen.options())}", err=True)
        raise typer.Exit(2)


def _deliver(result, started: datetime, export: Path | None, lang: str, html: Path | None, plots: Path | None,
             caught: Interrupts | None = None) -> dict:
    """Render every output in memory, then write them all or none (see allocator.output.transaction).

    A second Ctrl-C while rendering quits with nothing written; while the outputs are swapped in,
    it waits for them (``caught.writing``)."""
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
    if caught is not None:
        caught.writing = True
    outputs.commit()
    return summary
