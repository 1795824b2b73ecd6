"""``allocator assign``: the allocation first, then who goes to which enterprise; every output in one transaction."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

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
    app,
    check_targets,
    console,
    fail_on_bad_input,
    finite_seconds,
    progress_console,
    show_live,
)


@app.command()
def assign(
    instance: InstanceArg,
    commissioners: Annotated[Path, typer.Argument(help="Commissioners CSV, one row per person: commissioner_id, name, field, park, capacity, leader.", show_default=False)],
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    export: Annotated[Path | None, typer.Option(help="Write assignment.csv, visits.csv, unserved.csv, allocation.csv, summary.json and manifest.json here.")] = None,
    lang: LangOpt = None,
    time_limit: Annotated[float, typer.Option(min=0.1, callback=finite_seconds, help="Seconds for the assignment's three stages; the allocation before it gets the same limit, as in solve.")] = 60.0,
    html: Annotated[Path | None, typer.Option(help="Write the visit lists as one printable HTML page, a section per field.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers (threads) for the assignment; 1, one LP-guided search, was the fastest measured.")] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Random seed of the searches.")] = 0,
    format: Annotated[Format, typer.Option("--format", help="table: the report; json: summary.json on stdout.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Assign commissioners to enterprises: leaders one to one on key firms, then pain and tier, then fewest parks.

    Ctrl-C stops the search like a time limit (the plan so far is reported and exported, exit 130);
    a second Ctrl-C quits at once, writing nothing."""

    from allocator.assign import AssignOptions, assign_files
    from allocator.assign.export import EXPORT_NAMES
    from allocator.options import SolveOptions
    from allocator.output.live import LiveProgress, live
    from allocator.progress import Watch

    started, begun = datetime.now(UTC), time.perf_counter()  # the live display's clock, as assign_files' own
    shown = lang.value if lang else "en"
    check_targets(export, EXPORT_NAMES, html, None, shown)  # before both searches, not after them
    display = LiveProgress(time_limit, shown, begun) if show_live(quiet, format) else None
    watch = Watch(display)
    with Interrupts(watch, shown, display, quiet) as caught:
        try:
            with live(display, progress_console):
                run = assign_files(instance, commissioners, scenario, set_,
                                   solve_options=SolveOptions(time_limit=time_limit, seed=seed),
                                   options=AssignOptions(time_limit=time_limit, workers=workers, seed=seed),
                                   encoding=encoding, sheet=sheet, watch=watch)
            language = lang.value if lang else run.allocation.problem.scenario.lang
            caught.writing = True
            summary = _deliver(run, started, export, language, html)
            caught.writing = False
        except Exception as exc:  # bad input and unwritable exports end here; anything else is re-raised
            fail_on_bad_input(exc, shown)
    if caught.quit:  # a second Ctrl-C while the outputs were swapped in: they are complete, stop here
        raise typer.Exit(130)
    if format is Format.json:
        from allocator.output.export import json_bytes

        sys.stdout.write(json_bytes(summary).decode("utf-8"))
    elif not quiet:
        from allocator.assign.report import render

        console().print(render(run, summary, language))
    if not run.allocation.has_plan:
        raise typer.Exit(1)
    raise typer.Exit(130 if caught.count else 0)


def _deliver(run, started: datetime, export: Path | None, lang: str, html: Path | None) -> dict:
    """Render every output in memory, then write them all or none (see allocator.output.transaction)."""
    from allocator.analysis.summary import summarize as allocation_summary
    from allocator.assign.export import EXPORT_NAMES, export_files, manifest
    from allocator.assign.summary import summarize
    from allocator.output.transaction import Outputs

    summary = summarize(run, allocation_summary(run.allocation))
    outputs = Outputs()
    if export is not None:
        outputs.folder(export, export_files(run, summary, manifest(run, summary, started), lang), EXPORT_NAMES)
    if html is not None:
        from allocator.assign.html import assign_html

        outputs.file(html, assign_html(run, summary, lang).encode("utf-8"))
    outputs.commit()
    return summary
