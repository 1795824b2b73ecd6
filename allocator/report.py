"""The terminal report as rich renderables; only the CLI prints them.

Every number comes from :func:`allocator.summary.summarize`, so the screen, summary.json
and ``--format json`` can never disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from allocator.reasons import reasons
from allocator.solve import Result

TOP_PARKS = 10
_STATUS_STYLE = {"optimal": "bold green", "within gap": "green", "feasible": "yellow", "time limit": "yellow",
                 "work limit": "yellow", "no solution": "bold red", "skipped": "dim", "no plan": "bold red"}


def render(result: Result, summary: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = [
        _headline(summary),
        _stages(summary),
        _recovery(summary),
        _parks(summary),
        _supplies(summary),
        _nothing(result, summary),
    ]
    notes = summary["warnings"] + summary["notes"] + summary["violations"]
    if notes:
        parts.append(Panel("\n".join(f"• {n}" for n in notes), title="Notes", border_style="yellow"))
    return Group(*parts)


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _change(before: float, after: float) -> Text:
    delta = after - before
    style = "green" if delta > 5e-5 else "dim"
    return Text(f"{'+' if delta >= 0 else ''}{100 * delta:.2f} pt", style=style)


def _headline(summary: dict[str, Any]) -> RenderableType:
    overall = summary["recovery"]["overall"]
    inst = summary["instance"]
    status = summary["status"]
    text = Text()
    text.append(f"{inst['file']}  ·  {inst['enterprises']:,} enterprises\n")
    text.append("Capacity recovery (output-weighted): ")
    text.append(f"{_pct(overall['before'])} → {_pct(overall['after'])}", style="bold")
    text.append("   Plan: ")
    text.append(status, style=_STATUS_STYLE.get(status, ""))
    seconds = sum(summary["timings"].values())
    text.append(f"  ({seconds:.1f} s)")
    return Panel(text, title="allocator", border_style="blue")


def _fmt(value: float | None, stage: int) -> str:
    if value is None:
        return "–"
    if stage == 1:
        return f"{value:.6f}"
    if stage == 3:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _stages(summary: dict[str, Any]) -> RenderableType:
    table = Table(title="Solver stages (values recomputed from the allocation)", title_justify="left")
    for col in ("stage", "objective", "status", "value", "best bound", "gap", "time"):
        table.add_column(col, justify="right" if col in ("value", "best bound", "gap", "time") else "left")
    for s in summary["stages"]:
        gap = "–" if s["gap"] is None else f"{s['gap']:.1e}"
        status = Text(s["status"] + (f" ({s['note']})" if s["note"] else ""), style=_STATUS_STYLE.get(s["status"], ""))
        table.add_row(
            str(s["stage"]), f"{s['sense']} {s['objective']}", status, _fmt(s["value"], s["stage"]),
            _fmt(s["bound"], s["stage"]), gap, f"{s['seconds']:.1f} s",
        )
    return table


def _recovery(summary: dict[str, Any]) -> RenderableType:
    rec = summary["recovery"]
    table = Table(title="Capacity recovery, before → after", title_justify="left")
    for col in ("", "enterprises", "before", "after", "change"):
        table.add_column(col, justify="left" if col == "" else "right")
    rows = [("overall", rec["overall"])]
    rows += [(f"tier {t}", v) for t, v in rec["tiers"].items()]
    listed = set(summary["scenario"]["rules"]["chain_links"])
    rows += [(f"link {k}" + ("" if k in listed else " (not listed)"), v) for k, v in rec["links"].items()]
    for label, v in rows:
        table.add_row(label, f"{v['enterprises']:,}", _pct(v["before"]), _pct(v["after"]), _change(v["before"], v["after"]))
    if rec["lowest_listed_link"]:
        low = rec["lowest_listed_link"]
        table.caption = f"lowest listed link: {_pct(low['before'])} → {_pct(low['after'])}"
    return table


def _parks(summary: dict[str, Any]) -> RenderableType:
    parks = summary["recovery"]["parks"]
    ranked = sorted(parks.items(), key=lambda kv: (-(kv[1]["after"] - kv[1]["before"]), kv[0]))
    table = Table(title=f"Parks with the largest gain (top {min(TOP_PARKS, len(ranked))} of {len(ranked)})", title_justify="left")
    for col in ("park", "enterprises", "before", "after", "change"):
        table.add_column(col, justify="left" if col == "park" else "right")
    for name, v in ranked[:TOP_PARKS]:
        table.add_row(name, f"{v['enterprises']:,}", _pct(v["before"]), _pct(v["after"]), _change(v["before"], v["after"]))
    rest = ranked[TOP_PARKS:]
    if rest:
        gained = sum(1 for _, v in rest if v["after"] - v["before"] > 5e-5)
        table.caption = f"{len(rest)} other parks: {gained} gained, {len(rest) - gained} unchanged"
    return table


def _supplies(summary: dict[str, Any]) -> RenderableType:
    sup = summary["supplies"]
    table = Table(title="Supplies", title_justify="left")
    for col in ("", "supply", "used", "left"):
        table.add_column(col, justify="left" if col == "" else "right")
    for key in ("masks", "boxes", "passes", "buses"):
        v = sup[key]
        table.add_row(key, f"{v['supply']:,}", f"{v['used']:,}", f"{v['left']:,}")
    seats = sup["seats"]
    fill = seats["used"] / seats["offered"] if seats["offered"] else 0.0
    table.caption = f"bus seats: {seats['used']:,} of {seats['offered']:,} used ({100 * fill:.1f}%)"
    return table


def _nothing(result: Result, summary: dict[str, Any]) -> RenderableType:
    why = reasons(result.problem, result.allocation)
    inst = result.problem.instance
    labels = {
        "ineligible": "ineligible (electricity recovery below the tier's threshold, masks were the only help)",
        "need_met": "need already met (no input they lack is handed out)",
        "outranked": "outranked (supplies went where the rules value them more)",
    }
    table = Table(title="Enterprises that received nothing", title_justify="left")
    table.add_column("reason")
    table.add_column("count", justify="right")
    table.add_column("examples")
    for code, label in labels.items():
        idx = np.flatnonzero(why == code)
        examples = ", ".join(f"{inst.enterprise_id[i]} {inst.name[i]}".strip() for i in idx[:3])
        table.add_row(label, f"{len(idx):,}", examples)
    table.caption = f"{summary['enterprises']['allocated']:,} enterprises received something"
    return table


def render_sweep(outcomes: list) -> RenderableType:
    """One row per scenario: the KPIs and their change against the base."""
    from allocator.whatif import kpis

    base = next((o for o in outcomes if o.variant.name == "base" and o.summary), None)
    ref = kpis(base.summary) if base else None
    table = Table(title="What-if comparison (change against the base)", title_justify="left")
    table.add_column("scenario", overflow="fold", ratio=4)
    table.add_column("status", overflow="fold", ratio=2)
    for col in ("recovery", "lowest link", "output", "left: masks/passes/buses", "gap", "time"):
        table.add_column(col, justify="right", ratio=2 if col != "left: masks/passes/buses" else 3)
    for o in outcomes:
        status = Text(o.status if o.error is None else f"failed: {o.error}", style=_STATUS_STYLE.get(o.status, "red"))
        if o.summary is None:
            table.add_row(o.variant.name, status, "", "", "", "", "", f"{o.seconds:.1f}s")
            continue
        k = kpis(o.summary)

        def with_delta(key: str, pct: bool) -> str:
            text = f"{100 * k[key]:.2f}%" if pct else f"{k[key]:,.0f}"
            if ref is None or o is base:
                return text
            delta = k[key] - ref[key]
            return text + (f"\n{100 * delta:+.2f}pt" if pct else f"\n{delta:+,.0f}")

        table.add_row(
            o.variant.name, status, with_delta("recovery_after", True), with_delta("min_link_after", True),
            with_delta("weighted_output", False), f"{k['masks_left']:,}/{k['passes_left']}/{k['buses_left']}",
            "–" if k["max_gap"] is None else f"{k['max_gap']:.0e}", f"{o.seconds:.1f}s",
        )
    return table
