"""An independent check of an export against SPEC.md, sharing no code with the allocator package.

It reads the instance CSV (canonical English headers), the resolved scenario from
summary.json and the exported allocation.csv and buses.csv, recomputes every c_i and
stage value with plain Python, and returns every violated SPEC constraint.  Tests run
it on every export they make, so a solver or a modelling bug cannot hide behind the
package's own evaluate().
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if any(v.strip() for v in row.values())]


def _int(text: str, default: int = 0) -> int:
    text = text.strip()
    return int(float(text)) if text else default


def check_export(instance_csv: Path, export_dir: Path) -> dict:
    """Return {"violations": [...], "min_link": ..., "weighted": ..., "used": ..., "c": {...}}."""
    summary = json.loads((export_dir / "summary.json").read_text(encoding="utf-8"))
    sc = summary["scenario"]
    sup, rules, tiers = sc["supply"], sc["rules"], sc["tiers"]
    q = rules["masks_per_worker_day"] * rules["mask_days"]
    pack, share = sup["mask_pack"], rules["freight_free_share"]
    firms = {}
    order = []
    for row in _rows(instance_csv):
        ident = row["enterprise_id"].strip()
        employees = _int(row["employees"])
        firms[ident] = {
            "park": row["park"].strip(), "link": row["chain_link"].strip().lower(), "tier": row["tier"].strip().upper(),
            "E": employees, "P": _int(row["on_post"]), "A": _int(row.get("workers_away", "")),
            "origin": row.get("origin", "").strip(), "e": float(row["electricity_recovery"]),
            "S": _int(row.get("masks_in_stock", "")), "T": _int(row.get("trucks_needed", "")),
            "v": float(row["output_value"]) if row.get("output_value", "").strip() else float(employees),
        }
        order.append(ident)
    violations = []
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
        if a["b"] > 0 and f["e"] < threshold:
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
        reserve = math.floor(rule["mask_reserve"] * sup["masks"] / pack)
        if reserve <= 0:
            continue
        members = [i for i in order if firms[i]["tier"] == tier and firms[i]["e"] >= rule["electricity_threshold"]]
        usable = sum(max(0, math.ceil((q * (firms[i]["P"] + alloc[i]["r"]) - firms[i]["S"]) / pack)) for i in members)
        if sum(alloc[i]["b"] for i in members) < min(reserve, usable):
            violations.append(f"tier {tier} reserve not met")
    links = {}
    for link in rules["chain_links"]:
        members = [i for i in order if firms[i]["link"] == link]
        if members:
            links[link] = sum(firms[i]["v"] * c[i] for i in members) / sum(firms[i]["v"] for i in members)
    weighted = sum(tiers[firms[i]["tier"]]["weight"] * firms[i]["v"] * c[i] for i in order)
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
    return {"violations": violations, "min_link": min_link, "links": links, "weighted": weighted, "used": used, "c": c}
