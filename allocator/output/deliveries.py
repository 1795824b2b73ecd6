"""Who gets what, on screen: the delivery list park by park (``--show parks``) or firm by firm
(``--show firms``), optionally for one park, tier or chain link.

The figures are those of the export (masks.csv, passes.csv, buses.csv); the tables are
built to read at 80 columns (names wrap, figures never).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.console import RenderableType
from rich.table import Table

from allocator.allocation import bus_stops
from allocator.output.words import LINKS, TIERS, name_of, t
from allocator.result import Result


@dataclass(frozen=True)
class Filter:
    """Which firms a list covers; None takes every one."""

    park: str | None = None
    tier: str | None = None
    link: str | None = None

    def members(self, result: Result) -> np.ndarray:
        return self.matches(result.problem.instance)

    def matches(self, inst) -> np.ndarray:
        """Which enterprises of the register pass the filter."""
        from allocator.data.links import canonical_link

        keep = np.ones(len(inst), dtype=bool)
        if self.park:
            keep &= inst.park == self.park.strip()
        if self.tier:
            keep &= inst.tier == self.tier.strip().upper()
        if self.link:
            keep &= inst.chain_link == canonical_link(self.link)
        return keep

    def options(self) -> str:
        """The filter as it was typed: --park P --tier T --link L."""
        return " ".join(f"--{name} {value}" for name, value in (("park", self.park), ("tier", self.tier),
                                                                 ("link", self.link)) if value)

    def label(self, lang: str) -> str:
        parts = [self.park or "",
                 name_of(TIERS, self.tier.strip().upper(), lang) if self.tier else "",
                 name_of(LINKS, self.link.strip().lower(), lang) if self.link else ""]
        return " · ".join(p for p in parts if p)


def _bus_ids(result: Result) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for stop in bus_stops(result.problem, result.allocation):
        if stop.enterprise >= 0:
            out.setdefault(stop.enterprise, []).append(stop.bus_id)
    return out


def _receivers(result: Result, chosen: Filter) -> np.ndarray:
    a = result.allocation
    gets = (a.boxes > 0) | (a.passes > 0) | (a.returned > 0)
    return np.flatnonzero(gets & chosen.members(result))


def parks_table(result: Result, chosen: Filter, lang: str) -> RenderableType:
    """One row per park that receives something: firms, boxes (masks), passes, returned workers, buses."""
    inst, a = result.problem.instance, result.allocation
    pack = result.problem.scenario.supply.mask_pack
    buses = _bus_ids(result)
    rows: dict[str, list] = {}
    for i in _receivers(result, chosen):
        row = rows.setdefault(str(inst.park[i]), [0, 0, 0, 0, set()])
        row[0] += 1
        row[1] += int(a.boxes[i])
        row[2] += int(a.passes[i])
        row[3] += int(a.returned[i])
        row[4].update(buses.get(int(i), []))
    table = _table(t("show_parks_title", lang, which=chosen.label(lang) or t("show_all", lang)), lang)
    table.add_column(t("col_park", lang), ratio=1, overflow="fold")
    for key in ("col_firms_got", "col_boxes_masks", "passes", "col_returned", "buses"):
        table.add_column(t(key, lang), justify="right", no_wrap=True)
    totals = [0, 0, 0, 0, set()]
    for park in sorted(rows):
        firms, boxes, passes, returned, ids = rows[park]
        table.add_row(park, f"{firms:,}", f"{boxes:,} ({boxes * pack:,})", f"{passes:,}", f"{returned:,}", f"{len(ids):,}")
        for k, v in enumerate((firms, boxes, passes, returned)):
            totals[k] += v
        totals[4] |= ids
    table.add_section()
    table.add_row(t("show_total", lang), f"{totals[0]:,}", f"{totals[1]:,} ({totals[1] * pack:,})", f"{totals[2]:,}",
                  f"{totals[3]:,}", f"{len(totals[4]):,}", style="bold")
    return table


def firms_table(result: Result, chosen: Filter, lang: str) -> RenderableType:
    """Every firm that receives something, park by park (input order within a park)."""
    inst, a = result.problem.instance, result.allocation
    buses = _bus_ids(result)
    order = _receivers(result, chosen)
    order = order[np.argsort(inst.park[order].astype(str), kind="stable")]
    table = _table(t("show_firms_title", lang, which=chosen.label(lang) or t("show_all", lang), n=f"{len(order):,}"), lang)
    table.add_column(t("col_firm", lang), ratio=3, overflow="fold")
    table.add_column(t("col_park", lang), ratio=2, overflow="fold")
    table.add_column(t("col_tier_link", lang), no_wrap=True)
    for key in ("boxes", "passes", "col_returned"):
        table.add_column(t(key, lang), justify="right", no_wrap=True)
    table.add_column(t("col_bus_ids", lang), ratio=2)
    for i in order:
        table.add_row(f"{inst.enterprise_id[i]} {inst.name[i]}".strip(), str(inst.park[i]),
                      f"{inst.tier[i]} {name_of(LINKS, inst.chain_link[i], lang)}", f"{int(a.boxes[i]):,}",
                      f"{int(a.passes[i]):,}", f"{int(a.returned[i]):,}", " ".join(buses.get(int(i), [])))
    return table


def _table(title: str, lang: str) -> Table:
    return Table(title=title, title_justify="left", padding=(0, 1))
