"""The terminal report as rich renderables; only the CLI prints them.

Every number comes from :func:`allocator.analysis.summary.summarize`, so the screen, summary.json
and ``--format json`` can never disagree.  Every word comes from :mod:`allocator.output.words`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from allocator.output.words import BINDING, LINKS, STAGES, STATUSES, TIERS, name_of, t
from allocator.result import Result
from allocator.output.wording import notes, nothing_groups, parks_by_gain, pct, points, recovery_rows, stage_note, stage_value

TOP_PARKS = 10
BAR_WIDTH = 30
_STATUS_STYLE = {"optimal": "bold green", "within gap": "green", "feasible": "yellow", "time limit": "yellow",
                 "interrupted": "yellow",
                 "work limit": "yellow", "no solution": "bold red", "skipped": "dim", "no plan": "bold red"}


def render(result: Result, summary: dict[str, Any], lang: str = "en") -> RenderableType:
    parts: list[RenderableType] = [
        _headline(summary, lang),
        _stages(summary, lang),
        _recovery(summary, lang),
        _link_bars(summary, lang),
        _parks(summary, lang),
        _supplies(summary, lang),
        _nothing(result, summary, lang),
    ]
    lines = notes(summary, lang)
    if lines:
        parts.append(Panel("\n".join(f"- {n}" for n in lines), title=t("notes_title", lang), border_style="yellow"))
    return Group(*parts)


def _change(before: float, after: float, lang: str) -> Text:
    delta = after - before
    return Text(points(delta, lang), style="green" if delta > 5e-5 else "dim")


def _status(status: str, lang: str) -> Text:
    return Text(name_of(STATUSES, status, lang), style=_STATUS_STYLE.get(status, ""))


def _headline(summary: dict[str, Any], lang: str) -> RenderableType:
    overall = summary["recovery"]["overall"]
    inst = summary["instance"]
    text = Text()
    text.append(f"{inst['file']}  ·  {t('enterprises', lang, n=format(inst['enterprises'], ','))}\n")
    text.append(t("headline_recovery", lang))
    text.append(f"{pct(overall['before'])} → {pct(overall['after'])}", style="bold")
    text.append("\n" + t("headline_plan", lang))  # a line of its own: at 80 columns "6.3 / s" wrapped
    text.append_text(_status(summary["status"], lang))
    text.append(f"  ({sum(summary['timings'].values()):.1f} s)")
    return Panel(text, title="allocator", border_style="blue")


SOLVER_NAMES = {"highs": "HiGHS", "scip": "SCIP"}


def _stages(summary: dict[str, Any], lang: str) -> RenderableType:
    solver = SOLVER_NAMES.get(summary["solver"], summary["solver"])
    table = Table(title=f"{t('stages_title', lang)} · {solver}", title_justify="left")
    for key in ("col_stage", "col_objective", "col_status", "col_value", "col_bound", "col_gap", "col_time"):
        figure = key in ("col_value", "col_bound", "col_gap", "col_time")  # figures never wrap; words do, never cut
        table.add_column(t(key, lang), justify="right" if figure else "left", no_wrap=figure, overflow="fold")
    for s in summary["stages"]:
        gap = "–" if s["gap"] is None else f"{s['gap']:.1e}"
        status = _status(s["status"], lang)
        if s["note"]:
            status.append(f" ({stage_note(s['note'], lang)})")
        table.add_row(str(s["stage"]), name_of(STAGES, s["stage"], lang), status, stage_value(s["value"], s["stage"]),
                      stage_value(s["bound"], s["stage"]), gap, f"{s['seconds']:.1f} s")
    return table


def _recovery(summary: dict[str, Any], lang: str) -> RenderableType:
    rec = summary["recovery"]
    table = Table(title=t("recovery_title", lang), title_justify="left")
    table.add_column("")
    for key in ("col_enterprises", "col_before", "col_after", "col_change"):
        table.add_column(t(key, lang), justify="right")
    for label, v in recovery_rows(summary, lang):
        table.add_row(label, f"{v['enterprises']:,}", pct(v["before"]), pct(v["after"]), _change(v["before"], v["after"], lang))
    if rec["lowest_listed_link"]:
        low = rec["lowest_listed_link"]
        table.caption = t("lowest_link", lang, before=pct(low["before"]), after=pct(low["after"]))
    return table


def _link_bars(summary: dict[str, Any], lang: str) -> RenderableType:
    """A compact bar per chain link: the dim part was there before, the bright part is the gain."""
    table = Table.grid(padding=(0, 1))
    table.add_column()
    table.add_column()
    table.add_column(justify="right")
    for link, v in summary["recovery"]["links"].items():
        before = int(round(BAR_WIDTH * min(1.0, v["before"])))
        after = max(before, int(round(BAR_WIDTH * min(1.0, v["after"]))))
        bar = Text("█" * before, style="grey50")
        bar.append("█" * (after - before), style="green")
        bar.append("·" * (BAR_WIDTH - after), style="grey23")
        table.add_row(name_of(LINKS, link, lang), bar, f"{pct(v['before'])} → {pct(v['after'])}")
    return table


def _parks(summary: dict[str, Any], lang: str) -> RenderableType:
    ranked = parks_by_gain(summary)
    table = Table(title=t("parks_title", lang, top=min(TOP_PARKS, len(ranked)), total=len(ranked)), title_justify="left")
    table.add_column(t("col_park", lang))
    for key in ("col_enterprises", "col_before", "col_after", "col_change"):
        table.add_column(t(key, lang), justify="right")
    for name, v in ranked[:TOP_PARKS]:
        table.add_row(name, f"{v['enterprises']:,}", pct(v["before"]), pct(v["after"]), _change(v["before"], v["after"], lang))
    rest = ranked[TOP_PARKS:]
    if rest:
        gained = sum(1 for _, v in rest if v["after"] - v["before"] > 5e-5)
        table.caption = t("parks_rest", lang, rest=len(rest), gained=gained, same=len(rest) - gained)
    return table


def _supplies(summary: dict[str, Any], lang: str) -> RenderableType:
    sup = summary["supplies"]
    table = Table(title=t("supplies_title", lang), title_justify="left")
    table.add_column("")
    for key in ("col_supply", "col_used", "col_left"):
        table.add_column(t(key, lang), justify="right")
    for key in ("masks", "boxes", "passes", "buses"):
        v = sup[key]
        table.add_row(t(key, lang), f"{v['supply']:,}", f"{v['used']:,}", f"{v['left']:,}")
    seats = sup["seats"]
    fill = 100 * seats["used"] / seats["offered"] if seats["offered"] else 0.0
    table.caption = t("seats_caption", lang, used=f"{seats['used']:,}", offered=f"{seats['offered']:,}", fill=fill)
    return table


def _nothing(result: Result, summary: dict[str, Any], lang: str) -> RenderableType:
    table = Table(title=t("nothing_title", lang), title_justify="left")
    table.add_column(t("col_reason", lang))
    table.add_column(t("col_count", lang), justify="right")
    table.add_column(t("col_examples", lang))
    for label, count, examples in nothing_groups(result, lang):
        table.add_row(label, f"{count:,}", examples)
    table.caption = t("nothing_caption", lang, n=f"{summary['enterprises']['allocated']:,}")
    return table


def enterprise_inputs(e, threshold: float, lang: str, *extra: tuple[str, str]) -> Table:
    """An enterprise's inputs as two columns (what ``explain`` shows first), then ``extra`` rows."""
    inputs = Table.grid(padding=(0, 2))
    inputs.add_column(style="bold")
    inputs.add_column()
    rows = [
        ("field_park", e.park), ("field_link", name_of(LINKS, e.chain_link, lang)), ("field_tier", name_of(TIERS, e.tier, lang)),
        ("field_staff", f"{e.employees:,} / {e.on_post:,} / {e.workers_away:,}"),
        ("field_origin", e.origin or t("none", lang)),
        ("field_electricity", f"{e.electricity_recovery:.1%}"), ("field_threshold", f"{threshold:.1%}"),
        ("field_stock", f"{e.masks_in_stock:,}"), ("field_trucks", f"{e.trucks_needed:,}"), ("field_value", f"{e.output_value:,.2f}"),
        *extra,
    ]
    for key, value in rows:
        inputs.add_row(t(key, lang), value)
    return inputs


