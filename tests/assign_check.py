"""An independent check of an ``allocator assign`` export against SPEC "Commissioners".

Plain Python, no allocator imports.  It reads the instance CSV (canonical English headers),
the commissioners CSV, the scenario (SPEC defaults, the TOML file, ``--set`` overrides) and
the export folder (assignment.csv, visits.csv, unserved.csv, allocation.csv, summary.json),
and returns every broken rule:

* each firm served at most once, by a commissioner of the file whose field may serve it
  (``[assign.fields]`` of its chain link, or ``projects`` when its ``project`` column is yes);
* a leader serves at most one firm, and only a key firm (the ``assign.key_firms`` tier-A firms
  with the largest output value, ties by enterprise_id); a non-leader at most its capacity;
* unserved.csv lists exactly the firms nobody serves, with the right reason;
* visits.csv has one row per commissioner, in file order, agreeing with assignment.csv;
* the stage values summary.json reports are those of the exported plan, recomputed here
  (stage 2 exactly, in fractions, from allocation.csv's integer decisions), each bound is on
  the right side of its value and "optimal" means bound = value.
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

DEFAULT_FIELDS = {"fibre": ["industry"], "weaving": ["industry"], "dyeing": ["industry"], "other": ["industry"],
                  "market": ["commerce"], "trade": ["trade", "commerce"]}
FIELD_ALIASES = {"工业": "industry", "工业监管": "industry", "商贸": "commerce", "外贸": "trade", "重大项目": "projects"}
YES = {"yes", "y", "true", "1", "是", "x", "✓"}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if any((v or "").strip() for v in row.values())]


def _positional(path: Path) -> list[list[str]]:
    """Exported files by position (their headers may be in Chinese)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return [r for r in rows[1:] if any(c.strip() for c in r)]


def _scenario(scenario: Path | None, sets) -> dict:
    flat: dict = {}
    if scenario is not None:
        def walk(tree, prefix):
            for k, v in tree.items():
                if isinstance(v, dict):
                    walk(v, f"{prefix}{k}.")
                else:
                    flat[f"{prefix}{k}"] = v
        walk(tomllib.loads(Path(scenario).read_text(encoding="utf-8"), parse_float=Decimal), "")
    for item in sets:
        key, _, text = item.partition("=")
        flat[key.strip()] = tomllib.loads(f"v = {text.strip()}", parse_float=Decimal)["v"]
    out = {"weights": {"A": Fraction(3), "B": Fraction(2), "C": Fraction(1)}, "key_firms": 60,
           "fields": {k: list(v) for k, v in DEFAULT_FIELDS.items()}, "share": Fraction(1, 2), "q": 14, "pack": 50}
    parts = {"masks_per_worker_day": 2, "mask_days": 7}
    for key, value in flat.items():
        if key.startswith("tiers.") and key.endswith(".weight"):
            out["weights"][key.split(".")[1]] = Fraction(str(value))
        elif key == "assign.key_firms":
            out["key_firms"] = int(value)
        elif key.startswith("assign.fields."):
            out["fields"][key[len("assign.fields."):]] = list(value)
        elif key == "rules.freight_free_share":
            out["share"] = Fraction(str(value))
        elif key in ("rules.masks_per_worker_day", "rules.mask_days"):
            parts[key.split(".")[1]] = int(value)
        elif key == "supply.mask_pack":
            out["pack"] = int(value)
    out["q"] = parts["masks_per_worker_day"] * parts["mask_days"]
    return out


