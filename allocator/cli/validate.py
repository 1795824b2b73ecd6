"""``allocator validate`` and ``allocator generate``: check an input, or write a synthetic one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator.cli.common import (
    EncodingOpt,
    InstanceArg,
    LangOpt,
    Preset,
    ScenarioOpt,
    SetOpt,
    SheetOpt,
    app,
    fail_on_bad_input,
    print_notes,
)


@app.command()
def validate(instance: InstanceArg, scenario: ScenarioOpt = None, set_: SetOpt = None, encoding: EncodingOpt = None,
             sheet: SheetOpt = None, lang: LangOpt = None) -> None:
    """Check an instance and a scenario; list every problem with file, row (or sheet and cell) and column."""
    from allocator.data.loading import load_problem

    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    inst = problem.instance
    print_notes(inst.notes, lang.value if lang else problem.scenario.lang)
    typer.echo(
        f"ok: {instance}: {_count(len(inst), 'enterprise', 'enterprises')}, "
        f"{int(problem.eligible.sum()):,} eligible for masks, "
        f"{int(problem.variable.sum()):,} whose capacity an allocation can change, "
        f"{_count(len(problem.group_keys), '(origin, park) bus group', '(origin, park) bus groups')}"
    )
    for link in problem.skipped_links if problem.scenario.rules.chain_balance else ():
        typer.echo(f"warning: chain link {link!r} is listed in the scenario but has no enterprise here", err=True)


def _count(n: int, one: str, many: str) -> str:
    """"1 enterprise", "296 enterprises": a one-row register was said to hold "1 enterprises"."""
    return f"{n:,} {one if n == 1 else many}"


@app.command()
def generate(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="File to write: CSV, or a workbook when it ends in .xlsx.")] = None,
    preset: Annotated[Preset, typer.Option(help="keqiao: ~9,900 firms; small: ~300; province: ~100,000.")] = Preset.keqiao,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed gives the same file.")] = 1,
    commissioners: Annotated[Optional[int], typer.Option(min=1, help="Write a commissioners file of N people (for allocator assign) instead of an instance.")] = None,
    instance: Annotated[Optional[Path], typer.Option(help="With --commissioners: the instance the people are calibrated to (default: the one --preset and --seed draw).")] = None,
    arrivals: Annotated[Optional[Path], typer.Option(help="Also (or only) write a calibrated ARRIVALS.csv for `allocator plan`: about 270 thousand masks over the week at the Keqiao scale, buses every day.")] = None,
    days: Annotated[int, typer.Option(min=1, help="Days of the arrivals file.")] = 7,
) -> None:
    """Write a synthetic instance (or commissioners file) calibrated to the Keqiao figures (see README), and/or a week's arrivals."""
    from allocator.output.transaction import Outputs

    if output is None and arrivals is None:
        typer.echo("error: give --output FILE (an instance or, with --commissioners, the people), --arrivals FILE.csv "
                   "(a week's arrivals), or both", err=True)
        raise typer.Exit(2)
    said = []
    try:
        outputs = Outputs()
        _writable_as_drawn(output, workbook=commissioners is None)
        _writable_as_drawn(arrivals, workbook=False)
        if output is not None:
            data, what = _drawn(output, preset.value, seed, commissioners, instance)
            outputs.file(output, data)
            said.append(f"wrote {output}: {what}")
        if arrivals is not None:
            from allocator.data.generate import generate_arrivals, to_csv_bytes

            week = generate_arrivals(preset.value, seed, days)
            outputs.file(arrivals, to_csv_bytes(week))
            said.append(f"wrote {arrivals}: {days} days, {int(week.masks.sum()):,} masks, {int(week.passes.sum()):,} "
                        f"passes, {int(week.buses.sum()):,} buses arriving (preset {preset.value}, seed {seed})")
        outputs.commit()
    except Exception as exc:
        fail_on_bad_input(exc)
    for line in said:
        typer.echo(line)


def _writable_as_drawn(path: Path | None, workbook: bool) -> None:
    """Refuse a workbook name the readers accept (SPREADSHEETS) but generate would fill with CSV
    text (x.ods), which reads back as "cannot be read as a workbook"."""
    from allocator.data.table import SPREADSHEETS
    from allocator.errors import ExportError

    if path is None or path.suffix.lower() not in SPREADSHEETS or (workbook and path.suffix.lower() == ".xlsx"):
        return

    kinds = "a CSV file or an .xlsx workbook" if workbook else "a CSV file"
    raise ExportError(f"{path}: generate writes {kinds} here, not {path.suffix}; nothing was written")


def _drawn(output: Path, preset: str, seed: int, commissioners: int | None, instance: Path | None) -> tuple[bytes, str]:
    """The file --output asks for (an instance, or the commissioners) and what it holds."""
    if commissioners is not None:
        from allocator.assign.generate import commissioners_csv

        data = commissioners_csv(commissioners, seed, None if instance is None else str(instance), preset)
        return data, f"{commissioners:,} commissioners (for {instance or f'preset {preset}'}, seed {seed})"
    from allocator.data.generate import generate as draw
    from allocator.data.generate import to_csv_bytes

    frame = draw(preset, seed)
    data = _workbook(frame) if output.suffix.lower() == ".xlsx" else to_csv_bytes(frame)
    return data, f"{len(frame):,} enterprises (preset {preset}, seed {seed})"


def _workbook(frame) -> bytes:
    """The generated register as an officer's workbook: numbers as numbers, blanks left blank."""
    from allocator.output.workbook import Sheet, workbook_bytes

    rows = [[None if v != v else (v.item() if hasattr(v, "item") else v) for v in row] for row in frame.itertuples(index=False)]
    return workbook_bytes([Sheet.table("register", list(frame.columns), rows, {frame.columns.get_loc("electricity_recovery"): "0%"})])


@app.command()
def keys() -> None:
    """List every scenario key with its default (set them in a scenario TOML or with --set)."""
    from allocator.data.scenario import scenario_keys

    rows = scenario_keys()
    width = max(len(k) for k, _, _ in rows)
    shown = max(len(d) for _, d, _ in rows)
    for key, default, takes in rows:
        typer.echo(f"{key:<{width}}  {default:<{shown}}  {takes}")

