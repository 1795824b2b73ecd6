"""Hypothesis strategies for tiny instances the oracle can enumerate (no allocator imports).

A case is ``(rows, scenario)``: rows with the SPEC's canonical columns (numbers as the
decimal strings a spreadsheet writes), and a scenario in the TOML's shape whose decimals
are strings too, so the oracle reads 0.29 as 29/100.  Magnitudes are mixed on purpose:
outputs of 1 or 1.4 next to 10**6 and 10**7, electricity just below, at and above the
threshold, q = 0 next to small q, a reserve of 0.29.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

OUTPUTS = ["1", "1.4", "2.5", "1000000", "10000000", "624999", "1234567.8", "7"]
SMALL, LARGE = ["1", "1.4", "7"], ["1000000", "10000000", "624999"]
LINKS = ["fibre", "fibre", "weaving", "dyeing", "other"]  # fibre often: links with several members
COLUMNS = ["enterprise_id", "park", "chain_link", "tier", "employees", "on_post", "workers_away", "origin",
           "electricity_recovery", "masks_in_stock", "trucks_needed", "output_value"]


def _dec(x: Fraction) -> str:
    """A short decimal string of a Fraction with a power-of-ten denominator."""
    text = f"{float(x):.6f}".rstrip("0").rstrip(".")
    assert Fraction(text) == x, (x, text)
    return text


@st.composite
def scenarios(draw, chain_balance: bool | None = None) -> dict[str, Any]:
    sc: dict[str, Any] = {
        "supply": {
            "masks": draw(st.one_of(st.integers(0, 300), st.sampled_from([0, 100, 200, 290, 300]))),
            "mask_pack": draw(st.sampled_from([10, 20, 25, 50])),
            "passes": draw(st.integers(0, 3)),
            "buses": draw(st.integers(0, 2)),
            "bus_seats": draw(st.integers(1, 5)),
        },
        "rules": {
            "masks_per_worker_day": draw(st.sampled_from([0, 0, 1, 2, 3])),
            "mask_days": draw(st.sampled_from([1, 2, 3])),
            "electricity_threshold": draw(st.sampled_from(["0.8", "0.8", "0.5", "0.95"])),
            "freight_free_share": draw(st.sampled_from(["0.5", "0.5", "0", "0.25", "0.75", "1", "0.3"])),
            "chain_balance": draw(st.booleans()) if chain_balance is None else chain_balance,
            "chain_links": draw(st.lists(st.sampled_from(["fibre", "weaving", "dyeing", "market"]),
                                         min_size=1, max_size=3, unique=True)),  # market never has members
        },
        "tiers": {},
    }
    for tier in "ABC":
        rule = {}
        if draw(st.integers(0, 5)) == 0:
            rule["weight"] = draw(st.sampled_from(["0", "1", "2.5", "10"]))
        if draw(st.integers(0, 5)) == 0:
            rule["electricity_threshold"] = draw(st.sampled_from(["0.3", "0.79", "0.9"]))
        if rule:
            sc["tiers"][tier] = rule
    if draw(st.integers(0, 2)) == 0:  # a mask reserve on one tier
        tier = draw(st.sampled_from("ABC"))
        sc["tiers"].setdefault(tier, {})["mask_reserve"] = draw(st.sampled_from(["0.29", "0.5", "0.1", "1"]))
    return sc


@st.composite
def cases(draw, min_firms: int = 2, max_firms: int = 4, chain_balance: bool | None = None
          ) -> tuple[list[dict[str, str]], dict[str, Any]]:
    sc = draw(scenarios(chain_balance))
    rules = sc["rules"]
    q = rules["masks_per_worker_day"] * rules["mask_days"]
    thresholds = {Fraction(rules["electricity_threshold"])} | {
        Fraction(rule["electricity_threshold"]) for rule in sc["tiers"].values() if "electricity_threshold" in rule}
    steps = (Fraction(-1, 100), 0, Fraction(1, 100))
    near = sorted({t + d for t in thresholds for d in steps} | {Fraction(3, 10), Fraction(6, 5)})
    origins = ["O1", "O2"][: draw(st.integers(1, 2))]
    parks = ["P1", "P2"][: draw(st.integers(1, 2))]
    # half the time one firm is 10**6 times another: gains of 1e-7..1e-6, the holds' scale
    mixed = draw(st.booleans())
    rows = []
    for i in range(draw(st.integers(min_firms, max_firms))):
        E = draw(st.integers(1, 20))
        P = draw(st.integers(0, E))
        A = draw(st.integers(0, min(4, E - P)))
        stock = draw(st.sampled_from([0, max(0, q * P - 5), q * P, q * (P + A), q * E, None]))
        if stock is None:
            stock = draw(st.integers(0, q * E + 10))
        rows.append({
            "enterprise_id": f"F{i + 1}",
            "park": draw(st.sampled_from(parks)),
            "chain_link": draw(st.sampled_from(LINKS)),
            "tier": draw(st.sampled_from("ABC")),
            "employees": str(E),
            "on_post": str(P),
            "workers_away": str(A),
            "origin": draw(st.sampled_from(origins)) if A else "",
            "electricity_recovery": _dec(draw(st.sampled_from(near))),
            "masks_in_stock": str(stock),
            "trucks_needed": str(draw(st.integers(0, 3))),
            "output_value": draw(st.sampled_from(LARGE if mixed and i == 0 else SMALL if mixed and i == 1
                                                 else OUTPUTS)),
        })
    return rows, sc


def toml_text(scenario: dict[str, Any]) -> str:
    """The scenario as TOML; decimal strings are written as TOML numbers."""

    def value(x: Any) -> str:
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, (list, tuple)):
            return "[" + ", ".join(f'"{s}"' for s in x) + "]"
        return str(x)

    lines = []
    for section in ("supply", "rules"):
        if scenario.get(section):
            lines.append(f"[{section}]")
            lines += [f"{k} = {value(v)}" for k, v in scenario[section].items()]
    for tier, rule in scenario.get("tiers", {}).items():
        if rule:
            lines.append(f"[tiers.{tier}]")
            lines += [f"{k} = {value(v)}" for k, v in rule.items() if v is not None]
    return "\n".join(lines) + "\n"


def write_case(directory: Path, rows: list[dict[str, Any]], scenario: dict[str, Any]) -> tuple[Path, Path]:
    """instance.csv and scenario.toml in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, toml_path = directory / "instance.csv", directory / "scenario.toml"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in COLUMNS})
    toml_path.write_text(toml_text(scenario), encoding="utf-8")
    return csv_path, toml_path
