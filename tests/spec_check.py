"""An independent check of an export against SPEC.md, sharing no code with the allocator package.

It reads the instance CSV (canonical English headers), resolves the scenario itself from
the test's own inputs (SPEC defaults, the scenario TOML, ``--set`` overrides; decimals
exact), reads the exported allocation.csv and buses.csv, recomputes every c_i and stage
value with plain Python, and returns every violated SPEC constraint.  It also checks what
summary.json claims: the scenario it resolved, each stage's bound against the exported
plan (a bound on the wrong side of a feasible plan is false) and each "optimal" against
the SPEC's definition.  Tests run it on every export they make, so a solver or a modelling
bug cannot hide behind the package's own evaluate().
"""

from __future__ import annotations

import copy
import csv
import json
import math
import tomllib
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

SPEC_DEFAULTS = {
    "supply": {"masks": 380000, "mask_pack": 50, "passes": 94, "buses": 60, "bus_seats": 50},
    "rules": {"masks_per_worker_day": 2, "mask_days": 7, "electricity_threshold": Decimal("0.8"),
              "freight_free_share": Decimal("0.5"), "chain_balance": True,
              "chain_links": ["fibre", "weaving", "dyeing", "market", "trade"]},
    "tiers": {"A": {"weight": 3, "mask_reserve": 0}, "B": {"weight": 2, "mask_reserve": 0},
              "C": {"weight": 1, "mask_reserve": 0}},
}
NOISE = 1e-9  # relative: two double-precision sums of the same plan


def resolve_scenario(scenario: Path | None = None, sets: list[str] | tuple[str, ...] = (),
                     overrides: dict | None = None) -> dict:
    """SPEC defaults, then the TOML file, then ``key=value`` overrides, then a dict of dotted
    keys (a what-if variant's): every decimal kept exact."""
    resolved = copy.deepcopy(SPEC_DEFAULTS)
    flat: dict = {}
    if scenario is not None:
        _flatten(tomllib.loads(Path(scenario).read_text(encoding="utf-8"), parse_float=Decimal), "", flat)
    for item in sets:
        key, _, text = item.partition("=")
        flat[key.strip()] = tomllib.loads(f"v = {text.strip()}", parse_float=Decimal)["v"]
    for key, value in (overrides or {}).items():
        flat[key] = Decimal(repr(value)) if isinstance(value, float) else value
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = resolved
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    for tier in resolved["tiers"].values():
        tier.setdefault("electricity_threshold", resolved["rules"]["electricity_threshold"])
    return resolved


def _flatten(tree: dict, prefix: str, out: dict) -> None:
    for key, value in tree.items():
        if isinstance(value, dict):
            _flatten(value, f"{prefix}{key}.", out)
        else:
            out[f"{prefix}{key}"] = value


def _num(value) -> Fraction:
    return Fraction(str(value)) if not isinstance(value, bool) else Fraction(int(value))


#: The export contract's columns, in order (README "Export"); headers may be in Chinese
#: (--lang zh), so exported files are read by position.
CONTRACT = {
    "allocation.csv": ["enterprise_id", "name", "tier", "chain_link", "park", "origin", "employees", "on_post",
                       "workers_away", "electricity_recovery", "masks_in_stock", "trucks_needed", "output_value",
                       "eligible", "boxes", "masks", "passes", "workers_returned", "bus_ids", "c_before", "c_after",
                       "binding", "reason"],
    "buses.csv": ["bus_id", "origin", "park", "enterprise_id", "name", "workers", "seats_used", "seats"],
}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        names = CONTRACT.get(path.name, header)
        if len(names) != len(header):
            raise AssertionError(f"{path.name} has {len(header)} columns, the contract {len(names)}")
        return [dict(zip(names, row)) for row in reader if any(v.strip() for v in row)]


def _instance_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if any(v.strip() for v in row.values())]


def _number(text: str) -> Decimal:
    """A number as SPEC.md's input section accepts it: 1,201 (grouped thousands), 85% (a share)."""
    text = text.strip().replace(",", "")
    if text.endswith(("%", "％")):
        return Decimal(text[:-1].strip()) / 100
    return Decimal(text)


def _int(text: str, default: int = 0) -> int:
    text = text.strip()
    return int(_number(text)) if text else default


