"""What every command shares: the typer app, the common options, and bad input turned into exit 2.

Exit codes: 0 a plan was produced (proven optimal, or stopped with its gap reported);
1 no plan (nothing feasible found); 2 bad input, bad scenario or an export that could
not be written.  Heavy modules are imported inside the commands so ``--help`` is fast.
"""

from __future__ import annotations

import math
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from allocator import __version__

#: When this process began (set by :func:`allocator.cli.main` from the moment the command line's
#: package was imported, before typer, rich and the commands load); None when the app is called
#: from Python, as the tests do.  ``--time-limit`` counts from it: "seconds for the whole run".
PROCESS_STARTED: float | None = None


def run_began() -> float:
    """When a command's --time-limit starts counting: the process's start, else now."""
    return PROCESS_STARTED if PROCESS_STARTED is not None else time.perf_counter()


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


InstanceArg = Annotated[Path, typer.Argument(help="The register, one row per enterprise: CSV (UTF-8 or GB18030) or a workbook (.xlsx, .xls, .ods).", show_default=False)]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="The workbook's sheet to read (default: the first visible one).")]
ScenarioOpt = Annotated[Optional[Path], typer.Option("--scenario", "-s", help="Scenario TOML (supplies and rules); SPEC defaults otherwise.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Override one scenario key, e.g. [bold]--set supply.masks=400000[/]; repeatable.")]
EncodingOpt = Annotated[Optional[str], typer.Option(help="Force the instance encoding (default: UTF-8, then GB18030).")]


class Lang(str, Enum):
    en = "en"
    zh = "zh"


LangOpt = Annotated[Optional[Lang], typer.Option(help="Language of the report and of exported CSV headers (default: the scenario's report.lang, else en).")]


def finite_seconds(value: float) -> float:
    """--time-limit's check beside min=0.1, for every command that takes it: NaN passes every
    comparison and inf never stops, so either slipped through to the solver (NaN gave an empty
    plan with exit 0) and into manifest.json (NaN and Infinity are not JSON)."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number of seconds (give e.g. 60)")
    return value


def keys_epilog() -> str:
    """Every scenario key and its default, for the help of the commands that take --set."""
    from allocator.data.scenario import scenario_keys

    listed = "  ".join(f"{key}={default}" for key, default, _ in scenario_keys())
    return f"[bold]Scenario keys[/] (--set KEY=VALUE; `allocator keys` explains each): {listed}"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"allocator {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Allocate masks, freight passes and charter buses to restart an industrial cluster."""


def fail_on_bad_input(exc: Exception, lang: str = "en") -> None:
    """Bad input (every problem, in the officer's language) or an unwritable export: exit 2."""
    from allocator.errors import ExportError, InputError
    from allocator.output.words import describe, t

    colon = "：" if lang == "zh" else ": "
    if isinstance(exc, InputError):
        for problem in exc.problems:
            typer.echo(f"{t('error', lang)}{colon}{describe(problem, lang)}", err=True)
    elif isinstance(exc, ExportError):
        typer.echo(f"{t('error', lang)}{colon}{exc}", err=True)
    else:
        raise exc
    raise typer.Exit(2)


def print_notes(notes, lang: str = "en") -> None:
    """What the reader decided about a file (a header below a title, merged cells), on stderr."""
    from allocator.output.words import describe, t

    for note in notes:
        typer.echo(f"{t('note', lang)}{'：' if lang == 'zh' else ': '}{describe(note, lang)}", err=True)


def output_targets(export: Path | None, names: frozenset[str], html: Path | None, plots: Path | None,
                   charts: tuple[str, ...]):
    """The command's outputs as Outputs targets with no content yet: the export folder (of
    ``names``), the page and the ``charts`` files in --plots, for Outputs.check before a search."""
    from allocator.output.transaction import Outputs

    targets = Outputs()
    if export is not None:
        targets.folder(export, {}, names)
    if html is not None:
        targets.file(html, b"")
    for name in charts if plots is not None else ():
        targets.file(plots / name, b"")
    return targets


def check_targets(export: Path | None, names: frozenset[str], html: Path | None, plots: Path | None,
                  lang: str) -> None:
    """--export (a folder of ``names``), --html and --plots checked before the solve as they are
    when written (a folder holding someone's files, an --html that is a folder): found only after
    the solve, they cost the officer the whole run for a typo; exit 2.  The outputs are still
    written all or none at the end."""
    from allocator.output.charts import PLAN_CHARTS

    try:
        output_targets(export, names, html, plots, tuple(f"{stem}.png" for stem in PLAN_CHARTS)).check()
    except Exception as exc:
        fail_on_bad_input(exc, lang)


def add_visuals(outputs, html_text, pngs, warnings, html: Path | None, plots: Path | None) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if html is not None:
        outputs.file(html, html_text.encode("utf-8"))
    for name, data in pngs.items() if plots is not None else ():
        outputs.file(plots / name, data)


class Interrupts:
    """Ctrl-C during a solve: the first asks the search to stop like a time limit (the best plan is
    verified, reported and exported), the second quits at once, writing nothing; while the outputs
    are being swapped in (``writing``), a second Ctrl-C waits for them: all or none."""

    def __init__(self, watch, lang: str, display=None, quiet: bool = False):
        self.watch, self.lang, self.display, self.quiet = watch, lang, display, quiet
        self.count = 0
        self.writing = False
        self.quit = False

    def __call__(self, signum, frame) -> None:
        import os

        from allocator.output.words import t

        self.count += 1
        if self.count == 1:
            self.watch.stop()
            if self.display is not None:
                self.display.stopping = True
            elif not self.quiet:
                os.write(2, (t("live_stopping", self.lang) + "\n").encode("utf-8", "replace"))
        elif self.writing:
            self.quit = True  # the outputs are being swapped in: honoured once every one is in place
        else:
            if sys.stderr.isatty():
                os.write(2, b"\x1b[?25h")  # the live display hid the cursor
            os.write(2, ("\n" + t("quit", self.lang) + "\n").encode("utf-8", "replace"))
            os._exit(130)

    def __enter__(self):
        import signal

        self._previous = signal.signal(signal.SIGINT, self)
        return self

    def __exit__(self, *exc) -> None:
        import signal

        signal.signal(signal.SIGINT, self._previous)


def show_live(quiet: bool, fmt: Format | None = None) -> bool:
    """Live progress goes to stderr when a person watches it: not with --quiet, --format json or a pipe."""
    return not quiet and fmt is not Format.json and sys.stderr.isatty()


def console(stderr: bool = False):
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def progress_console():
    """The live display's console (stderr), made only when a display is shown."""
    return console(stderr=True)


