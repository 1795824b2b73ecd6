"""An independent check of a week's export against SPEC.md "A week's plan", sharing no code with allocator.

It reads the instance CSV (canonical English headers), resolves the scenario from the test's
own inputs (tests/spec_check.resolve_scenario: SPEC defaults, TOML, --set; decimals exact),
reads ARRIVALS.csv itself, then rebuilds the plan from deliveries.csv and buses.csv alone:
every day's cumulative boxes, passes and returned workers, every day's store of boxes and
passes, every day's buses and seats, each c_id, each link's recovery per day and the three
stage values.  It returns every violated rule, and checks what the other files say
(allocation.csv's totals and c_day columns, daily.csv, summary.json's values and claims).
Tests run it on every plan export they write.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

from tests.spec_check import NOISE, _claims, _instance_rows, _int, _num, resolve_scenario

DELIVERIES = ["day", "enterprise_id", "name", "tier", "chain_link", "park", "boxes", "masks", "passes",
              "workers_returned"]
BUSES = ["day", "bus_id", "origin", "park", "enterprise_id", "name", "workers", "seats_used", "seats"]


def _positional(path: Path, names: list[str] | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """Rows by position (headers may be Chinese with --lang zh); ``names`` for a fixed contract."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        names = names or header
        if len(names) != len(header):
            raise AssertionError(f"{path.name} has {len(header)} columns, the contract {len(names)}")
        return header, [dict(zip(names, row)) for row in reader if any(v.strip() for v in row)]


def read_arrivals(path: Path | None, days: int) -> dict[str, list[int]]:
    out = {kind: [0] * days for kind in ("masks", "passes", "buses")}
    if path is None:
        return out
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if not row.get("day"):
                continue
            day = int(float(row["day"].replace(",", "")))
            for kind in out:
                if row.get(kind):
                    out[kind][day - 1] += int(float(row[kind].replace(",", "")))
    return out


