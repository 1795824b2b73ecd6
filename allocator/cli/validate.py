"""``allocator validate`` and ``allocator generate``: check an input, or write a synthetic one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator.cli.common import (
    EncodingOpt,
    InstanceArg,
    Preset,
    ScenarioOpt,
    SetOpt,
    app,
    fail_on_bad_input,
)


@app.command()
def validate(instance: InstanceArg, scenario: ScenarioOpt = None, set_: SetOpt = None, encoding: EncodingOpt = None) -> None:
    """Check an instance and a scenario; list every problem with file, row and column."""
    from allocator.data.loading import load_problem

    try:
        problem = load_problem(instance, scenario, set_, encoding)
    except Exception as exc:
        fail_on_bad_input(exc)
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
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Instance CSV file to write.")] = None,
    preset: Annotated[Preset, typer.Option(help="keqiao: ~9,900 firms; small: ~300; province: ~100,000.")] = Preset.keqiao,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed gives the same file.")] = 1,
    arrivals: Annotated[Optional[Path], typer.Option(help="Also (or only) write a calibrated ARRIVALS.csv for `allocator plan`: about 270 thousand masks over the week at the Keqiao scale, buses every day.")] = None,
    days: Annotated[int, typer.Option(min=1, help="Days of the arrivals file.")] = 7,
) -> None:
    """Write a synthetic instance calibrated to the Keqiao figures (see README), and/or a week's arrivals."""
    from allocator.data.generate import generate as draw
    from allocator.data.generate import generate_arrivals, to_csv_bytes
    from allocator.output.transaction import Outputs

    if output is None and arrivals is None:
        typer.echo("error: give --output FILE.csv (an instance), --arrivals FILE.csv (a week's arrivals), or both", err=True)
        raise typer.Exit(2)
    frame = draw(preset.value, seed) if output is not None else None
    week = generate_arrivals(preset.value, seed, days) if arrivals is not None else None
    try:
        outputs = Outputs()
        if frame is not None:
            outputs.file(output, to_csv_bytes(frame))
        if week is not None:
            outputs.file(arrivals, to_csv_bytes(week))
        outputs.commit()
    except Exception as exc:
        fail_on_bad_input(exc)
    if frame is not None:
        typer.echo(f"wrote {output}: {len(frame):,} enterprises (preset {preset.value}, seed {seed})")
    if week is not None:
        typer.echo(f"wrote {arrivals}: {days} days, {int(week.masks.sum()):,} masks, {int(week.passes.sum()):,} passes, "
                   f"{int(week.buses.sum()):,} buses arriving (preset {preset.value}, seed {seed})")
