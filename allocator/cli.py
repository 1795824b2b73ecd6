"""The ``allocator`` command: a thin typer layer over the library.

Exit codes: 0 a plan was produced (proven optimal, or stopped with its gap reported);
1 no plan (nothing feasible found); 2 bad input, bad scenario or an export that could
not be written.  Heavy modules are imported inside the commands so ``--help`` is fast.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator import __version__

app = typer.Typer(
    name="allocator",
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Allocate masks, freight passes and charter buses to restart an industrial cluster (see README.md).",
)


class Format(str, Enum):
    table = "table"
    json = "json"


class Search(str, Enum):
    auto = "auto"
    full = "full"
    guided = "guided"


class Solver(str, Enum):
    highs = "highs"
    scip = "scip"


SolverOpt = Annotated[Solver, typer.Option(help="highs: the default, fastest measured; scip: SCIP through OR-Tools MathOpt, an independent check (slower).")]


class Preset(str, Enum):
    keqiao = "keqiao"
    small = "small"
    province = "province"


InstanceArg = Annotated[Path, typer.Argument(help="Instance CSV, one row per enterprise (UTF-8 or GB18030).", show_default=False)]
ScenarioOpt = Annotated[Optional[Path], typer.Option("--scenario", "-s", help="Scenario TOML (supplies and rules); SPEC defaults otherwise.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Override one scenario key, e.g. [bold]--set supply.masks=400000[/]; repeatable.")]
EncodingOpt = Annotated[Optional[str], typer.Option(help="Force the instance encoding (default: UTF-8, then GB18030).")]


class Lang(str, Enum):
    en = "en"
    zh = "zh"


LangOpt = Annotated[Optional[Lang], typer.Option(help="Language of the report and of exported CSV headers (default: the scenario's report.lang, else en).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"allocator {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Allocate masks, freight passes and charter buses to restart an industrial cluster."""


def _fail_on_bad_input(exc: Exception) -> None:
    from allocator.errors import ExportError, InputError

    if isinstance(exc, InputError):
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
    elif isinstance(exc, ExportError):
        typer.echo(f"error: {exc}", err=True)
    else:
        raise exc
    raise typer.Exit(2)


@app.command()
def solve(
    instance: InstanceArg,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    export: Annotated[Optional[Path], typer.Option(help="Write allocation.csv, buses.csv, masks.csv, passes.csv, summary.json and manifest.json here.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for reading the instance and all stages together (the export is written after).")] = 60.0,
    threads: Annotated[int, typer.Option(min=1, help="Threads the solver may use (HiGHS and SCIP search sequentially; --deterministic uses 1).")] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option(help="Bound the search by work (nodes), not wall time: same input and seed give byte-identical CSV exports.")] = False,
    format: Annotated[Format, typer.Option("--format", help="table: the report; json: summary.json on stdout.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    html: Annotated[Optional[Path], typer.Option(help="Write one self-contained HTML report (opens offline, prints on A4).")] = None,
    plots: Annotated[Optional[Path], typer.Option(help="Write the report's charts as PNG files into this folder.")] = None,
    log: Annotated[bool, typer.Option(help="Show the solver's log on stderr.")] = False,
    search: Annotated[Search, typer.Option(help="full: branch and bound in every stage; guided: LP bound priced over whole units, plans from the price search or searched around the LP solution; auto: guided for very large models, and without chain balance the price search may prove stage 2 before branch and bound.")] = Search.auto,
    solver: SolverOpt = Solver.highs,
) -> None:
    """Solve one instance: chain balance, then weighted output, then fewest supplies used."""
    from allocator.options import SolveOptions
    from allocator.stages.driver import solve_file

    started = datetime.now(timezone.utc)
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, threads=threads, log=log, search=search.value,
                           solver=solver.value)
    try:
        result = solve_file(instance, scenario, set_, options=options, encoding=encoding)
        language = lang.value if lang else result.problem.scenario.lang
        summary = _deliver(result, started, export, language, html, plots)
    except Exception as exc:  # bad input and unwritable exports end here; anything else is re-raised
        _fail_on_bad_input(exc)
    if format is Format.json:
        from allocator.output.export import json_bytes

        sys.stdout.write(json_bytes(summary).decode("utf-8"))
    elif not quiet:
        from allocator.output.report import render

        _console().print(render(result, summary, language))
    raise typer.Exit(0 if result.has_plan else 1)


