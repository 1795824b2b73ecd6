"""``allocator explain``: one enterprise, what it got, why, and what would have changed it."""

from __future__ import annotations

from typing import Annotated

import typer

from allocator.cli.common import (
    EncodingOpt,
    InstanceArg,
    LangOpt,
    ScenarioOpt,
    SetOpt,
    SheetOpt,
    app,
    console,
    fail_on_bad_input,
    print_notes,
    show_live,
)


@app.command()
def explain(
    instance: InstanceArg,
    enterprise_id: Annotated[str, typer.Argument(help="The enterprise to explain.", show_default=False)],
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for each solve (the plan and every counterfactual).")] = 60.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option("--deterministic", help="Bound each solve by work, not wall time.")] = False,
    no_counterfactuals: Annotated[bool, typer.Option("--no-counterfactuals", help="Answer in one solve, without re-solving for the smallest change that would have given it something.")] = False,
    lang: LangOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Explain one enterprise: what it got, what holds it back, and what would have changed it."""
    from allocator.analysis.explain import explain as explain_one
    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions
    from allocator.output.report import render_explanation
    from allocator.output.live import LiveProgress, live
    from allocator.output.words import t
    from allocator.progress import Watch, watching

    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    language = lang.value if lang else problem.scenario.lang
    print_notes(problem.instance.notes, language)
    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic)
    display = LiveProgress(None, language) if show_live(False) else None  # each re-solve has its own limit
    try:
        with live(display, console(stderr=True)), watching(Watch(display)):
            result = explain_one(problem, enterprise_id, options, search=not no_counterfactuals)
    except KeyError:
        colon = "：" if language == "zh" else ": "
        typer.echo(t("error", language) + colon + t("unknown_enterprise", language, id=enterprise_id, file=str(instance)), err=True)
        raise typer.Exit(2) from None
    console().print(render_explanation(result, language))