def check_plan_export(instance_csv: Path, export_dir: Path, days: int, arrivals: Path | None = None,
                      scenario: Path | None = None, sets: list[str] | tuple[str, ...] = (),
                      overrides: dict | None = None) -> dict:
    """Every violated rule of the exported week; with the recomputed values and c per day."""
    summary = json.loads((export_dir / "summary.json").read_text(encoding="utf-8"))
    sc = resolve_scenario(scenario, sets, {k: v for k, v in (overrides or {}).items() if k != "arrivals"})
    sup, rules, tiers = sc["supply"], sc["rules"], sc["tiers"]
    q, pack, share = rules["masks_per_worker_day"] * rules["mask_days"], sup["mask_pack"], float(rules["freight_free_share"])
    seats = sup["bus_seats"]
    arrived = read_arrivals(arrivals, days)
    violations: list[str] = []
    if days > rules["mask_days"]:
        violations.append(f"{days} days > mask_days {rules['mask_days']}")
    firms, order = {}, []
    for row in _instance_rows(instance_csv):
        ident = row["enterprise_id"].strip()
        employees = _int(row["employees"])
        firms[ident] = {"park": row["park"].strip(), "link": row["chain_link"].strip().lower(),
                        "tier": row["tier"].strip().upper(), "E": employees, "P": _int(row["on_post"]),
                        "A": _int(row.get("workers_away", "")), "origin": row.get("origin", "").strip(),
                        "e": row["electricity_recovery"].strip(), "S": _int(row.get("masks_in_stock", "")),
                        "T": _int(row.get("trucks_needed", "")),
                        "v": float(row["output_value"]) if row.get("output_value", "").strip() else float(employees)}
        order.append(ident)
    # what each day hands out, from deliveries.csv
    got = {kind: [defaultdict(int) for _ in range(days)] for kind in ("b", "p", "r")}
    for row in _positional(export_dir / "deliveries.csv", DELIVERIES)[1]:
        day, ident = int(row["day"]), row["enterprise_id"].lstrip("'")
        if not 1 <= day <= days or ident not in firms:
            violations.append(f"deliveries.csv: day {day} or enterprise {ident} unknown")
            continue
        b, p, r = int(row["boxes"]), int(row["passes"]), int(row["workers_returned"])
        if int(row["masks"]) != pack * b:
            violations.append(f"day {day} {ident}: masks is not boxes x pack")
        if min(b, p, r) < 0 or (b, p, r) == (0, 0, 0):
            violations.append(f"day {day} {ident}: a delivery row must hand out something, and nothing negative")
        got["b"][day - 1][ident] += b
        got["p"][day - 1][ident] += p
        got["r"][day - 1][ident] += r
    # the day's buses, from buses.csv
    buses = [defaultdict(list) for _ in range(days)]
    for row in _positional(export_dir / "buses.csv", BUSES)[1]:
        buses[int(row["day"]) - 1][row["bus_id"]].append(row)
    bus_store = [sup["buses"] * (d == 0) + arrived["buses"][d] for d in range(days)]
    for d in range(days):
        if len(buses[d]) > bus_store[d]:
            violations.append(f"day {d + 1}: {len(buses[d])} buses > {bus_store[d]} available that day")
        seated = defaultdict(int)
        for bus_id, stops in buses[d].items():
            if len({(s["origin"], s["park"]) for s in stops}) != 1:
                violations.append(f"day {d + 1} {bus_id} is not point-to-point")
            if sum(int(s["workers"]) for s in stops) > seats:
                violations.append(f"day {d + 1} {bus_id} carries more than {seats} workers")
            for s in stops:
                ident = s["enterprise_id"].lstrip("'")
                if not ident:
                    continue
                firm = firms.get(ident)
                if firm is None or (firm["origin"], firm["park"]) != (s["origin"], s["park"]):
                    violations.append(f"day {d + 1} {bus_id}: {ident} from the wrong origin or to the wrong park")
                seated[ident] += int(s["workers"])
        for ident in set(seated) | set(got["r"][d]):
            if seated[ident] != got["r"][d][ident]:
                violations.append(f"day {d + 1} {ident}: {got['r'][d][ident]} workers returned, {seated[ident]} seated")
    # cumulative amounts, stores, per-firm rules, capacity per day
    cum = {ident: {"b": 0, "p": 0, "r": 0} for ident in order}
    masks_in = [sup["masks"] + sum(arrived["masks"][: d + 1]) for d in range(days)]
    passes_in = [sup["passes"] + sum(arrived["passes"][: d + 1]) for d in range(days)]
    c = {ident: [] for ident in order}
    links = {link: [] for link in rules["chain_links"] if any(firms[i]["link"] == link for i in order)}
    output, units = [], 0
    for d in range(days):
        for ident in order:
            for kind in ("b", "p", "r"):
                cum[ident][kind] += got[kind][d].get(ident, 0)
        boxes, passes = sum(x["b"] for x in cum.values()), sum(x["p"] for x in cum.values())
        if boxes > masks_in[d] // pack:
            violations.append(f"day {d + 1}: {boxes} boxes handed out > floor({masks_in[d]} / {pack})")
        if passes > passes_in[d]:
            violations.append(f"day {d + 1}: {passes} passes handed out > {passes_in[d]}")
        caps = {}
        for ident in order:
            f, a = firms[ident], cum[ident]
            caps[ident] = max(0, math.ceil((q * (f["P"] + a["r"]) - f["S"]) / pack))
            if a["b"] > 0 and Fraction(f["e"]) < _num(tiers[f["tier"]]["electricity_threshold"]):
                violations.append(f"day {d + 1} {ident}: masks while below the electricity threshold")
            if a["b"] > caps[ident]:
                violations.append(f"day {d + 1} {ident}: {a['b']} boxes above the no-waste cap {caps[ident]}")
            terms = [1.0, (f["P"] + a["r"]) / f["E"]]
            if q > 0:
                terms.append((f["S"] + pack * a["b"]) / (q * f["E"]))
            if f["T"] > 0:
                terms.append(share + (1 - share) * a["p"] / f["T"])
            c[ident].append(min(terms))
        violations += _reserves(d, order, firms, cum, caps, tiers, masks_in[d], pack)
        for link in links:
            members = [i for i in order if firms[i]["link"] == link]
            links[link].append(sum(firms[i]["v"] * c[i][d] for i in members) / sum(firms[i]["v"] for i in members))
        output.append(sum(float(tiers[firms[i]["tier"]]["weight"]) * firms[i]["v"] * c[i][d] for i in order))
        units += sum(got["b"][d].values()) + sum(got["p"][d].values()) + len(buses[d])
    for ident in order:
        if cum[ident]["p"] > firms[ident]["T"]:
            violations.append(f"{ident}: more passes than trucks")
        if cum[ident]["r"] > firms[ident]["A"]:
            violations.append(f"{ident}: more workers returned than away")
    lowest = [min(v[d] for v in links.values()) for d in range(days)] if links and rules["chain_balance"] else None
    values = {1: sum(lowest) if lowest is not None else None, 2: sum(output), 3: units}
    violations += _other_files(export_dir, summary, order, cum, c, lowest, output, values, arrived, days)
    return {"violations": violations, "values": values, "c": c, "links": links, "lowest": lowest, "output": output}