def _add_visuals(outputs, html_text, pngs, warnings, html: Path | None, plots: Path | None) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if html is not None:
        outputs.file(html, html_text.encode("utf-8"))
    for name, data in pngs.items() if plots is not None else ():
        outputs.file(plots / name, data)


def _deliver(result, started: datetime, export: Path | None, lang: str, html: Path | None, plots: Path | None) -> dict:
    """Render every output in memory, then write them all or none (see allocator.output.transaction)."""
    from allocator.output.export import EXPORT_NAMES, export_files
    from allocator.output.manifest import manifest
    from allocator.analysis.summary import summarize
    from allocator.output.transaction import Outputs

    summary = summarize(result)
    outputs = Outputs()
    if export is not None:
        outputs.folder(export, export_files(result, summary, manifest(result, summary, started), lang),
                       EXPORT_NAMES)
    if html or plots:
        from allocator.output.html import plan_outputs

        _add_visuals(outputs, *plan_outputs(result, summary, lang, html is not None, plots is not None), html, plots)
    outputs.commit()
    return summary


@app.command()
def explain(
    instance: InstanceArg,
    enterprise_id: Annotated[str, typer.Argument(help="The enterprise to explain.", show_default=False)],
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for each solve (the plan and every counterfactual).")] = 60.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option(help="Bound each solve by work, not wall time.")] = False,
    counterfactuals: Annotated[bool, typer.Option(help="Re-solve to find the smallest change that would have given it something.")] = True,
    lang: LangOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Explain one enterprise: what it got, what holds it back, and what would have changed it."""
    from allocator.analysis.explain import explain as explain_one
    from allocator.output.words import t
    from allocator.data.loading import load_problem
    from allocator.output.report import render_explanation
    from allocator.options import SolveOptions

    try:
        problem = load_problem(instance, scenario, set_, encoding)
    except Exception as exc:
        _fail_on_bad_input(exc)
    language = lang.value if lang else problem.scenario.lang
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic)
    try:
        result = explain_one(problem, enterprise_id, options, search=counterfactuals)
    except KeyError:
        typer.echo("error: " + t("unknown_enterprise", language, id=enterprise_id, file=str(instance)), err=True)
        raise typer.Exit(2) from None
    _console().print(render_explanation(result, language))


@app.command()
def validate(instance: InstanceArg, scenario: ScenarioOpt = None, set_: SetOpt = None, encoding: EncodingOpt = None) -> None:
    """Check an instance and a scenario; list every problem with file, row and column."""
    from allocator.data.loading import load_problem

    try:
        problem = load_problem(instance, scenario, set_, encoding)
    except Exception as exc:
        _fail_on_bad_input(exc)
    inst = problem.instance
    typer.echo(
        f"ok: {instance}: {len(inst):,} enterprises, {int(problem.eligible.sum()):,} eligible for masks, "
        f"{int(problem.variable.sum()):,} whose capacity an allocation can change, "
        f"{len(problem.group_keys):,} (origin, park) bus groups"
    )
    for link in problem.skipped_links if problem.scenario.rules.chain_balance else ():
        typer.echo(f"warning: chain link {link!r} is listed in the scenario but has no enterprise here", err=True)


@app.command()
def generate(
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    preset: Annotated[Preset, typer.Option(help="keqiao: ~9,900 firms; small: ~300; province: ~100,000.")] = Preset.keqiao,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed gives the same file.")] = 1,
) -> None:
    """Write a synthetic instance calibrated to the Keqiao figures (see README)."""
    from allocator.data.generate import generate as draw
    from allocator.data.generate import to_csv_bytes
    from allocator.output.transaction import Outputs

    frame = draw(preset.value, seed)
    try:
        outputs = Outputs()
        outputs.file(output, to_csv_bytes(frame))
        outputs.commit()
    except Exception as exc:
        _fail_on_bad_input(exc)
    typer.echo(f"wrote {output}: {len(frame):,} enterprises (preset {preset.value}, seed {seed})")


class Backend(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def whatif(
    instance: InstanceArg,
    vary: Annotated[Optional[list[str]], typer.Option(help="A grid axis, e.g. [bold]--vary supply.masks=300000,380000[/]; repeatable (the full grid is solved).")] = None,
    scenarios: Annotated[Optional[Path], typer.Option(help="TOML of named scenarios: [scenario.NAME] tables of overrides.")] = None,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    out: Annotated[Optional[Path], typer.Option(help="Write comparison.csv, manifest.json and one export folder per scenario here.")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Parallel runs (default: one per core).")] = None,
    backend: Annotated[Backend, typer.Option(help="local process pool, or a Dask cluster (pip install 'allocator[dask]').")] = Backend.local,
    address: Annotated[Optional[str], typer.Option(help="Dask scheduler, e.g. tcp://10.0.0.5:8786; without it a LocalCluster is started.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds per scenario.")] = 60.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option(help="Bound each run by work, not wall time (identical results on any backend).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")] = False,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    html: Annotated[Optional[Path], typer.Option(help="Write one self-contained HTML comparison with the KPI curves.")] = None,
    plots: Annotated[Optional[Path], typer.Option(help="Write the comparison chart as PNG into this folder.")] = None,
    solver: SolverOpt = Solver.highs,
) -> None:
    """Solve a grid or a list of scenarios against a base and compare them (exit 1 if any run gave no plan)."""
    from allocator import sweep as wi
    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions

    started = datetime.now(timezone.utc)
    try:
        problem = load_problem(instance, scenario, set_, encoding)
        variants = (wi.grid(vary) if vary else []) + (wi.named(scenarios) if scenarios else [])
        wi.check_names(variants)
    except Exception as exc:
        _fail_on_bad_input(exc)
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic, solver=solver.value)
    count = workers or wi.default_workers()
    outcomes, interrupted = _sweep(problem, variants, options, count, backend.value, address, out, quiet)
    language = lang.value if lang else problem.scenario.lang
    _write_sweep(problem, outcomes, options, started, out, language, html, plots)
    if not quiet:
        from allocator.output.report import render_sweep

        _console().print(render_sweep(outcomes, language))
    if interrupted:
        typer.echo(f"interrupted: {len(outcomes)} finished runs kept", err=True)
        raise typer.Exit(130)
    raise typer.Exit(0 if all(o.has_plan for o in outcomes) else 1)


def _sweep(problem, variants, options, workers, backend, address, out, quiet):
    from rich.progress import Progress

    from allocator import sweep as wi

    finished = []
    progress = Progress(console=_console(stderr=True), transient=True, disable=quiet or not sys.stderr.isatty())
    with progress:
        task = progress.add_task("solving scenarios", total=len(variants) + 1)

        def done(outcome):
            finished.append(outcome)
            progress.advance(task)

        try:
            outcomes = wi.run_sweep(problem.instance, problem.scenario, variants, options, workers=workers,
                                    backend=backend, address=address, export_dir=out, on_done=done)
        except KeyboardInterrupt:
            order = {v.name: i for i, v in enumerate([wi.Variant(wi.BASE)] + variants)}
            return sorted(finished, key=lambda o: order[o.variant.name]), True
        except Exception as exc:
            _fail_on_bad_input(exc)
    return outcomes, False


def _write_sweep(problem, outcomes, options, started, out, lang, html, plots) -> None:
    """The comparison, its manifest and the charts, all or none (the runs' folders are written as they finish)."""
    from allocator import sweep as wi
    from allocator.output.export import csv_bytes, json_bytes
    from allocator.output.transaction import Outputs

    try:
        outputs = Outputs()
        if out is not None:
            columns, rows = wi.comparison(outcomes)
            manifest = wi.sweep_manifest(problem.instance, outcomes, options, started, sys.argv)
            outputs.file(out / "comparison.csv", csv_bytes(columns, rows))
            outputs.file(out / "manifest.json", json_bytes(manifest))
        if html or plots:
            from allocator.output.html import sweep_outputs

            _add_visuals(outputs, *sweep_outputs(outcomes, lang, html is not None, plots is not None), html, plots)
        outputs.commit()
    except Exception as exc:
        _fail_on_bad_input(exc)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def main() -> None:
    # A GBK (or other legacy) console must not crash on a character it cannot show.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    app(prog_name="allocator")
