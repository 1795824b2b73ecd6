"""``allocator explain``: one enterprise, what it got, why, and what would have changed it."""

from __future__ import annotations

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
    app,
    console,
    fail_on_bad_input,
    finite_seconds,
    print_notes,
    progress_console,
    show_live,
)


@app.command()
def explain(
    instance: InstanceArg,
    enterprise_id: Annotated[str, typer.Argument(help="The enterprise to explain.", show_default=False)],
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    time_limit: Annotated[float, typer.Option(min=0.1, callback=finite_seconds, help="Seconds for each solve (the plan and every counterfactual).")] = 60.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver random seed.")] = 0,
    deterministic: Annotated[bool, typer.Option("--deterministic", help="Bound each solve by work, not wall time.")] = False,
    no_counterfactuals: Annotated[bool, typer.Option("--no-counterfactuals", help="Answer in one solve, without re-solving for the smallest change that would have given it something.")] = False,
    lang: LangOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    plan_days: Annotated[Optional[int], typer.Option(min=1, help="Explain its week instead (as `allocator plan --days`): on which day it received what, and why not earlier.")] = None,
    arrivals: Annotated[Optional[Path], typer.Option(help="With --plan-days: ARRIVALS.csv of the week.")] = None,
) -> None:
    """Explain one enterprise: what it got, what holds it back, and what would have changed it."""
    from allocator.analysis.explain import explain as explain_one
    from allocator.data.loading import load_problem
    from allocator.options import SolveOptions
    from allocator.output.report import render_explanation
    from allocator.output.live import LiveProgress, live
    from allocator.output.words import t
    from allocator.progress import Watch, watching

    options = SolveOptions(time_limit=time_limit, seed=seed, deterministic=deterministic)
    if plan_days is not None or arrivals is not None:
        _explain_week(instance, enterprise_id, plan_days, arrivals, scenario, set_, encoding, lang, options)
        return
    try:
        problem = load_problem(instance, scenario, set_, encoding, sheet)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    language = lang.value if lang else problem.scenario.lang
    print_notes(problem.instance.notes, language)
    display = LiveProgress(None, language) if show_live(False) else None  # each re-solve has its own limit
    try:
        with live(display, progress_console), watching(Watch(display)):
            result = explain_one(problem, enterprise_id, options, search=not no_counterfactuals)
    except KeyError:
        colon = "：" if language == "zh" else ": "
        typer.echo(t("error", language) + colon + t("unknown_enterprise", language, id=enterprise_id, file=str(instance)), err=True)
        raise typer.Exit(2) from None
    console().print(render_explanation(result, language))


def _explain_week(instance, enterprise_id, days, arrivals, scenario, sets, encoding, lang, options) -> None:
    """The week's plan (as ``allocator plan`` makes it), then one firm's days in it."""
    from allocator.cli.plan import load_horizon
    from allocator.errors import InputError, problem
    from allocator.output.words import t
    from allocator.plan.explain import explain_plan
    from allocator.plan.report import render_plan_explanation
    from allocator.plan.week import plan

    try:
        if days is None:
            raise InputError([problem("--arrivals", "err_arrivals_without_days")])
        horizon = load_horizon(instance, days, arrivals, scenario, sets, encoding)
    except Exception as exc:
        fail_on_bad_input(exc, lang.value if lang else "en")
    language = lang.value if lang else horizon.problem.scenario.lang
    result = plan(horizon, options)
    try:
        found = explain_plan(result, enterprise_id)
    except KeyError:
        typer.echo("error: " + t("unknown_enterprise", language, id=enterprise_id, file=str(instance)), err=True)
        raise typer.Exit(2) from None
    console().print(render_plan_explanation(found, language))