def _reserves(d, order, firms, cum, caps, tiers, masks, pack) -> list[str]:
    out = []
    for tier, rule in tiers.items():
        reserve = math.floor(_num(rule["mask_reserve"]) * masks / pack)
        if reserve <= 0:
            continue
        members = [i for i in order if firms[i]["tier"] == tier
                   and Fraction(firms[i]["e"]) >= _num(rule["electricity_threshold"])]
        if sum(cum[i]["b"] for i in members) < min(reserve, sum(caps[i] for i in members)):
            out.append(f"day {d + 1}: tier {tier} reserve not met")
    return out


def _other_files(export_dir, summary, order, cum, c, lowest, output, values, arrived, days) -> list[str]:
    """allocation.csv, daily.csv and summary.json against the plan rebuilt from the deliveries."""
    out = []
    header, rows = _positional(export_dir / "allocation.csv")
    if [r[header[0]].lstrip("'") for r in rows] != order:
        out.append("allocation.csv does not list every enterprise once, in input order")
    for row in rows:
        cells = list(row.values())
        ident = cells[0].lstrip("'")
        if ident not in cum:
            continue
        boxes, passes, returned = int(cells[14]), int(cells[16]), int(cells[17])
        if (boxes, passes, returned) != (cum[ident]["b"], cum[ident]["p"], cum[ident]["r"]):
            out.append(f"allocation.csv {ident}: totals differ from the deliveries")
        for d, text in enumerate(cells[-days:]):
            if abs(float(text) - c[ident][d]) > 5e-7 + 1e-12:
                out.append(f"allocation.csv {ident}: c on day {d + 1} is {text}, the SPEC gives {c[ident][d]:.6f}")
    _, daily = _positional(export_dir / "daily.csv")
    for d, row in enumerate(daily):
        cells = list(row.values())
        if [int(x) for x in cells[1:4]] != [arrived[k][d] for k in ("masks", "passes", "buses")]:
            out.append(f"daily.csv day {d + 1}: arrivals differ from ARRIVALS.csv")
        if abs(float(cells[-1]) - output[d]) > 1e-6 * max(1.0, output[d]):
            out.append(f"daily.csv day {d + 1}: weighted output {cells[-1]}, the SPEC gives {output[d]}")
        if lowest is not None and abs(float(cells[-2]) - lowest[d]) > 5e-7 + 1e-12:
            out.append(f"daily.csv day {d + 1}: lowest link {cells[-2]}, the SPEC gives {lowest[d]}")
    reported = summary["values"]
    for stage in (1, 2, 3):
        mine, theirs = values[stage], reported[str(stage)]
        if (mine is None) != (theirs is None) or (mine is not None and abs(mine - theirs) > 1e-9 * max(1.0, abs(mine))):
            out.append(f"summary.json stage {stage} value {theirs}, the deliveries give {mine}")
    if summary["exported"] == "week":
        stages = {s["stage"]: s for s in summary["stages"]}
        if stages[1]["value"] is not None and values[1] < stages[1]["value"] - 1e-6 - 1e-12:
            out.append(f"stage 1 not held: {values[1]} < {stages[1]['value']} - 1e-6")
        if stages[2]["value"] is not None and values[2] < stages[2]["value"] * (1 - 1e-6) - NOISE:
            out.append(f"stage 2 not held: {values[2]} < {stages[2]['value']} (1 - 1e-6)")
        if stages[3]["value"] is not None and values[3] != stages[3]["value"]:
            out.append(f"stage 3 reports {stages[3]['value']} but the deliveries use {values[3]} units")
        out += _claims(summary["stages"], values)
    return out