def check_assign(instance_csv: Path, commissioners_csv: Path, export_dir: Path, scenario: Path | None = None,
                 sets=()) -> dict:
    """Return {"violations": [...], "values": (stage 1, stage 2 as a Fraction, stage 3)}."""
    sc = _scenario(scenario, sets)
    bad: list[str] = []
    firms, order = {}, []
    for row in _rows(instance_csv):
        ident = row["enterprise_id"].strip()
        link = row["chain_link"].strip().lower()
        project = (row.get("project") or "").strip().lower() in YES
        fields = set(sc["fields"].get(link, [])) | ({"projects"} if project else set())
        firms[ident] = {"park": row["park"].strip(), "tier": row["tier"].strip().upper(), "fields": fields,
                        "v": Fraction(row["output_value"].strip()) if (row.get("output_value") or "").strip()
                        else Fraction(int(float(row["employees"])))}
        order.append(ident)
    tier_a = sorted((i for i in order if firms[i]["tier"] == "A"), key=lambda i: (-firms[i]["v"], i))
    key = set(tier_a[:sc["key_firms"]])
    people, staff_order = {}, []
    for row in _rows(commissioners_csv):
        ident = row["commissioner_id"].strip()
        field = row["field"].strip().lower()
        people[ident] = {"field": FIELD_ALIASES.get(field, field), "park": (row.get("park") or "").strip(),
                         "capacity": int(float(row.get("capacity") or 6) if (row.get("capacity") or "").strip() else 6),
                         "leader": (row.get("leader") or "").strip().lower() in YES}
        staff_order.append(ident)
    pi = _priorities(export_dir / "allocation.csv", instance_csv, firms, sc)
    served: dict[str, str] = {}
    load = defaultdict(list)
    for r in _positional(export_dir / "assignment.csv"):
        who, firm = r[0].lstrip("'"), r[5].lstrip("'")
        if who not in people:
            bad.append(f"assignment.csv: unknown commissioner {who}")
            continue
        if firm not in firms:
            bad.append(f"assignment.csv: unknown enterprise {firm}")
            continue
        if firm in served:
            bad.append(f"{firm} has two commissioners ({served[firm]}, {who})")
        served[firm] = who
        load[who].append(firm)
        p = people[who]
        if r[2] != p["field"] or r[3] != p["park"]:
            bad.append(f"assignment.csv: {who}'s field or home park differs from the commissioners file")
        if p["field"] not in firms[firm]["fields"]:
            bad.append(f"{who} ({p['field']}) serves {firm}, whose chain link that field may not serve")
        if p["leader"] and firm not in key:
            bad.append(f"leader {who} serves {firm}, not a key firm")
    for who, mine in load.items():
        most = 1 if people[who]["leader"] else people[who]["capacity"]
        if len(mine) > most:
            bad.append(f"{who} serves {len(mine)} firms, more than {most}")
    bad += _unserved(export_dir, firms, order, served, people, key)
    cost = bad_visits = 0
    visits = _positional(export_dir / "visits.csv")
    if [v[0].lstrip("'") for v in visits] != staff_order:
        bad.append("visits.csv does not list every commissioner once, in file order")
    for v in visits:
        who = v[0].lstrip("'")
        if who not in people:
            continue
        mine = load.get(who, [])
        parks = {firms[f]["park"] for f in mine}
        mine_cost = sum(1 if people[who]["park"] in ("", q) else 2 for q in parks)
        cost += mine_cost
        if (int(v[6]), int(v[7]), int(v[8])) != (len(mine), len(parks), mine_cost):
            bad_visits += 1
        if set(filter(None, v[10].split(";"))) != set(mine) or set(filter(None, v[11].split(";"))) != parks:
            bad_visits += 1
    if bad_visits:
        bad.append(f"visits.csv disagrees with assignment.csv on {bad_visits} rows")
    values = (sum(1 for f, w in served.items() if people[w]["leader"] and f in key),
              sum((pi[f] for f in served), Fraction(0)), cost)
    bad += _claims(json.loads((export_dir / "summary.json").read_text(encoding="utf-8")), values)
    return {"violations": bad, "values": values}


def _priorities(allocation_csv: Path, instance_csv: Path, firms: dict, sc: dict) -> dict[str, Fraction]:
    """pi = 1 + w_t (1 - c_after), c_after recomputed exactly from allocation.csv's integer decisions."""
    inst = {r["enterprise_id"].strip(): r for r in _rows(instance_csv)}
    out = {}
    for r in _positional(allocation_csv):
        ident = r[0].lstrip("'")
        row = inst[ident]
        E, P = int(float(row["employees"])), int(float(row["on_post"]))
        S = int(float(row.get("masks_in_stock") or 0)) if (row.get("masks_in_stock") or "").strip() else 0
        T = int(float(row.get("trucks_needed") or 0)) if (row.get("trucks_needed") or "").strip() else 0
        b, p, w = int(r[14]), int(r[16]), int(r[17])
        c = min(Fraction(1), Fraction(P + w, E))
        if sc["q"] > 0:
            c = min(c, Fraction(S + sc["pack"] * b, sc["q"] * E))
        if T > 0:
            c = min(c, sc["share"] + (1 - sc["share"]) * Fraction(p, T))
        out[ident] = 1 + sc["weights"][firms[ident]["tier"]] * (1 - c)
    return out


def _unserved(export_dir: Path, firms: dict, order: list[str], served: dict, people: dict, key: set) -> list[str]:
    bad = []
    listed = {}
    for r in _positional(export_dir / "unserved.csv"):
        listed[r[0].lstrip("'")] = r[-1]
    missing = [f for f in order if f not in served]
    if sorted(listed) != sorted(missing):
        bad.append(f"unserved.csv lists {len(listed)} firms, {len(missing)} have no commissioner")
    for f, reason in listed.items():
        if f not in firms:
            continue
        anyone = any(p["field"] in firms[f]["fields"] and (not p["leader"] or f in key) for p in people.values())
        if reason != ("no_capacity_in_reach" if anyone else "no_compatible_field"):
            bad.append(f"unserved.csv gives {f} the reason {reason!r}")
    return bad


def _claims(summary: dict, values: tuple) -> list[str]:
    bad = []
    stages = {s["stage"]: s for s in summary["stages"]}
    for n, sense in ((1, "max"), (2, "max"), (3, "min")):
        s = stages.get(n)
        if s is None or s["value"] is None:
            continue
        mine = float(values[n - 1])
        if abs(s["value"] - mine) > 1e-9 * max(1.0, abs(mine)):
            bad.append(f"stage {n}: summary.json reports {s['value']}, the exported plan gives {mine}")
        if s["bound"] is not None:
            beyond = (mine - s["bound"]) if sense == "max" else (s["bound"] - mine)
            if beyond > 1e-9 * max(1.0, abs(mine)):
                bad.append(f"stage {n}: bound {s['bound']} is on the wrong side of the plan's {mine}")
            if s["status"] == "optimal" and abs(s["bound"] - mine) > 1e-9 * max(1.0, abs(mine)):
                bad.append(f"stage {n}: 'optimal' with bound {s['bound']} and value {mine}")
        elif s["status"] == "optimal":
            bad.append(f"stage {n}: 'optimal' without a bound")
    if not math.isclose(summary["values"]["priority"], float(values[1]), rel_tol=1e-12, abs_tol=1e-12):
        bad.append("summary.json values.priority differs from the recomputed sum of pi")
    return bad