def render_explanation(ex, lang: str = "en") -> RenderableType:
    """One enterprise: inputs, what it received, why, and what would have changed it."""
    e = ex.enterprise
    inputs = enterprise_inputs(e, ex.threshold, lang)
    got = Table.grid(padding=(0, 2))
    got.add_column(style="bold")
    got.add_column()
    got.add_row(t("field_boxes", lang), f"{ex.boxes:,} ({ex.masks:,})")
    got.add_row(t("field_passes", lang), f"{ex.passes:,}")
    got.add_row(t("field_returned", lang), f"{ex.returned:,}")
    got.add_row(t("field_buses", lang), ", ".join(ex.bus_ids) or t("none", lang))
    got.add_row(t("field_capacity", lang), f"{pct(ex.c_before)} → {pct(ex.c_after)}")
    got.add_row(t("field_binding", lang), name_of(BINDING, ex.binding, lang))
    got.add_row(t("field_best", lang), pct(ex.c_best))
    parts: list[RenderableType] = [
        Panel(inputs, title=t("explain_title", lang, id=e.enterprise_id, name=e.name), border_style="blue"),
        Panel(got, title=t("received", lang)),
        Panel(_why(ex, lang), title=t("why", lang)),
    ]
    if ex.counterfactuals:
        lines = [f"- {_counterfactual(cf, lang)}" for cf in ex.counterfactuals]
        parts.append(Panel("\n".join(lines), title=t("what_if", lang)))
    return Group(*parts)


