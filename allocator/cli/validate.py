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
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    preset: Annotated[Preset, typer.Option(help="keqiao: ~9,900 firms; small: ~300; province: ~100,000.")] = Preset.keqiao,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed gives the same file.")] = 1,
    commissioners: Annotated[Optional[int], typer.Option(min=1, help="Write a commissioners file of N people (for allocator assign) instead of an instance.")] = None,
    instance: Annotated[Optional[Path], typer.Option(help="With --commissioners: the instance the people are calibrated to (default: the one --preset and --seed draw).")] = None,
) -> None:
    """Write a synthetic instance (or commissioners file) calibrated to the Keqiao figures (see README)."""
    from allocator.output.transaction import Outputs

    try:
        if commissioners is not None:
            from allocator.assign.generate import commissioners_csv

            data = commissioners_csv(commissioners, seed, None if instance is None else str(instance), preset.value)
            what = f"{commissioners:,} commissioners (for {instance or f'preset {preset.value}'}, seed {seed})"
        else:
            from allocator.data.generate import generate as draw
            from allocator.data.generate import to_csv_bytes

            frame = draw(preset.value, seed)
            data, what = to_csv_bytes(frame), f"{len(frame):,} enterprises (preset {preset.value}, seed {seed})"
        outputs = Outputs()
        outputs.file(output, data)
        outputs.commit()
    except Exception as exc:
        fail_on_bad_input(exc)
    typer.echo(f"wrote {output}: {what}")
