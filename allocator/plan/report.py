"""The week's terminal report as rich renderables; only the CLI prints them.

The week at a glance: the headline, the stages over the week, what the week's plan gains
over day by day, a row per day (arrivals, handed out, left, recoveries, output), then the
deliveries by park and day, and the notes.  Every number comes from
:func:`allocator.plan.summary.summarize_plan`; every word from allocator.output.words.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from allocator.output.report import SOLVER_NAMES
from allocator.output.wording import horizon, notes, pct, stage_value
from allocator.output.words import STATUSES, name_of, t

#: Parks shown per day in the deliveries table (the rest are counted).
TOP_PARKS = 8
_STYLE = {"optimal": "bold green", "within gap": "green", "no solution": "bold red", "no plan": "bold red",
          "skipped": "dim"}


def _status(status: str, lang: str) -> Text:
    return Text(name_of(STATUSES, status, lang), style=_STYLE.get(status, "yellow"))


def render_plan(summary: dict[str, Any], lang: str = "en") -> RenderableType:
    parts: list[RenderableType] = [_headline(summary, lang), _stages(summary, lang)]
    if summary.get("baseline") is not None and summary["days"] > 1:
        parts.append(_gain(summary, lang))
    parts += [_days(summary, lang), _parks(summary, lang)]
    lines = notes(summary, lang)
    if summary["exported"] == "day-by-day":
        lines.insert(0, t("plan_exported_by_day", lang))
    if summary.get("interrupted"):
        lines.insert(0, t("plan_interrupted", lang))
    if lines:
        parts.append(Panel("\n".join(f"- {n}" for n in lines), title=t("notes_title", lang), border_style="yellow"))
    return Group(*parts)


def _headline(summary: dict[str, Any], lang: str) -> RenderableType:
    inst, days = summary["instance"], summary["daily"]
    arrivals = summary["arrivals"]["file"]
    text = Text()
    text.append(f"{inst['file']}  ·  {t('enterprises', lang, n=format(inst['enterprises'], ','))}  ·  "
                f"{horizon(summary['days'], lang)}  ·  "
                f"{t('plan_arrivals', lang, file=arrivals) if arrivals else t('plan_no_arrivals', lang)}\n")
    text.append(t("plan_headline_recovery", lang, first=days[0]["day"], last=days[-1]["day"]))
    before = summary["recovery"]["overall"]["before"]
    text.append(f"{pct(before)} → " + " → ".join(pct(d["recovery"]) for d in days), style="bold")
    text.append("\n" + t("headline_plan", lang))  # a line of its own, as in solve's headline
    text.append_text(_status(summary["status"], lang))
    text.append(f"  ({sum(summary['timings'].values()):.1f} s)")
    return Panel(text, title="allocator plan", border_style="blue")


def _stages(summary: dict[str, Any], lang: str) -> RenderableType:
    solver = SOLVER_NAMES.get(summary["solver"], summary["solver"])
    table = Table(title=f"{t('plan_stages_title', lang)} · {solver}", title_justify="left")
    for key in ("col_stage", "col_objective", "col_status", "col_value", "col_bound", "col_gap", "col_time"):
        table.add_column(t(key, lang), justify="right" if key in ("col_value", "col_bound", "col_gap", "col_time") else "left")
    for s in summary["stages"]:
        gap = "–" if s["gap"] is None else f"{s['gap']:.1e}"
        status = _status(s["status"], lang)
        if s["note"]:
            status.append(f" ({s['note']})")
        table.add_row(str(s["stage"]), t(f"plan_stage_{s['stage']}", lang), status, stage_value(s["value"], s["stage"]),
                      stage_value(s["bound"], s["stage"]), gap, f"{s['seconds']:.1f} s")
    return table


def _gain(summary: dict[str, Any], lang: str) -> RenderableType:
    week = {s["stage"]: s["value"] for s in summary["stages"]}
    base = summary["baseline"]
    table = Table(title=t("plan_gain_title", lang), title_justify="left")
    table.add_column("")
    for key in ("plan_col_week", "plan_col_by_day", "plan_col_gain"):
        table.add_column(t(key, lang), justify="right")
    for stage in (1, 2, 3):
        mine, theirs = week[stage], base["values"][str(stage)]
        if mine is None or theirs is None:
            continue
        delta = mine - theirs
        shown = f"{delta:+.6f}" if stage == 1 else (f"{delta:+,.0f}" if stage == 3 else f"{delta:+,.2f}")
        style = "green" if (delta > 0 if stage < 3 else delta < 0) else "dim"
        table.add_row(t(f"plan_stage_{stage}", lang), stage_value(mine, stage), stage_value(theirs, stage),
                      Text(shown, style=style))
    gap = "–" if base["worst_gap"] is None else f"{base['worst_gap']:.1e}"
    table.caption = t("plan_gain_caption", lang, gap=gap,
                      status=t("plan_gain_proven" if base["proven"] else "plan_gain_unproven", lang))
    return table


def _days(summary: dict[str, Any], lang: str) -> RenderableType:
    table = Table(title=t("plan_days_title", lang), title_justify="left")
    for key in ("plan_col_day", "plan_col_arrived", "plan_col_handed", "plan_col_left", "plan_col_recovery",
                "plan_col_lowest", "plan_col_output"):
        table.add_column(t(key, lang), justify="right")
    for d in summary["daily"]:
        a, h, left = d["arrived"], d["handed_out"], d["left"]
        lowest = "–" if d["lowest_link"] is None else pct(d["lowest_link"])
        table.add_row(str(d["day"]), f"{a['masks']:,} / {a['passes']:,} / {a['buses']:,}",
                      f"{h['boxes']:,} / {h['passes']:,} / {h['buses']:,} / {h['workers']:,}",
                      f"{left['masks']:,} / {left['passes']:,}", pct(d["recovery"]), lowest,
                      f"{d['weighted_output']:,.2f}")
    return table


def _parks(summary: dict[str, Any], lang: str) -> RenderableType:
    rows = summary["parks_by_day"]
    table = Table(title=t("plan_parks_title", lang, top=TOP_PARKS), title_justify="left")
    for key in ("plan_col_day", "col_park", "col_enterprises", "boxes", "passes"):
        table.add_column(t(key, lang), justify="left" if key == "col_park" else "right")
    table.add_column(t("field_returned", lang), justify="right")
    if not rows:
        table.caption = t("plan_nothing_handed", lang)
        return table
    rest = []
    for day in dict.fromkeys(r["day"] for r in rows):
        ranked = sorted((r for r in rows if r["day"] == day), key=lambda r: (-r["enterprises"], r["park"]))
        for r in ranked[:TOP_PARKS]:
            table.add_row(str(day), r["park"], f"{r['enterprises']:,}", f"{r['boxes']:,}", f"{r['passes']:,}",
                          f"{r['workers']:,}")
        if len(ranked) > TOP_PARKS:
            rest.append(t("plan_parks_rest", lang, rest=len(ranked) - TOP_PARKS, day=day))
    table.caption = "; ".join(rest) if rest else None
    return table


def render_plan_explanation(ex, lang: str = "en") -> RenderableType:
    """One enterprise's week: its inputs, what it received day by day, and why not earlier."""
    from allocator.output.report import enterprise_inputs
    from allocator.output.words import REASONS

    e = ex.enterprise
    inputs = enterprise_inputs(e, ex.threshold, lang, ("field_best", pct(ex.c_best)))
    lines = [f"{t('col_before', lang)}: {pct(ex.c_before)}"]
    for d in ex.days:
        if d.boxes or d.passes or d.returned:
            gets = t("plan_explain_gets", lang, boxes=d.boxes, passes=d.passes, returned=d.returned)
            if d.bus_ids:
                gets += t("plan_explain_buses", lang, ids=", ".join(d.bus_ids))
            lines.append(t("plan_explain_day", lang, day=d.day, gets=gets, c=pct(d.c)))
        else:
            lines.append(t("plan_explain_nothing", lang, day=d.day, c=pct(d.c)))
    why = []
    for w in ex.why:
        what = t(f"plan_what_{w.what}", lang) if w.what else ""
        if w.code == "nothing":
            why.append(t("plan_why_nothing", lang, reason=name_of(REASONS, w.reason, lang)))
        elif w.code in ("no_bus", "bus_elsewhere"):
            why.append(t(f"plan_why_{w.code}", lang, day=w.day))
        else:
            why.append(t(f"plan_why_{w.code}", lang, day=w.day, what=what, before=w.before))
    title = t("explain_title", lang, id=e.enterprise_id, name=e.name)
    return Group(Panel(inputs, title=title, border_style="blue"),
                 Panel("\n".join(lines), title=t("plan_explain_days", lang)),
                 Panel("\n".join(f"- {line}" for line in why), title=t("plan_explain_why_title", lang)))