def _what(lacks: tuple[str, ...], lang: str) -> str:
    return "、".join(t(f"what_{x}", lang) for x in lacks) if lang == "zh" else ", ".join(t(f"what_{x}", lang) for x in lacks)


def _why(ex, lang: str) -> str:
    if ex.reason == "allocated":
        text = t("why_allocated", lang)
        if ex.lacks:
            text += " " + t("why_more", lang, what=_what(ex.lacks, lang))
        return text
    if ex.reason == "ineligible":
        return t("why_ineligible", lang, e=ex.enterprise.electricity_recovery, t=ex.threshold)
    if ex.reason == "outranked":
        return t("why_outranked", lang, what=_what(ex.lacks, lang))
    return t("why_need_met", lang)


def _counterfactual(cf, lang: str) -> str:
    gets = t("gets", lang, boxes=cf.gets[0], passes=cf.gets[1], returned=cf.gets[2])
    if cf.kind == "threshold":
        return t("cf_threshold" if cf.works else "cf_threshold_no", lang, t=cf.change, gets=gets)
    if cf.kind == "tier":
        return t("cf_tier" if cf.works else "cf_tier_no", lang, tier=name_of(TIERS, cf.change, lang), gets=gets)
    amount, what = f"{int(cf.change):,}", t(f"what_{cf.kind}", lang)
    if cf.works and cf.not_enough:
        return t("cf_supply_range", lang, amount=amount, what=what, gets=gets, below=f"{cf.not_enough:,}")
    return t("cf_supply" if cf.works else "cf_supply_no", lang, amount=amount, what=what, gets=gets)


def _with_delta(k: dict[str, Any], ref: dict[str, Any] | None, key: str, pct: bool, base_row: bool) -> str:
    """A KPI and, under it, its change against the base (in points for recoveries)."""
    text = f"{100 * k[key]:.2f}%" if pct else f"{k[key]:,.0f}"
    if base_row or ref is None:
        return text
    delta = k[key] - ref[key]
    return text + (f"\n{100 * delta:+.2f}pt" if pct else f"\n{delta:+,.0f}")


def _gaps(k: dict[str, Any]) -> str:
    """Each stage's gap on its own line: stage 3 counts units, stage 2 output; they never mix."""
    def shown(gap: float | None) -> str:
        return "–" if gap is None else "0" if gap == 0 else f"{gap:.0e}"

    return "\n".join(shown(k.get(f"gap_stage{n}")) for n in (1, 2, 3))


def render_sweep(outcomes: list, lang: str = "en", width: int = 120) -> RenderableType:
    """One row per scenario: the KPIs and their change against the base.  When the scenario names
    do not fit beside the figures (``width``), rows are numbered and the names listed below."""
    from allocator.sweep import BASE, kpis

    base = next((o for o in outcomes if o.variant.name == BASE and o.summary), None)
    ref = kpis(base.summary) if base else None
    longest = max((len(word) for o in outcomes for word in o.variant.name.split()), default=4)
    numbered = longest + 72 > width  # the figures' columns take about 72 cells
    table = Table(title=t("sweep_title", lang), title_justify="left", padding=(0, 1))
    table.add_column("#" if numbered else t("col_scenario", lang), min_width=2 if numbered else longest)
    table.add_column(t("col_status", lang), min_width=7)
    for key in ("col_recovery", "col_lowest", "col_output", "col_left_mpb", "col_gaps", "col_time"):
        table.add_column(t(key, lang), justify="right", min_width=6 if key == "col_time" else 8)
    for number, o in enumerate(outcomes):
        label = str(number) if numbered else o.variant.name
        status = _status(o.status, lang) if o.error is None else Text(f"failed: {o.error}", style="red")
        if o.summary is None:
            table.add_row(label, status, "", "", "", "", "", f"{o.seconds:.1f}s")
            continue
        k = kpis(o.summary)
        base_row = ref is None or o is base
        table.add_row(
            label, status, _with_delta(k, ref, "recovery_after", True, base_row),
            _with_delta(k, ref, "min_link_after", True, base_row), _with_delta(k, ref, "weighted_output", False, base_row),
            f"{k['masks_left']:,}\n{k['passes_left']:,}\n{k['buses_left']:,}", _gaps(k), f"{o.seconds:.1f}s",
        )
    if not numbered:
        return table
    legend = Table.grid(padding=(0, 1))
    legend.add_column(justify="right")
    legend.add_column()
    for number, o in enumerate(outcomes):
        legend.add_row(str(number), o.variant.name)
    return Group(table, legend)
