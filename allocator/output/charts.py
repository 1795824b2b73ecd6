"""Charts of a plan or a sweep, drawn with matplotlib (SVG for the HTML report, PNG for documents).

matplotlib is used through its object API (no pyplot, no global state), so charts can
be drawn in worker processes.  SVG text is stored as outlines, so the HTML report shows
Chinese labels on a PC without CJK fonts; drawing them needs a CJK font here, found by
:func:`cjk_font`.  Without one, Chinese charts fall back to English labels and the
caller is warned: boxes instead of characters would be a bug.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from allocator.output.words import LINKS, TIERS, name_of, t

#: CJK fonts looked for, in order (Linux, Windows, macOS names).
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN",
)
BEFORE, AFTER, LEFT = "#b8c4d6", "#2e7d32", "#e0e0e0"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK font matplotlib can use on this machine, or None."""
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def chart_lang(lang: str) -> tuple[str, str | None]:
    """The language charts can really be drawn in, and a warning if it had to change."""
    if lang == "zh" and cjk_font() is None:
        return "en", ("no CJK font found (looked for " + ", ".join(CJK_FONTS[:6]) + " ...): charts use English labels; "
                      "install one, e.g. Debian: apt install fonts-noto-cjk or fonts-wqy-microhei")
    return lang, None


def _figure(width: float, height: float, lang: str):
    from matplotlib.figure import Figure

    import matplotlib

    # text properties are read from rcParams when the figure's texts are created
    fonts = [cjk_font()] if lang == "zh" and cjk_font() else []
    matplotlib.rcParams["font.sans-serif"] = fonts + ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def recovery_bars(groups: dict[str, dict[str, float]], names: dict, title: str, lang: str):
    """Horizontal before/after bars, one pair per group (chain link or tier)."""
    labels = [name_of(names, key, lang) for key in groups]
    fig = _figure(7.0, 0.55 * len(groups) + 1.2, lang)
    ax = fig.add_subplot()
    rows = range(len(groups))
    before = [100 * v["before"] for v in groups.values()]
    after = [100 * v["after"] for v in groups.values()]
    ax.barh([r - 0.2 for r in rows], before, height=0.38, color=BEFORE, label=t("col_before", lang))
    ax.barh([r + 0.2 for r in rows], after, height=0.38, color=AFTER, label=t("col_after", lang))
    for r, value in zip(rows, after):
        ax.text(value + 0.8, r + 0.2, f"{value:.1f}%", va="center", fontsize=8)
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel(t("chart_recovery", lang))
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def supplies_bars(summary: dict[str, Any], lang: str):
    """Share of each supply used and left."""
    sup = summary["supplies"]
    keys = ["masks", "passes", "buses"]
    totals = [sup[k]["supply"] for k in keys] + [sup["seats"]["offered"]]
    used = [sup[k]["used"] for k in keys] + [sup["seats"]["used"]]
    labels = [t(k, lang) for k in keys] + [t("chart_seats", lang)]
    share = [100 * u / total if total else 0.0 for u, total in zip(used, totals)]
    fig = _figure(7.0, 2.6, lang)
    ax = fig.add_subplot()
    rows = range(len(keys) + 1)
    ax.barh(list(rows), share, color=AFTER, label=t("col_used", lang))
    ax.barh(list(rows), [100 - s for s in share], left=share, color=LEFT, label=t("col_left", lang))
    for r, u, total in zip(rows, used, totals):
        ax.text(1, r, f"{u:,} / {total:,}", va="center", fontsize=8, color="white" if total and u / total > 0.2 else "black")
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_title(t("chart_supplies", lang))
    ax.legend(loc="lower right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def sweep_lines(rows: list[tuple[int, dict[str, Any]]], lang: str):
    """Overall and lowest-link recovery across the scenarios of a sweep, numbered as in its table."""
    fig = _figure(7.5, 3.4, lang)
    ax = fig.add_subplot()
    x = [index for index, _ in rows]
    ax.plot(x, [100 * k["recovery_after"] for _, k in rows], marker="o", color=AFTER, label=t("chart_overall", lang))
    ax.plot(x, [100 * k["min_link_after"] for _, k in rows], marker="s", color="#c62828", label=t("chart_lowest", lang))
    ax.set_xticks(x, [str(i) for i in x])
    ax.set_xlabel(t("chart_scenario", lang))
    ax.set_ylabel(t("chart_recovery", lang))
    ax.set_title(t("chart_sweep", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


#: The file stems of one plan's charts (``--plots`` writes STEM.png), known before the solve so
#: that their folder is checked then.
PLAN_CHARTS = ("links", "tiers", "supplies")


def plan_charts(summary: dict[str, Any], lang: str) -> dict[str, Any]:
    """The charts of one plan, by file stem (PLAN_CHARTS)."""
    rec = summary["recovery"]
    charts = {
        "links": recovery_bars(rec["links"], LINKS, t("chart_links", lang), lang),
        "tiers": recovery_bars(rec["tiers"], TIERS, t("chart_tiers", lang), lang),
        "supplies": supplies_bars(summary, lang),
    }
    return {stem: charts[stem] for stem in PLAN_CHARTS}


def svg(fig) -> str:
    """The figure as inline SVG, text as outlines (no font needed where it is viewed)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "allocator"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def png(fig, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
