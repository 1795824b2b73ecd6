"""The terminal report of an assignment as rich renderables; only the CLI prints them.

Every number comes from :func:`allocator.assign.summary.summarize` (or the plan it describes),
every word from :mod:`allocator.output.words`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from allocator.assign import Run
from allocator.output.words import BINDING, STATUSES, name_of, t

VISIT_ROWS = 12
BAR_WIDTH = 30
_STYLE = {"optimal": "bold green", "within gap": "green", "feasible": "yellow", "time limit": "yellow",
          "no solution": "bold red"}


def stage_number(value: float | None, stage: int) -> str:
    """Stage 2 is a sum of fractions (six decimals), stages 1 and 3 whole counts."""
    if value is None:
        return "–"
    return f"{value:,.6f}" if stage == 2 else f"{value:,.0f}"


def field_name(code: str, lang: str) -> str:
    return t(f"field_{code}", lang)


def render(run: Run, summary: dict[str, Any], lang: str = "en") -> RenderableType:
    parts: list[RenderableType] = [_headline(summary, lang), _stages(summary, lang), _fields(summary, lang),
                                   _unserved(run, summary, lang), _spread(summary, lang), _visits(run, lang)]
    notes = [w["text"] if lang == "en" else t(w["code"], lang, **{k: v for k, v in w.items() if k not in ("code", "text")})
             for w in summary["warnings"]] + summary["notes"] + summary["violations"]
    if notes:
        parts.append(Panel("\n".join(f"- {n}" for n in notes), title=t("notes_title", lang), border_style="yellow"))
    return Group(*parts)


def _status(code: str, lang: str) -> Text:
    return Text(name_of(STATUSES, code, lang), style=_STYLE.get(code, ""))


def _headline(summary: dict[str, Any], lang: str) -> RenderableType:
    people = summary["commissioners"]
    text = Text()
    text.append(f"{summary['instance']['file']}  ·  {people['file']}\n")
    text.append(t("assign_headline", lang, people=f"{people['people']:,}", leaders=people["leaders"],
                  firms=f"{summary['instance']['enterprises']:,}") + "\n")
    text.append(t("assign_plan", lang))
    text.append_text(_status(summary["status"], lang))
    text.append(t("assign_allocation", lang))
    text.append_text(_status(summary["allocation"]["status"], lang))
    text.append(f"  ({sum(summary['timings'].values()):.1f} s)")
    return Panel(text, title=t("assign_title", lang), border_style="blue")


def _stages(summary: dict[str, Any], lang: str) -> RenderableType:
    table = Table(title=t("assign_stages_title", lang) + " · CP-SAT", title_justify="left")
    for key in ("col_stage", "col_objective", "col_status", "col_value", "col_bound", "col_gap", "col_time"):
        table.add_column(t(key, lang), justify="right" if key in ("col_value", "col_bound", "col_gap", "col_time") else "left")
    for s in summary["stages"]:
        status = _status(s["status"], lang)
        if s["note"]:
            status.append(f" ({s['note']})", style="dim")
        table.add_row(str(s["stage"]), t(f"assign_stage_{s['stage']}", lang), status, stage_number(s["value"], s["stage"]),
                      stage_number(s["bound"], s["stage"]), "–" if s["gap"] is None else f"{s['gap']:.1e}",
                      f"{s['seconds']:.1f} s")
    return table


def _fields(summary: dict[str, Any], lang: str) -> RenderableType:
    table = Table(title=t("fields_title", lang), title_justify="left")
    for key in ("col_field", "col_people", "col_leaders", "col_capacity", "col_compatible", "col_served"):
        table.add_column(t(key, lang), justify="left" if key == "col_field" else "right")
    for code, v in summary["fields"].items():
        table.add_row(field_name(code, lang), f"{v['people']:,}", f"{v['leaders']:,}", f"{v['capacity']:,}",
                      f"{v['firms_compatible']:,}", f"{v['firms_served']:,}")
    table.caption = t("key_caption", lang, **summary["key_firms"])
    return table


def _unserved(run: Run, summary: dict[str, Any], lang: str) -> RenderableType:
    from allocator.assign.summary import REASONS, unserved_reasons

    why = unserved_reasons(run)
    inst = run.assignment.problem.instance
    table = Table(title=t("unserved_title", lang), title_justify="left")
    table.add_column(t("col_reason", lang))
    table.add_column(t("col_count", lang), justify="right")
    table.add_column(t("col_examples", lang))
    for code in REASONS:
        idx = [i for i, r in enumerate(why.tolist()) if r == code]
        shown = ", ".join(f"{inst.enterprise_id[i]} {inst.name[i]}".strip() for i in idx[:3])
        table.add_row(t(f"why_{code}", lang), f"{len(idx):,}", shown)
    table.caption = t("served_caption", lang, n=f"{summary['firms']['served']:,}")
    return table


def _spread(summary: dict[str, Any], lang: str) -> RenderableType:
    """A histogram of the parks each person serves (0 = idle)."""
    counts = summary["parks_per_person"]
    most = max(counts.values(), default=0) or 1
    table = Table.grid(padding=(0, 1))
    table.add_column()
    table.add_column()
    table.add_column(justify="right")
    for k, n in counts.items():
        table.add_row(t("spread_row", lang, n=k), Text("█" * max(1 if n else 0, round(BAR_WIDTH * n / most)), style="cyan"),
                      f"{n:,}")
    return Panel(table, title=t("spread_title", lang), title_align="left", expand=False)


def _visits(run: Run, lang: str) -> RenderableType:
    problem = run.assignment.problem
    inst = problem.instance
    firms_of = run.assignment.plan.firms_of()
    busy = [j for j in range(len(problem.staff)) if firms_of.get(j)]
    table = Table(title=t("visits_title", lang, n=min(VISIT_ROWS, len(busy)), total=f"{len(busy):,}"), title_justify="left")
    table.add_column(t("col_commissioner", lang))
    table.add_column(t("col_field", lang))
    table.add_column(t("html_home", lang))
    table.add_column(t("col_firms_visited", lang), overflow="fold")
    for j in busy[:VISIT_ROWS]:
        who = problem.staff[j]
        firms = sorted(firms_of[j], key=lambda i: (inst.park[i], i))
        visits = "; ".join(f"{inst.enterprise_id[i]} ({inst.park[i]}: {name_of(BINDING, problem.binding[i], lang)}, "
                           f"{1 - float(run.allocation.evaluation.c_after[i]):.0%})" for i in firms)
        table.add_row(f"{who.commissioner_id} {who.name}" + (t("leader_mark", lang) if who.leader else ""),
                      field_name(who.field, lang), who.park or t("district_wide", lang), visits)
    return table
