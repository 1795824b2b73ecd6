"""The week's HTML page: one self-contained file with each link's recovery and the stores over the days.

The page follows ``solve --html`` (allocator.output.html: Jinja2, inline SVG charts with text
as outlines, no network): the stages, the gain over day by day, the curves, a row per day
and every park's deliveries per day (click a header to sort).
"""

from __future__ import annotations

from typing import Any

from allocator.output.charts import AFTER, chart_lang, cjk_font, svg
from allocator.output.html import page_environment, page_helpers
from allocator.output.wording import horizon
from allocator.output.words import LINKS, name_of, t
from allocator.plan.result import PlanResult


def plan_page(result: PlanResult, summary: dict[str, Any], lang: str) -> tuple[str, list[str]]:
    """The page's HTML and warnings (a missing CJK font: the charts' labels fall back to English)."""
    drawing, warning = chart_lang(lang)
    charts = {"links": svg(link_curves(summary, drawing)), "stores": svg(store_curves(summary, drawing))}
    warnings = [warning] if warning else []
    inst = summary["instance"]
    meta = (f"{inst['file']} · {t('enterprises', lang, n=format(inst['enterprises'], ','))} · "
            f"{horizon(summary['days'], lang)} · sha256 {inst['sha256'][:12]}")
    context = {**page_helpers(lang), "title": t("plan_html_title", lang), "meta": meta, "s": summary, "charts": charts,
               "parks": summary["parks_by_day"], "notes": summary["notes"] + warnings}
    return page_environment().get_template("plan_week.html.j2").render(**context), warnings


def _figure(width: float, height: float, lang: str):
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.sans-serif"] = ([cjk_font()] if lang == "zh" and cjk_font() else []) + ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def link_curves(summary: dict[str, Any], lang: str):
    """Each listed link's recovery day by day, the overall recovery and the lowest link."""
    fig = _figure(7.5, 3.6, lang)
    ax = fig.add_subplot()
    days = [d["day"] for d in summary["daily"]]
    for link in summary["daily"][0]["links"]:
        ax.plot(days, [100 * d["links"][link] for d in summary["daily"]], marker=".", label=name_of(LINKS, link, lang))
    ax.plot(days, [100 * d["recovery"] for d in summary["daily"]], color=AFTER, linewidth=2.5, label=t("chart_overall", lang))
    if summary["daily"][0]["lowest_link"] is not None:
        ax.plot(days, [100 * d["lowest_link"] for d in summary["daily"]], color="#c62828", linestyle="--",
                label=t("chart_lowest", lang))
    ax.set_xticks(days, [str(d) for d in days])
    ax.set_xlabel(t("plan_chart_day", lang))
    ax.set_ylabel(t("chart_recovery", lang))
    ax.set_title(t("plan_chart_links", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def store_curves(summary: dict[str, Any], lang: str):
    """Masks (thousands) and passes left in store at the end of each day."""
    fig = _figure(7.5, 3.0, lang)
    ax = fig.add_subplot()
    days = [d["day"] for d in summary["daily"]]
    ax.bar(days, [d["left"]["masks"] / 1000 for d in summary["daily"]], color="#b8c4d6", label=t("plan_chart_masks", lang))
    ax.set_xticks(days, [str(d) for d in days])
    ax.set_xlabel(t("plan_chart_day", lang))
    ax.set_ylabel(t("plan_chart_masks", lang))
    other = ax.twinx()
    other.plot(days, [d["left"]["passes"] for d in summary["daily"]], color="#b26a00", marker="o",
               label=t("plan_chart_passes", lang))
    other.set_ylabel(t("plan_chart_passes", lang))
    other.set_ylim(bottom=0)
    ax.set_title(t("plan_chart_stores", lang))
    handles = ax.get_legend_handles_labels()[0] + other.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper right", fontsize=8)
    return fig
