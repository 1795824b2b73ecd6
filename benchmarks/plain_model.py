"""The SPEC's model, formulated directly and handed to HiGHS in one piece (issue 16).

An independent reference for ``allocator``: it reads the instance CSV itself (canonical
English headers, csv module), builds the scenario from the SPEC defaults plus ``key=value``
overrides, and imports nothing from ``allocator``.  One MIP is passed to HiGHS with
``passModel`` from numpy arrays (no per-firm Python loop):

* integers b_i (boxes), p_i (passes), r_i (returned workers), y_g (buses per (origin, park));
  continuous c_i (capacity) and z (lowest listed link);
* eligibility (ub of b_i is 0 below the tier's threshold, inclusive), whole boxes,
  supplies, seats per group;
* no waste: pack b_i - q r_i <= q P_i - S_i + pack - 1, with a binary d_i where the
  right-hand side is negative (pack b - q r - rhs d <= 0, b <= ub d);
* tier reserves: sum_t b >= min(R_t, U_t) with R_t = floor(rho_t masks / pack) on the
  decimal as written, U_t = sum of exact integer caps u_i (pack u_i - q r_i >= q P_i - S_i,
  u_i >= 0 integer; U_t only pushes u_i down to the cap) and a binary s_t choosing the term;
* capacity c_i <= each term of the SPEC's min (rows scaled by E_i or q E_i);
* link rows z <= sum_{i in L} v_i c_i / V_L for each listed link with members.

Stages, lexicographic, on the same HiGHS object (objective and two hold rows changed):
1. max z (if chain_balance and a listed link has members);
2. max sum w v c with z >= z1_plan - 1e-6;
3. min sum b + p + y with also sum w v c >= z2_plan (1 - 1e-6);
where z1_plan, z2_plan are recomputed here (numpy) from the integer plan the earlier stage
kept.  Every reported value is recomputed from the rounded integer plan; the HiGHS bound is
reported raw.  Each stage gets the time left divided by the stages left; the previous plan
is handed to HiGHS as a start.

Modes: ``plain`` = HiGHS defaults (mip_rel_gap 1e-4) with threads=1 and a time limit, the
benchmark; ``strict`` = mip_rel_gap 0, mip_abs_gap 0, mip_feasibility_tolerance 1e-9,
primal_feasibility_tolerance 1e-9, an oracle for small instances.

    python benchmarks/plain_model.py FILE.csv [--set k=v ...] [--scenario S.toml] [--time-limit 120] [--strict]
                                             [--hold1 Z1] [--hold2 Z2] [--plan] [--log]

``--hold1/--hold2`` replace the recomputed z1_plan / z2_plan by given values (for instance
another solver's), so that stage 2 and 3 are solved over exactly that solver's feasible set.
The JSON result goes to stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import time
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import highspy
import numpy as np

HOLD_LINK_ABS = 1e-6
HOLD_OUTPUT_REL = 1e-6
INF = highspy.kHighsInf

DEFAULTS: dict[str, Any] = {
    "supply.masks": 380_000, "supply.mask_pack": 50, "supply.passes": 94, "supply.buses": 60, "supply.bus_seats": 50,
    "rules.masks_per_worker_day": 2, "rules.mask_days": 7, "rules.electricity_threshold": 0.8,
    "rules.freight_free_share": 0.5, "rules.chain_balance": True,
    "rules.chain_links": ["fibre", "weaving", "dyeing", "market", "trade"],
    "tiers.A.weight": 3, "tiers.B.weight": 2, "tiers.C.weight": 1,
    "tiers.A.mask_reserve": 0, "tiers.B.mask_reserve": 0, "tiers.C.mask_reserve": 0,
    "tiers.A.electricity_threshold": None, "tiers.B.electricity_threshold": None, "tiers.C.electricity_threshold": None,
    "report.lang": "en",
}
TIERS = ("A", "B", "C")


# ----------------------------------------------------------------------------- input

def scenario(overrides: list[str] | None = None, toml_path: str | Path | None = None) -> dict[str, Any]:
    """SPEC defaults, then a TOML file's keys, then ``key=value`` overrides.  Reserves are
    kept as Decimal, read from the text as written."""
    sc = dict(DEFAULTS)
    raw_reserve: dict[str, str] = {}

    def put(key: str, value: Any, text: str | None) -> None:
        if key not in sc:
            raise SystemExit(f"unknown scenario key {key!r}")
        sc[key] = value
        if key.endswith(".mask_reserve"):
            raw_reserve[key] = text if text is not None else repr(value)

    if toml_path is not None:
        with open(toml_path, "rb") as handle:
            tree = tomllib.load(handle)
        for key, value in _flatten(tree).items():
            put(key, value, None)
    for item in overrides or []:
        key, _, text = item.partition("=")
        text = text.strip()
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        put(key.strip(), value, text)
    for t in TIERS:
        key = f"tiers.{t}.mask_reserve"
        sc[key + ".decimal"] = Decimal(raw_reserve.get(key, repr(sc[key])))
    return sc


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _number(text: str, percent: bool = False) -> float:
    text = text.strip().replace(",", "")
    if percent and text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def read_instance(path: str | Path) -> dict[str, np.ndarray]:
    """The canonical columns as numpy arrays (defaults for blank optional cells)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    header = [h.strip().lower() for h in rows[0]]
    col = {h: k for k, h in enumerate(header)}
    body = rows[1:]

    def text_col(name: str, default: str = "") -> list[str]:
        k = col.get(name)
        return [(r[k].strip() if k is not None and k < len(r) else "") or default for r in body]

    def num_col(name: str, default: float | None = None, percent: bool = False) -> np.ndarray:
        values = []
        for cell in text_col(name):
            if cell == "":
                values.append(np.nan if default is None else default)
            else:
                values.append(_number(cell, percent))
        return np.array(values, dtype=float)

    employees = num_col("employees")
    output = num_col("output_value")
    output = np.where(np.isnan(output), employees, output)
    return {
        "id": np.array(text_col("enterprise_id")),
        "park": np.array(text_col("park")),
        "link": np.array(text_col("chain_link")),
        "tier": np.array([t.upper() for t in text_col("tier")]),
        "E": employees.astype(np.int64),
        "P": num_col("on_post").astype(np.int64),
        "A": num_col("workers_away", 0).astype(np.int64),
        "origin": np.array(text_col("origin")),
        "e": num_col("electricity_recovery", percent=True),
        "S": num_col("masks_in_stock", 0).astype(np.int64),
        "T": num_col("trucks_needed", 0).astype(np.int64),
        "v": output,
    }


