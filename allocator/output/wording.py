"""The report's words, numbers and orderings as plain data, shared by the terminal and HTML reports.

Both reports show the same rows in the same order with the same wording; building them
here once keeps the two from drifting apart.  Nothing here knows about rich or Jinja2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.output.words import LINKS, REASONS, STAGE_NOTES, TIERS, name_of, t
from allocator.analysis.reasons import reasons

NOTHING_REASONS = ("ineligible", "need_met", "outranked")


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def points(delta: float, lang: str) -> str:
    return t("points", lang, sign="+" if delta >= 0 else "-", value=abs(100 * delta))


def horizon(days: int, lang: str) -> str:
    """"1 day", "7 days": the plan's length, singular where English needs it (the report said "1 days")."""
    return t("plan_one_day" if days == 1 else "plan_days", lang, days=days)


def stage_value(value: float | None, stage: int) -> str:
    """Stage 1 is a ratio, stage 2 an output, stage 3 a count."""
    if value is None:
        return "–"
    if stage == 1:
        return f"{value:.6f}"
    return f"{value:,.0f}" if stage == 3 else f"{value:,.2f}"


def stage_note(note: str, lang: str) -> str:
    """A stage's note in the report's language (a note without a translation as it came)."""
    return name_of(STAGE_NOTES, note, lang)


def notes(summary: dict[str, Any], lang: str) -> list[str]:
    """Scenario conflicts, filled seats, solver notes and violations, in the report's language."""
    out = [t(w["code"], lang, **{k: v for k, v in w.items() if k not in ("code", "text")}) for w in summary["warnings"]]
    if summary["seats_filled"]:
        out.append(t("note_seats", lang, n=summary["seats_filled"]))
    return out + summary["notes"] + summary["violations"]


def recovery_rows(summary: dict[str, Any], lang: str) -> list[tuple[str, dict[str, float]]]:
    """Overall, each tier, each chain link (unlisted links marked), with before/after figures."""
    rec = summary["recovery"]
    listed = set(summary["scenario"]["rules"]["chain_links"])
    rows = [(t("overall", lang), rec["overall"])]
    rows += [(t("tier_row", lang, tier=name_of(TIERS, tier, lang)), v) for tier, v in rec["tiers"].items()]
    for link, v in rec["links"].items():
        rows.append((t("link_row", lang, link=name_of(LINKS, link, lang)) + ("" if link in listed else t("not_listed", lang)), v))
    return rows


def parks_by_gain(summary: dict[str, Any]) -> list[tuple[str, dict[str, float]]]:
    """Parks, largest gain first, ties by name."""
    return sorted(summary["recovery"]["parks"].items(), key=lambda kv: (-(kv[1]["after"] - kv[1]["before"]), kv[0]))


def nothing_groups(result, lang: str, examples: int = 3) -> list[tuple[str, int, str]]:
    """For each reason an enterprise got nothing: its label, how many, and a few examples."""
    why = reasons(result.problem, result.allocation)
    inst = result.problem.instance
    out = []
    for code in NOTHING_REASONS:
        idx = np.flatnonzero(why == code)
        shown = ", ".join(f"{inst.enterprise_id[i]} {inst.name[i]}".strip() for i in idx[:examples])
        out.append((name_of(REASONS, code, lang), len(idx), shown))
    return out
