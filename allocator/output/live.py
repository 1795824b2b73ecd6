"""The live progress line on stderr: which stage runs, time against the limit, the best plan, the bound.

:class:`LiveProgress` is an :class:`allocator.progress.Watch` listener (it only records the
events; a rich ``Live`` redraws it four times a second from its own thread).  Values during a
search are the solver's own; the stage's verified claim replaces them when it ends.  A
``note`` event's text may be a key of :mod:`allocator.output.words` followed by ``|`` and its
argument (``live_cf_tier|B``), so that it is shown in the officer's language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from allocator.output.words import STAGES, STATUSES, TEXT, name_of, t
from allocator.output.wording import stage_value

if TYPE_CHECKING:
    from rich.console import Console, Group


class LiveProgress:
    """What the search is doing now, for a live display."""

    def __init__(self, time_limit: float | None, lang: str = "en", started: float | None = None):
        self.limit, self.lang = time_limit, lang
        self.started = started if started is not None else time.perf_counter()
        self.stage = 0
        self.value: float | None = None
        self.bound: float | None = None
        self.note = ""
        self.done: list[str] = []
        self.stopping = False
        from rich.spinner import Spinner

        self._spinner = Spinner("dots")

    def __call__(self, event: Any) -> None:
        if event.kind == "stage":
            self.stage, self.value, self.bound = event.stage, None, None
        elif event.kind == "plan" and event.value is not None:
            self.value = event.value
        elif event.kind == "bound" and event.bound is not None:
            self.bound = event.bound
        elif event.kind == "claim":
            status = name_of(STATUSES, event.text, self.lang)
            self.done.append(t("live_done", self.lang, stage=event.stage, status=status,
                               value=stage_value(event.value, event.stage)))
        elif event.kind == "note":  # a new solve begins (explain's counterfactuals): its own stages
            self.stage, self.value, self.bound, self.done = 0, None, None, []
            key, _, arg = event.text.partition("|")
            self.note = t(key, self.lang, arg=arg) if key in TEXT else event.text

    def gap(self) -> float | None:
        if self.value is None or self.bound is None or self.value == 0:
            return None
        distance = self.value - self.bound if self.stage == 3 else self.bound - self.value
        return max(0.0, distance) / abs(self.value)

    def __rich__(self) -> Group:
        from rich.console import Group
        from rich.text import Text

        lines: list[Any] = [Text(line, style="dim") for line in self.done]
        if self.note:
            lines.append(Text(self.note, style="cyan"))
        elapsed = time.perf_counter() - self.started
        clock = t("live_clock", self.lang, elapsed=f"{elapsed:.0f}", limit=f"{self.limit:g}") if self.limit else f"{elapsed:.0f} s"
        head = Text(t("live_stage", self.lang, stage=self.stage, name=name_of(STAGES, self.stage, self.lang)) if self.stage
                    else t("live_reading", self.lang))
        head.append(f"  {clock}", style="bold")
        figures = []
        if self.value is not None:
            figures.append(t("live_plan", self.lang, value=stage_value(self.value, self.stage)))
        if self.bound is not None:
            figures.append(t("live_bound", self.lang, value=stage_value(self.bound, self.stage)))
        if self.gap() is not None:
            figures.append(t("live_gap", self.lang, gap=f"{self.gap():.1e}"))
        self._spinner.text = head
        lines.append(self._spinner)
        if figures:
            lines.append(Text("  " + " · ".join(figures)))
        if self.stopping:
            lines.append(Text(t("live_stopping", self.lang), style="yellow"))
        return Group(*lines)


@contextmanager
def live(progress: LiveProgress | None, console: Callable[[], Console]):
    """Draw ``progress`` on the console ``console()`` makes while the block runs (nothing when
    ``progress`` is None: then rich is not even imported, 30 ms of a 0.5 s run)."""
    if progress is None:
        yield None
        return
    from rich.live import Live

    with Live(progress, console=console(), refresh_per_second=4, transient=True, redirect_stdout=False,
              redirect_stderr=False) as shown:
        yield shown