# ----------------------------------------------------------------------------- derived data

class Data:
    """Per-firm arrays and scenario constants the model and the evaluation share."""

    def __init__(self, inst: dict[str, np.ndarray], sc: dict[str, Any]):
        self.inst = inst
        self.sc = sc
        self.n = n = len(inst["E"])
        self.q = int(sc["rules.masks_per_worker_day"]) * int(sc["rules.mask_days"])
        self.pack = int(sc["supply.mask_pack"])
        self.ell = float(sc["rules.freight_free_share"])
        self.masks = int(sc["supply.masks"])
        self.boxes = self.masks // self.pack
        self.passes = int(sc["supply.passes"])
        self.buses = int(sc["supply.buses"])
        self.seats = int(sc["supply.bus_seats"])
        tier = inst["tier"]
        self.w = np.zeros(n)
        thr = np.zeros(n)
        for t in TIERS:
            own = sc[f"tiers.{t}.electricity_threshold"]
            self.w[tier == t] = float(sc[f"tiers.{t}.weight"])
            thr[tier == t] = float(sc["rules.electricity_threshold"] if own is None else own)
        self.eligible = inst["e"] >= thr
        P, A, S = inst["P"], inst["A"], inst["S"]
        # no-waste cap at r (exact integers): max(0, ceil((q (P + r) - S) / pack))
        self.cap_max = np.maximum(0, -((-(self.q * (P + A) - S)) // self.pack))  # at r = A
        self.ub_b = np.where(self.eligible, np.minimum(self.cap_max, self.boxes), 0)
        self.rhs_nw = self.q * P - S + self.pack - 1
        self.ub_p = np.minimum(inst["T"], self.passes)
        # bus groups: (origin, park) of firms with away workers
        away = A > 0
        keys = np.char.add(np.char.add(inst["origin"].astype(str), "\x1f"), inst["park"].astype(str))
        self.group_keys, inverse = np.unique(keys[away], return_inverse=True)
        self.group = np.full(n, -1, dtype=np.int64)
        self.group[away] = inverse
        self.G = len(self.group_keys)
        group_workers = np.bincount(inverse, weights=A[away], minlength=self.G)
        self.ub_y = np.minimum(np.ceil(group_workers / self.seats), self.buses)
        # listed links with members
        self.links = [L for L in dict.fromkeys(sc["rules.chain_links"]) if (inst["link"] == L).any()]
        self.stage1 = bool(sc["rules.chain_balance"]) and len(self.links) > 0
        # reserves: R_t exact on the decimal
        self.reserves = {}
        for t in TIERS:
            rho = sc[f"tiers.{t}.mask_reserve.decimal"]
            R = math.floor(rho * self.masks / self.pack) if rho > 0 else 0
            members = np.flatnonzero((tier == t) & self.eligible)
            if R > 0 and len(members):
                self.reserves[t] = (R, members)

    # -------------------------------------------------------------- evaluation (plain numpy)

    def cap(self, r: np.ndarray) -> np.ndarray:
        i = self.inst
        return np.maximum(0, -((-(self.q * (i["P"] + r) - i["S"])) // self.pack))

    def capacity(self, b, p, r) -> np.ndarray:
        i = self.inst
        E = i["E"].astype(float)
        c = np.minimum(1.0, (i["P"] + r) / E)
        if self.q > 0:
            c = np.minimum(c, (i["S"] + self.pack * b) / (self.q * E))
        T = i["T"]
        freight = np.where(T > 0, self.ell + (1 - self.ell) * p / np.maximum(T, 1), 1.0)
        return np.minimum(c, freight)

    def values(self, b, p, r, y) -> dict[str, Any]:
        c = self.capacity(b, p, r)
        v = self.inst["v"]
        link_rec = {}
        for L in self.links:
            m = self.inst["link"] == L
            link_rec[L] = float((v[m] * c[m]).sum() / v[m].sum())
        z1 = min(link_rec.values()) if self.stage1 else None
        z2 = float((self.w * v * c).sum())
        z3 = int(b.sum() + p.sum() + y.sum())
        return {"z1": z1, "z2": z2, "z3": z3, "links": link_rec, "c": c}

    def violations(self, b, p, r, y) -> list[str]:
        """Every SPEC constraint checked on the integer plan."""
        i = self.inst
        out = []
        if (b < 0).any() or (p < 0).any() or (r < 0).any() or (y < 0).any():
            out.append("negative decision")
        if (b[~self.eligible] > 0).any():
            out.append("boxes to an ineligible firm")
        if b.sum() > self.boxes:
            out.append(f"boxes {b.sum()} > {self.boxes}")
        if p.sum() > self.passes:
            out.append(f"passes {p.sum()} > {self.passes}")
        if y.sum() > self.buses:
            out.append(f"buses {y.sum()} > {self.buses}")
        if (p > i["T"]).any():
            out.append("passes above trucks")
        if (r > i["A"]).any():
            out.append("returned above away")
        seats = np.bincount(self.group[r > 0], weights=r[r > 0], minlength=self.G) if self.G else np.zeros(0)
        if self.G and (seats > self.seats * y + 1e-9).any():
            out.append("seats exceeded in some group")
        if (b > self.cap(r)).any():
            out.append(f"no-waste cap exceeded at {int((b > self.cap(r)).sum())} firms")
        for t, (R, members) in self.reserves.items():
            U = int(self.cap(r)[members].sum())
            if b[members].sum() < min(R, U):
                out.append(f"tier {t} reserve: {b[members].sum()} < min({R}, {U})")
        return out


# ----------------------------------------------------------------------------- the model

class Model:
    """Column and row layout of the single MIP, built with numpy."""

    def __init__(self, d: Data):
        self.d = d
        n, G = d.n, d.G
        i = d.inst
        E = i["E"].astype(float)
        # --- columns
        offset = 0

        def block(size: int) -> np.ndarray:
            nonlocal offset
            idx = np.arange(offset, offset + size)
            offset += size
            return idx

        self.b = block(n)
        self.p = block(n)
        self.r = block(n)
        self.c = block(n)
        self.y = block(G)
        self.z = block(1)[0]
        binary_nw = (d.ub_b > 0) & (d.rhs_nw < 0)
        self.nw_firms = np.flatnonzero(binary_nw)
        self.delta = block(len(self.nw_firms))
        res_firms = [members for _, (_, members) in d.reserves.items()]
        self.u_firms = np.concatenate(res_firms) if res_firms else np.zeros(0, dtype=np.int64)
        self.u = block(len(self.u_firms))
        self.sigma = block(len(d.reserves))
        self.num_col = offset

        lower = np.zeros(offset)
        upper = np.zeros(offset)
        integer = np.zeros(offset, dtype=np.int32)
        upper[self.b] = d.ub_b
        upper[self.p] = d.ub_p
        upper[self.r] = i["A"]
        upper[self.c] = 1.0
        upper[self.y] = d.ub_y
        upper[self.z] = 1.0
        upper[self.delta] = 1
        upper[self.u] = d.cap_max[self.u_firms]
        upper[self.sigma] = 1
        integer[self.b] = integer[self.p] = integer[self.r] = integer[self.y] = 1
        integer[self.delta] = integer[self.u] = integer[self.sigma] = 1
        self.lower, self.upper, self.integer = lower, upper, integer

        # --- rows as triplets
        rows_r: list[np.ndarray] = []
        rows_c: list[np.ndarray] = []
        rows_v: list[np.ndarray] = []
        lo: list[np.ndarray] = []
        hi: list[np.ndarray] = []
        nrow = 0

        def add(row_local: np.ndarray, cols: np.ndarray, vals: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray) -> int:
            nonlocal nrow
            start = nrow
            rows_r.append(np.asarray(row_local, dtype=np.int64) + start)
            rows_c.append(np.asarray(cols, dtype=np.int64))
            rows_v.append(np.asarray(vals, dtype=float))
            lo.append(np.asarray(row_lo, dtype=float))
            hi.append(np.asarray(row_hi, dtype=float))
            nrow += len(row_lo)
            return start

        ones_n = np.ones(n)
        # supplies
        add(np.zeros(n), self.b, ones_n, [-INF], [d.boxes])
        add(np.zeros(n), self.p, ones_n, [-INF], [d.passes])
        add(np.zeros(G), self.y, np.ones(G), [-INF], [d.buses])
        # seats: sum_{i in g} r_i - seats y_g <= 0
        away = np.flatnonzero(d.group >= 0)
        add(np.concatenate([d.group[away], np.arange(G)]), np.concatenate([self.r[away], self.y]),
            np.concatenate([np.ones(len(away)), -d.seats * np.ones(G)]), np.full(G, -INF), np.zeros(G))
        # no waste, rows for firms that may get boxes
        plain_nw = np.flatnonzero((d.ub_b > 0) & (d.rhs_nw >= 0))
        k = len(plain_nw)
        add(np.concatenate([np.arange(k), np.arange(k)]), np.concatenate([self.b[plain_nw], self.r[plain_nw]]),
            np.concatenate([np.full(k, d.pack), np.full(k, -d.q)]), np.full(k, -INF), d.rhs_nw[plain_nw])
        f = self.nw_firms
        k = len(f)
        # pack b - q r - rhs d <= 0   and   b - ub d <= 0
        add(np.concatenate([np.arange(k)] * 3), np.concatenate([self.b[f], self.r[f], self.delta]),
            np.concatenate([np.full(k, d.pack), np.full(k, -d.q), -d.rhs_nw[f].astype(float)]), np.full(k, -INF), np.zeros(k))
        add(np.concatenate([np.arange(k)] * 2), np.concatenate([self.b[f], self.delta]),
            np.concatenate([np.ones(k), -d.ub_b[f].astype(float)]), np.full(k, -INF), np.zeros(k))
        # capacity: c - r/E <= P/E ; c - pack b/(qE) <= S/(qE) ; c - (1-l) p / T <= l
        work = i["P"] / E
        m = np.flatnonzero(work < 1)
        add(np.concatenate([np.arange(len(m))] * 2), np.concatenate([self.c[m], self.r[m]]),
            np.concatenate([np.ones(len(m)), -1 / E[m]]), np.full(len(m), -INF), work[m])
        if d.q > 0:
            mask = i["S"] / (d.q * E)
            m = np.flatnonzero(mask < 1)
            add(np.concatenate([np.arange(len(m))] * 2), np.concatenate([self.c[m], self.b[m]]),
                np.concatenate([np.ones(len(m)), -d.pack / (d.q * E[m])]), np.full(len(m), -INF), mask[m])
        m = np.flatnonzero(i["T"] > 0)
        if d.ell < 1 and len(m):
            add(np.concatenate([np.arange(len(m))] * 2), np.concatenate([self.c[m], self.p[m]]),
                np.concatenate([np.ones(len(m)), -(1 - d.ell) / i["T"][m]]), np.full(len(m), -INF), np.full(len(m), d.ell))
        # reserves: u caps, sum b - R s >= 0, sum b - sum u + M s >= 0
        uf = self.u_firms
        k = len(uf)
        add(np.concatenate([np.arange(k)] * 2), np.concatenate([self.u, self.r[uf]]),
            np.concatenate([np.full(k, d.pack), np.full(k, -d.q)]),
            (d.q * i["P"][uf] - i["S"][uf]).astype(float), np.full(k, INF))
        pos = 0
        for j, (R, members) in enumerate(d.reserves.values()):
            u_cols = self.u[pos:pos + len(members)]
            pos += len(members)
            M = float(d.cap_max[members].sum())
            km = len(members)
            add(np.zeros(km + 1), np.concatenate([self.b[members], [self.sigma[j]]]),
                np.concatenate([np.ones(km), [-R]]), [0.0], [INF])
            add(np.zeros(2 * km + 1), np.concatenate([self.b[members], u_cols, [self.sigma[j]]]),
                np.concatenate([np.ones(km), -np.ones(km), [M]]), [0.0], [INF])
        # links: z - sum v_i / V_L c_i <= 0
        self.link_rows = []
        if d.stage1:
            for L in d.links:
                m = np.flatnonzero(i["link"] == L)
                share = i["v"][m] / i["v"][m].sum()
                self.link_rows.append(add(np.zeros(len(m) + 1), np.concatenate([[self.z], self.c[m]]),
                                          np.concatenate([[1.0], -share]), [-INF], [0.0]))
        # holds (free until a stage sets them)
        self.hold1 = add(np.zeros(1), [self.z], [1.0], [-INF], [INF])
        self.hold2 = add(np.zeros(n), self.c, d.w * i["v"], [-INF], [INF])
        self.num_row = nrow

        r = np.concatenate(rows_r)
        cidx = np.concatenate(rows_c)
        v = np.concatenate(rows_v)
        keep = v != 0
        r, cidx, v = r[keep], cidx[keep], v[keep]
        order = np.lexsort((cidx, r))
        self.a_index = cidx[order].astype(np.int32)
        self.a_value = v[order]
        self.a_start = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=nrow))]).astype(np.int32)
        self.row_lower = np.concatenate(lo)
        self.row_upper = np.concatenate(hi)

    def objective(self, stage: int) -> tuple[np.ndarray, int]:
        cost = np.zeros(self.num_col)
        if stage == 1:
            cost[self.z] = 1.0
            return cost, -1
        if stage == 2:
            cost[self.c] = self.d.w * self.d.inst["v"]
            return cost, -1
        cost[self.b] = cost[self.p] = 1.0
        cost[self.y] = 1.0
        return cost, 1

    def start(self, b, p, r, y) -> np.ndarray:
        """A full column vector for an integer plan, consistent with every row."""
        d = self.d
        x = np.zeros(self.num_col)
        x[self.b], x[self.p], x[self.r], x[self.y] = b, p, r, y
        vals = d.values(b, p, r, y)
        x[self.c] = vals["c"]
        x[self.z] = min(1.0, vals["z1"]) if vals["z1"] is not None else 0.0
        cap = d.cap(r)
        x[self.delta] = (cap[self.nw_firms] > 0).astype(float)
        x[self.u] = cap[self.u_firms]
        for j, (_, (R, members)) in enumerate(d.reserves.items()):
            x[self.sigma[j]] = 1.0 if b[members].sum() >= R else 0.0
        return x

    def plan(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        take = lambda cols: np.rint(x[cols]).astype(np.int64)  # noqa: E731
        return take(self.b), take(self.p), take(self.r), take(self.y)


# ----------------------------------------------------------------------------- stages

def _gap(sense: str, value: float | None, bound: float | None) -> float | None:
    if value is None or bound is None or not math.isfinite(bound):
        return None
    distance = bound - value if sense == "max" else value - bound
    if abs(value) < 1e-12:
        return 0.0 if distance <= 1e-12 else math.inf
    return max(distance / abs(value), 0.0) if distance > 0 else distance / abs(value)


def _spec_optimal(stage: int, value: float | None, bound: float | None) -> bool:
    """SPEC: bound within 1e-8 absolute (stage 1), 1e-7 relative (stage 2), equal (stage 3)."""
    if value is None or bound is None or not math.isfinite(bound):
        return False
    if stage == 1:
        return bound - value <= 1e-8
    if stage == 2:
        return bound - value <= 1e-7 * abs(value)
    return math.ceil(bound - 1e-6) >= value


def solve_plain(instance_csv: str | Path, overrides: list[str] | None = None, time_limit: float = 120.0,
                strict: bool = False, scenario_toml: str | Path | None = None, holds: dict | None = None,
                log: bool = False, threads: int = 1, last_stage: int = 3) -> dict[str, Any]:
    """Three lexicographic stages of the SPEC model with HiGHS; see the module docstring."""
    started = time.perf_counter()
    sc = scenario(overrides, scenario_toml)
    inst = read_instance(instance_csv)
    t_read = time.perf_counter() - started
    d = Data(inst, sc)
    model = Model(d)
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(log))
    h.setOptionValue("threads", int(threads))
    if strict:
        for key, value in (("mip_rel_gap", 0.0), ("mip_abs_gap", 0.0), ("mip_feasibility_tolerance", 1e-9),
                           ("primal_feasibility_tolerance", 1e-9)):
            h.setOptionValue(key, value)
    cost, sense = model.objective(2)
    status = h.passModel(model.num_col, model.num_row, len(model.a_value), 2, sense, 0.0, cost, model.lower,
                         model.upper, model.row_lower, model.row_upper, model.a_start, model.a_index, model.a_value,
                         model.integer)
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model")
    t_build = time.perf_counter() - started - t_read
    holds = holds or {}
    stages: list[dict[str, Any]] = []
    plan = None
    kept: dict[str, Any] = {}
    todo = [k for k in ([1, 2, 3] if d.stage1 else [2, 3]) if k <= last_stage]  # last_stage < 3: stop early
    if not d.stage1:
        stages.append({"stage": 1, "status": "skipped"})
    for k, stage in enumerate(todo):
        left = time_limit - (time.perf_counter() - started)
        share = max(left / (len(todo) - k), 0.05)
        cost, sense = model.objective(stage)
        h.changeColsCost(model.num_col, np.arange(model.num_col, dtype=np.int32), cost)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if sense < 0 else highspy.ObjSense.kMinimize)
        if stage >= 2 and d.stage1:
            z1 = holds.get("z1", kept.get("z1"))
            h.changeRowBounds(model.hold1, z1 - HOLD_LINK_ABS, INF)
        if stage == 3:
            z2 = holds.get("z2", kept.get("z2"))
            h.changeRowBounds(model.hold2, z2 * (1 - HOLD_OUTPUT_REL), INF)
        h.setOptionValue("time_limit", float(share))
        if plan is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(model.start(*plan))
            sol.value_valid = True
            h.setSolution(sol)
        t0 = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - t0
        ms = h.getModelStatus()
        info = h.getInfo()
        sol = h.getSolution()
        name = {"max": "max", "min": "min"}["max" if sense < 0 else "min"]
        record: dict[str, Any] = {"stage": stage, "sense": name, "status": h.modelStatusToString(ms),
                                  "highs_optimal": ms == highspy.HighsModelStatus.kOptimal,
                                  "seconds": round(seconds, 3), "nodes": int(info.mip_node_count)}
        if info.primal_solution_status == 2 and sol.value_valid:  # feasible point
            new_plan = model.plan(np.array(sol.col_value))
            vals = d.values(*new_plan)
            value = {1: vals["z1"], 2: vals["z2"], 3: float(vals["z3"])}[stage]
            bad = d.violations(*new_plan)
            hold_ok = True
            if stage >= 2 and d.stage1:
                hold_ok &= vals["z1"] >= holds.get("z1", kept.get("z1")) - HOLD_LINK_ABS
            if stage == 3:
                hold_ok &= vals["z2"] >= holds.get("z2", kept.get("z2")) * (1 - HOLD_OUTPUT_REL)
            record["plan_values"] = {"z1": vals["z1"], "z2": vals["z2"], "z3": vals["z3"]}
            if bad:
                record["violations"] = bad
            record["holds_met"] = bool(hold_ok)
            plan = new_plan
            if stage in (1, 2):  # the hold of a later stage is about the plan this stage kept
                kept[f"z{stage}"] = vals[f"z{stage}"]
        else:
            value = None
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        record.update({"value": value, "bound": bound, "gap": _gap(name, value, bound),
                       "highs_gap": info.mip_gap if math.isfinite(info.mip_gap) else None,
                       "spec_optimal": _spec_optimal(stage, value, bound)})
        if stage == 1:
            record["objective"] = "lowest link recovery"
        elif stage == 2:
            record["objective"] = "weighted output"
        else:
            record["objective"] = "boxes+passes+buses"
        stages.append(record)
        if plan is None:
            for later in todo[k + 1:]:
                stages.append({"stage": later, "status": "not run (no plan)"})
            break
    result: dict[str, Any] = {
        "instance": str(instance_csv), "firms": d.n, "groups": d.G, "mode": "strict" if strict else "plain",
        "overrides": list(overrides or []), "time_limit": time_limit, "holds_given": holds,
        "columns": model.num_col, "rows": model.num_row, "nonzeros": int(len(model.a_value)),
        "stages": stages,
        "proven": all(s.get("highs_optimal", s["status"] == "skipped") for s in stages),
        "timings": {"read": round(t_read, 3), "build": round(t_build, 3), "total": round(time.perf_counter() - started, 3)},
    }
    if plan is not None:
        vals = d.values(*plan)
        b, p, r, y = plan
        result["final"] = {"z1": vals["z1"], "z2": vals["z2"], "z3": vals["z3"], "links": vals["links"],
                           "boxes": int(b.sum()), "passes": int(p.sum()), "buses": int(y.sum()), "returned": int(r.sum())}
        result["plan"] = {"b": b.tolist(), "p": p.tolist(), "r": r.tolist(),
                          "y": {key.replace("\x1f", " -> "): int(count) for key, count in zip(d.group_keys, y, strict=True) if count}}
    return result


