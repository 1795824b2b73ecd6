"""One self-contained HTML file (and PNG charts) for a plan or a sweep.

The page holds everything it needs: charts are inline SVG with text as outlines,
styles and the small table-sorting script are inline, no network is touched. Jinja2
renders the templates in allocator/templates; matplotlib draws the charts.
"""

from __future__ import annotations

from typing import Any

from allocator import __version__
from allocator.output.words import STAGES, STATUSES, name_of, t
from allocator.output.wording import nothing_groups, notes, parks_by_gain, pct, points, recovery_rows, stage_value


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("allocator.output", "templates"), autoescape=select_autoescape(["j2", "html"]),
                       trim_blocks=True, lstrip_blocks=True)


def _helpers(lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "version": __version__,
        "tr": lambda key, **fields: t(key, lang, **fields),
        "pct": pct,
        "points": lambda d: points(d, lang),
        "status": lambda code: name_of(STATUSES, code, lang),
        "stage_name": lambda stage: name_of(STAGES, stage, lang),
        "num": stage_value,
    }


def page_environment():
    """The Jinja2 environment of every page (the templates in allocator/output/templates)."""
    return _environment()


def page_helpers(lang: str) -> dict[str, Any]:
    """What every page's template may call: tr, pct, points, status, stage_name, num."""
    return _helpers(lang)


def plan_html(result, summary: dict[str, Any], lang: str, charts: dict[str, str]) -> str:
    """The report of one plan; ``charts`` maps a name to its inline SVG."""
    seats = summary["supplies"]["seats"]
    context = {
        **_helpers(lang),
        "title": t("html_title", lang),
        "meta": f"{summary['instance']['file']} · {t('enterprises', lang, n=format(summary['instance']['enterprises'], ','))} · sha256 {summary['instance']['sha256'][:12]}",
        "s": summary,
        "charts": charts,
        "recovery_rows": recovery_rows(summary, lang),
        "parks": parks_by_gain(summary),
        "routes": bus_routes(result),
        "nothing": nothing_groups(result, lang),
        "seat_fill": 100 * seats["used"] / seats["offered"] if seats["offered"] else 0.0,
        "notes": notes(summary, lang) + summary.get("chart_notes", []),
    }
    return _environment().get_template("plan.html.j2").render(**context)


def bus_routes(result) -> list[dict[str, Any]]:
    """Buses per (origin, park) with their seats and the enterprises they carry."""
    from allocator.allocation import bus_stops

    inst, seats = result.problem.instance, result.problem.scenario.supply.bus_seats
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for stop in bus_stops(result.problem, result.allocation):
        route = routes.setdefault((stop.origin, stop.park), {"origin": stop.origin, "park": stop.park, "ids": set(), "used": 0, "firms": {}})
        route["ids"].add(stop.bus_id)
        route["used"] += stop.workers
        if stop.enterprise >= 0:
            route["firms"][inst.name[stop.enterprise] or inst.enterprise_id[stop.enterprise]] = True
    out = []
    for route in routes.values():
        buses = len(route["ids"])
        out.append({"origin": route["origin"], "park": route["park"], "buses": buses, "used": route["used"],
                    "offered": buses * seats, "firms": "、".join(route["firms"])})
    return out


def sweep_html(outcomes: list, lang: str, chart: str, notes: list[str]) -> str:
    from allocator.sweep import kpis

    rows = [{"index": i, "name": o.variant.name, "status": o.status, "k": kpis(o.summary) if o.summary else None, "error": o.error or ""}
            for i, o in enumerate(outcomes)]
    base = next((o for o in outcomes if o.summary), None)
    meta = ""
    if base is not None:
        inst = base.summary["instance"]
        meta = f"{inst['file']} · {t('enterprises', lang, n=format(inst['enterprises'], ','))} · sha256 {inst['sha256'][:12]}"
    context = {**_helpers(lang), "title": t("html_sweep_title", lang), "meta": meta, "rows": rows, "chart": chart, "notes": notes}
    return _environment().get_template("sweep.html.j2").render(**context)


def plan_outputs(result, summary: dict[str, Any], lang: str, want_html: bool, want_png: bool) -> tuple[str | None, dict[str, bytes], list[str]]:
    """HTML text, PNG files by name, and warnings (a missing CJK font) for one plan."""
    from allocator.output import charts as ch

    drawing_lang, warning = ch.chart_lang(lang)
    figures = ch.plan_charts(summary, drawing_lang)
    pngs = {f"{name}.png": ch.png(fig) for name, fig in figures.items()} if want_png else {}
    warnings = [warning] if warning else []
    html = None
    if want_html:
        svgs = {name: ch.svg(fig) for name, fig in figures.items()}
        html = plan_html(result, {**summary, "chart_notes": warnings}, lang, svgs)
    return html, pngs, warnings


#: The chart whatif --plots writes (its target is checked before the sweep runs).
SWEEP_PNG = "sweep.png"


def sweep_outputs(outcomes: list, lang: str, want_html: bool, want_png: bool) -> tuple[str | None, dict[str, bytes], list[str]]:
    from allocator.output import charts as ch
    from allocator.sweep import kpis

    drawing_lang, warning = ch.chart_lang(lang)
    rows = [(i, kpis(o.summary)) for i, o in enumerate(outcomes) if o.summary]
    fig = ch.sweep_lines(rows, drawing_lang)
    warnings = [warning] if warning else []
    pngs = {SWEEP_PNG: ch.png(fig)} if want_png else {}
    html = sweep_html(outcomes, lang, ch.svg(fig), warnings) if want_html else None
    return html, pngs, warnings