def check_export(instance_csv: Path, export_dir: Path, scenario: Path | None = None,
                 sets: list[str] | tuple[str, ...] = (), overrides: dict | None = None) -> dict:
    """Return {"violations": [...], "min_link": ..., "weighted": ..., "used": ..., "c": {...}}.

    ``scenario``, ``sets`` and ``overrides`` are the inputs the test gave the tool."""
    summary = json.loads((export_dir / "summary.json").read_text(encoding="utf-8"))
    sc = resolve_scenario(scenario, sets, overrides)
    violations = _scenario_differences(sc, summary["scenario"])
    sup, rules, tiers = sc["supply"], sc["rules"], sc["tiers"]
    q = rules["masks_per_worker_day"] * rules["mask_days"]
    pack, share = sup["mask_pack"], float(rules["freight_free_share"])
    firms = {}
    order = []
    for row in _instance_rows(instance_csv):
        ident = row["enterprise_id"].strip()
        employees = _int(row["employees"])
        firms[ident] = {
            "park": row["park"].strip(), "link": row["chain_link"].strip().lower(), "tier": row["tier"].strip().upper(),
            "E": employees, "P": _int(row["on_post"]), "A": _int(row.get("workers_away", "")),
            "origin": row.get("origin", "").strip(), "e": float(_number(row["electricity_recovery"])),
            "S": _int(row.get("masks_in_stock", "")), "T": _int(row.get("trucks_needed", "")),
            "v": float(_number(row["output_value"])) if row.get("output_value", "").strip() else float(employees),
        }
        order.append(ident)
    alloc = {}
    exported = _rows(export_dir / "allocation.csv")
    if [r["enterprise_id"].lstrip("'") for r in exported] != order:
        violations.append("allocation.csv does not list every enterprise once, in input order")
    for row in exported:
        ident = row["enterprise_id"].lstrip("'")
        alloc[ident] = {"b": int(row["boxes"]), "p": int(row["passes"]), "r": int(row["workers_returned"]),
                        "masks": int(row["masks"]), "c_after": float(row["c_after"]), "c_before": float(row["c_before"])}
    # buses: one origin and one park per bus, at most bus_seats riders, riders match workers_returned
    riders_of = defaultdict(int)
    buses = defaultdict(list)
    for row in _rows(export_dir / "buses.csv"):
        buses[row["bus_id"]].append(row)
        if row["enterprise_id"]:
            riders_of[row["enterprise_id"].lstrip("'")] += int(row["workers"])
    if len(buses) > sup["buses"]:
        violations.append(f"{len(buses)} buses > supply {sup['buses']}")
    for bus_id, stops in buses.items():
        if len({(s["origin"], s["park"]) for s in stops}) != 1:
            violations.append(f"{bus_id} is not point-to-point")
        if sum(int(s["workers"]) for s in stops) > sup["bus_seats"]:
            violations.append(f"{bus_id} carries more than {sup['bus_seats']} workers")
        for s in stops:
            firm = firms.get(s["enterprise_id"].lstrip("'"))
            if s["enterprise_id"] and (firm is None or (firm["origin"], firm["park"]) != (s["origin"], s["park"])):
                violations.append(f"{bus_id} carries workers of {s['enterprise_id']} from the wrong origin or to the wrong park")
    c = {}
    for ident in order:
        f, a = firms[ident], alloc.get(ident, {"b": 0, "p": 0, "r": 0, "masks": 0})
        threshold = tiers[f["tier"]]["electricity_threshold"]
        if a["b"] < 0 or a["p"] < 0 or a["r"] < 0:
            violations.append(f"{ident}: negative amounts")
        if a["masks"] != pack * a["b"]:
            violations.append(f"{ident}: masks is not boxes x pack")
        if a["b"] > 0 and Fraction(repr(f["e"])) < _num(threshold):
            violations.append(f"{ident}: masks while below the electricity threshold")
        if a["b"] > max(0, math.ceil((q * (f["P"] + a["r"]) - f["S"]) / pack)):
            violations.append(f"{ident}: boxes above the no-waste cap")
        if a["p"] > f["T"]:
            violations.append(f"{ident}: more passes than trucks")
        if a["r"] > f["A"]:
            violations.append(f"{ident}: more workers returned than away")
        if a["r"] != riders_of.get(ident, 0):
            violations.append(f"{ident}: workers_returned {a['r']} but {riders_of.get(ident, 0)} seated on buses")
        terms = [1.0, (f["P"] + a["r"]) / f["E"]]
        if q > 0:
            terms.append((f["S"] + pack * a["b"]) / (q * f["E"]))
        if f["T"] > 0:
            terms.append(share + (1 - share) * a["p"] / f["T"])
        c[ident] = min(terms)
        if abs(c[ident] - a.get("c_after", c[ident])) > 5e-7 + 1e-12:  # six decimals printed
            violations.append(f"{ident}: c_after {a['c_after']} but the SPEC gives {c[ident]:.6f}")
    used_boxes = sum(a["b"] for a in alloc.values())
    used_passes = sum(a["p"] for a in alloc.values())
    if used_boxes > sup["masks"] // pack:
        violations.append(f"{used_boxes} boxes > floor(masks / pack)")
    if used_passes > sup["passes"]:
        violations.append(f"{used_passes} passes > supply")
    for tier, rule in tiers.items():
        reserve = math.floor(_num(rule["mask_reserve"]) * sup["masks"] / pack)  # exact on the decimal as written
        if reserve <= 0:
            continue
        members = [i for i in order if firms[i]["tier"] == tier and Fraction(repr(firms[i]["e"])) >= _num(rule["electricity_threshold"])]
        usable = sum(max(0, math.ceil((q * (firms[i]["P"] + alloc[i]["r"]) - firms[i]["S"]) / pack)) for i in members)
        if sum(alloc[i]["b"] for i in members) < min(reserve, usable):
            violations.append(f"tier {tier} reserve not met")
    links = {}
    for link in rules["chain_links"]:
        members = [i for i in order if firms[i]["link"] == link]
        if members:
            links[link] = sum(firms[i]["v"] * c[i] for i in members) / sum(firms[i]["v"] for i in members)
    weighted = sum(float(tiers[firms[i]["tier"]]["weight"]) * firms[i]["v"] * c[i] for i in order)
    used = used_boxes + used_passes + len(buses)
    stages = {s["stage"]: s for s in summary["stages"]}
    min_link = min(links.values()) if links and rules["chain_balance"] else None
    if stages[1]["value"] is not None and min_link < stages[1]["value"] - 1e-6 - 1e-12:
        violations.append(f"stage 1 not held: {min_link} < {stages[1]['value']} - 1e-6")
    if stages[2]["value"] is not None and weighted < stages[2]["value"] * (1 - 1e-6) - 1e-9:
        violations.append(f"stage 2 not held: {weighted} < {stages[2]['value']} (1 - 1e-6)")
    if stages[3]["value"] is not None and used != stages[3]["value"]:
        violations.append(f"stage 3 reports {stages[3]['value']} but the export uses {used}")
    if abs(summary["weighted_output"]["after"] - weighted) > 1e-6 * max(1.0, weighted):
        violations.append("summary.json weighted output differs from the recomputed one")
    violations += _claims(summary["stages"], {1: min_link, 2: weighted, 3: used})
    return {"violations": violations, "min_link": min_link, "links": links, "weighted": weighted, "used": used, "c": c}