def check_export(instance_csv: str | Path, overrides: list[str] | None, export_dir: str | Path,
                 scenario_toml: str | Path | None = None) -> dict[str, Any]:
    """Recompute an allocator export (allocation.csv, buses.csv) under the rules above: stage values and every
    SPEC constraint, independently of the allocator."""
    d = Data(read_instance(instance_csv), scenario(overrides, scenario_toml))
    export_dir = Path(export_dir)
    with open(export_dir / "allocation.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    index = {eid: k for k, eid in enumerate(d.inst["id"])}
    b = np.zeros(d.n, dtype=np.int64)
    p = np.zeros(d.n, dtype=np.int64)
    r = np.zeros(d.n, dtype=np.int64)
    for row in rows:
        k = index[row["enterprise_id"].lstrip("'")]
        b[k], p[k], r[k] = int(row["boxes"]), int(row["passes"]), int(row["workers_returned"])
    y = np.zeros(d.G, dtype=np.int64)
    group_of = {key: g for g, key in enumerate(d.group_keys)}
    with open(export_dir / "buses.csv", encoding="utf-8-sig", newline="") as handle:
        buses = {(row["bus_id"], row["origin"].lstrip("'"), row["park"].lstrip("'")) for row in csv.DictReader(handle)}
    for _, origin, park in buses:
        y[group_of[f"{origin}\x1f{park}"]] += 1
    vals = d.values(b, p, r, y)
    reserves = {t: {"required": R, "usable": int(d.cap(r)[m].sum()), "given": int(b[m].sum())}
                for t, (R, m) in d.reserves.items()}
    return {"z1": vals["z1"], "z2": vals["z2"], "z3": vals["z3"], "reserves": reserves,
            "violations": d.violations(b, p, r, y)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance")
    parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
    parser.add_argument("--scenario", help="scenario TOML (applied before --set)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--strict", action="store_true", help="oracle mode: gaps 0, feasibility tolerance 1e-9")
    parser.add_argument("--hold1", type=float, help="stage 2 and 3 hold z >= HOLD1 - 1e-6 instead of stage 1's plan")
    parser.add_argument("--hold2", type=float, help="stage 3 holds weighted output >= HOLD2 (1 - 1e-6)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plan", action="store_true", help="include the integer plan in the JSON")
    parser.add_argument("--log", action="store_true", help="HiGHS log to stdout (breaks the JSON)")
    parser.add_argument("--check-export", metavar="DIR",
                        help="do not solve: recompute an allocator export's values and check every rule")
    args = parser.parse_args()
    if args.check_export:
        json.dump(check_export(args.instance, args.overrides, args.check_export, args.scenario), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    holds = {k: v for k, v in (("z1", args.hold1), ("z2", args.hold2)) if v is not None}
    # HiGHS prints its banner on stdout before any option can silence it: keep stdout for the JSON
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    result = solve_plain(args.instance, args.overrides, args.time_limit, args.strict, args.scenario, holds, args.log,
                         args.threads)
    if not args.plan:
        result.pop("plan", None)
    json.dump(result, out, indent=1)
    out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