def _scenario_differences(mine: dict, reported: dict) -> list[str]:
    """Every key of the scenario the tool says it solved that differs from the one resolved here."""
    out = []
    for section in ("supply", "rules", "tiers"):
        for key, value in _leaves(mine[section]):
            theirs = _leaves_dict(reported[section]).get(key)
            same = (theirs == value) if isinstance(value, (list, bool, str)) or theirs is None else _num(theirs) == _num(value)
            if not same:
                out.append(f"summary.json scenario {section}.{key} = {theirs!r}, the inputs give {value!r}")
    return out


def _leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _leaves_dict(tree: dict) -> dict:
    return dict(_leaves(tree))


def _claims(stages: list[dict], exported: dict) -> list[str]:
    """Each reported bound against the exported plan, and each "optimal" against the SPEC's words.

    The exported plan holds every stage, so it is feasible for stage 3 and its units bound
    stage 3's optimum from above (the bound may not exceed it); stage 1 and 2's bounds must
    not lie below their own values.  "Optimal": within 1e-8 absolute (stage 1), 1e-7 relative
    (stage 2), equal (stage 3)."""
    out = []
    for s in stages:
        value, bound, status = s["value"], s["bound"], s["status"]
        if status == "skipped" or value is None:
            continue
        if bound is not None:
            beyond = (value - bound) if s["sense"] == "max" else (bound - value)
            if beyond > NOISE * max(1.0, abs(value)) and status in ("optimal", "within gap"):
                out.append(f"stage {s['stage']}: bound {bound} on the wrong side of value {value}, yet {status!r}")
        if s["stage"] == 3 and bound is not None and bound > exported[3]:
            out.append(f"stage 3: bound {bound} above the exported plan's {exported[3]} units")
        if status == "optimal":
            distance = (bound - value) if s["sense"] == "max" else (value - bound)
            limit = {1: 1e-8, 2: 1e-7 * abs(value), 3: 0.0}[s["stage"]]
            if bound is None or distance > limit:
                out.append(f"stage {s['stage']}: 'optimal' with value {value} and bound {bound}")
    return out
