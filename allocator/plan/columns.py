"""The week's columns: which exist (a firm, a kind, a model day), and plans read from and written to them.

A column exists for a firm and a kind only where something new can reach the firm that
day (see allocator.plan.formulation); a day without one shares the previous day's column.
Plans go both ways through these index arrays (-1: no column), so the rest of the package
never sees a column number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocator.model.formulation import Formulation
from allocator.plan.evaluation import Plan, evaluate
from allocator.plan.problem import Horizon
from allocator.problem import mask_cap, needed_for

INF = float("inf")


@dataclass
class WeekFormulation(Formulation):
    """A Formulation (so any back-end loads it) with a column per firm and model day; -1 = none."""

    days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # multiplicity m_k
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # first day of each
    cs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))  # (K, n)
    rs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    bs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    ps: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    ys: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))  # (K, groups)
    zs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (K,)
    z_scale: float = 1.0  # column zs[k] holds z_scale x day k's lowest link (allocator.model.formulation.LINK_SCALE)
    output_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))  # stage 2's costs on every column
    unit_offset: float = 0.0  # -(B0 + P0) over the firms with columns: stage 3's constant
    week_aux: list[tuple[str, int, np.ndarray, np.ndarray]] = field(default_factory=list)  # (kind, day, cols, firms)
    switches: dict[tuple[str, int], int] = field(default_factory=dict)  # (tier, day) -> reserve switch column
    day_supply_rows: dict[str, np.ndarray] = field(default_factory=dict)

    def add_entries(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray | float) -> None:
        """Matrix entries of existing rows (a row over many firms: seats, links, reserves); col -1 skipped."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        values = np.broadcast_to(np.asarray(values, dtype=float), cols.shape)
        keep = (cols >= 0) & (rows >= 0)
        self._entries(rows[keep], cols[keep], values[keep])

    def upper(self) -> np.ndarray:
        return np.concatenate(self.col_upper) if self.col_upper else np.zeros(0)


class Week:
    """Float copies of the firms' data, the start of the window and which columns exist."""

    def __init__(self, horizon: Horizon):
        p = horizon.problem
        inst, sc = p.instance, p.scenario
        self.horizon, self.problem, self.n = horizon, p, len(p)
        self.E, self.P = inst.employees.astype(float), inst.on_post.astype(float)
        self.A, self.S = inst.workers_away.astype(float), inst.masks_in_stock.astype(float)
        self.T, self.v = inst.trucks_needed.astype(float), inst.output_value
        self.q, self.pack = float(sc.rules.masks_per_worker), float(sc.supply.mask_pack)
        self.share, self.seats = sc.rules.freight_free_share, int(sc.supply.bus_seats)
        start = horizon.start
        self.R0, self.B0, self.P0 = (x.astype(float) for x in (start.returned, start.boxes, start.passes))
        self.cmax, self.cstart = p.c_max, horizon.c_start
        self.var = self.cmax > self.cstart
        need_b, need_p, need_r = needed_for(p, self.cmax)
        self.ub_r = np.maximum(self.R0, np.minimum(self.A, need_r))
        self.has_r = self.var & (self.ub_r > self.R0) & ((self.P + self.R0) / self.E < self.cmax)
        self.cap_start = mask_cap(p, start.returned).astype(float)
        self.cap_full = p.cap_full.astype(float)
        self.reserved = p.reserve_bound
        upper = np.where(self.has_r, self.cap_full, self.cap_start)
        if self.q > 0:
            upper = np.where(self.reserved, upper, np.minimum(upper, need_b))
        self.ub_b = np.maximum(self.B0, upper)
        with np.errstate(divide="ignore", invalid="ignore"):
            masks_start = (self.S + self.pack * self.B0) / (self.q * self.E) if self.q > 0 else np.full(self.n, INF)
            freight_start = np.where(self.T > 0, self.share + (1 - self.share) * self.P0 / np.maximum(self.T, 1), INF)
        self.has_b = (self.var & p.eligible & (self.ub_b > self.B0) & (masks_start < self.cmax)) | (
            self.reserved & (self.ub_b > self.B0))
        self.ub_p = np.maximum(self.P0, np.minimum(self.T, need_p))
        self.has_p = self.var & (self.ub_p > self.P0) & (freight_start < self.cmax)


def add_columns(f: WeekFormulation, w: Week) -> None:
    """Integer columns where something new can arrive that day, c where one of a firm's inputs is new."""
    h, K, n = w.horizon, len(f.days), w.n
    f.rs, f.bs, f.ps, f.cs = (np.full((K, n), -1, dtype=np.int64) for _ in range(4))
    f.ys = np.full((K, h.groups), -1, dtype=np.int64)
    f.zs = np.full(K, -1, dtype=np.int64)
    riders = np.flatnonzero(w.has_r)
    group = w.problem.group
    room = np.bincount(group[riders], weights=w.ub_r[riders] - w.R0[riders], minlength=h.groups)
    for k, at in enumerate(f.positions):
        new_r = k == 0 or h.buses[at] > 0  # day 0 always (fixed at R0 when no bus runs that day)
        new_p = k == 0 or h.arrived["passes"][at] > 0
        new_b = np.full(n, k == 0 or h.arrived["masks"][at] > 0) | (new_r & w.has_r)
        if k > 0:
            f.rs[k], f.bs[k], f.ps[k], f.cs[k] = f.rs[k - 1], f.bs[k - 1], f.ps[k - 1], f.cs[k - 1]
        fresh = np.zeros(n, dtype=bool)
        ub_r = w.ub_r if h.buses[at] > 0 else w.R0
        for cols, has, lower, upper, new in ((f.rs, w.has_r, w.R0, ub_r, np.full(n, new_r)),
                                             (f.bs, w.has_b, w.B0, w.ub_b, new_b),
                                             (f.ps, w.has_p, w.P0, w.ub_p, np.full(n, new_p))):
            i = np.flatnonzero(has & new)
            cols[k, i] = f.add_cols(lower[i], upper[i], True)
            fresh[i] = True
        i = np.flatnonzero(w.var & (fresh | (k == 0)))
        f.cs[k, i] = f.add_cols(w.cstart[i], w.cmax[i], False)
        if h.buses[at] > 0:
            used = np.flatnonzero(room > 0)
            most = np.minimum(h.buses[at], np.ceil(room[used] / w.seats - 1e-9))
            f.ys[k, used] = f.add_cols(np.zeros(len(used)), most, True)


def fresh_c(f: WeekFormulation, k: int) -> np.ndarray:
    """Firms whose c has its own column on day k (not the day before's)."""
    return (f.cs[k] >= 0) & ((f.cs[k] != f.cs[k - 1]) if k > 0 else True)


def fresh(cols: np.ndarray, k: int) -> np.ndarray:
    """Firms whose column of this kind is new on day k."""
    return (cols[k] >= 0) & ((cols[k] != cols[k - 1]) if k > 0 else True)




def day_of_position(f: WeekFormulation, days: int) -> np.ndarray:
    """The model day of each day of the window."""
    return np.repeat(np.arange(len(f.days)), f.days)[:days]


def read_plan(horizon: Horizon, f: WeekFormulation, values: np.ndarray) -> Plan:
    """The solver's point as a plan: integer columns rounded, absent ones at what the firm held."""
    model_day = day_of_position(f, horizon.days)
    start = horizon.start
    padded = np.append(np.asarray(values, dtype=float), 0.0)  # index -1 reads the 0 at the end

    def take(cols: np.ndarray, held: np.ndarray) -> np.ndarray:
        out = np.where(cols >= 0, np.rint(padded[cols]), held).astype(np.int64)
        return out[model_day]

    buses = np.zeros((horizon.days, horizon.groups), dtype=np.int64)
    buses[f.positions] = np.rint(padded[f.ys]).astype(np.int64)
    return Plan(take(f.bs, start.boxes), take(f.ps, start.passes), take(f.rs, start.returned), buses)


def to_model(horizon: Horizon, f: WeekFormulation, plan: Plan) -> Plan:
    """A plan in the model's shape: a shared column takes the amount of the last day that shares it
    (handed out earlier: every figure at least as good, the same units), amounts within the
    columns' bounds, nothing where a firm has no column.  The caller verifies it."""
    upper = f.upper() if f.num_cols else np.zeros(1)
    lower = np.concatenate(f.col_lower) if f.num_cols else np.zeros(1)
    ends = f.positions + f.days - 1
    model_day = day_of_position(f, horizon.days)

    def shaped(cols: np.ndarray, amounts: np.ndarray, held: np.ndarray) -> np.ndarray:
        out = np.empty(cols.shape, dtype=np.int64)
        carry = amounts[ends[-1]].copy()
        for k in range(len(f.days) - 1, -1, -1):
            if k < len(f.days) - 1:
                carry = np.where(cols[k] == cols[k + 1], carry, amounts[ends[k]])
            out[k] = carry
        present = cols >= 0
        safe = np.maximum(cols, 0)
        out = np.where(present, np.clip(out, lower[safe], upper[safe]), held)
        return out[model_day]

    start = horizon.start
    buses = np.zeros_like(plan.buses)
    at = f.ys >= 0
    buses[f.positions] = np.where(at, np.minimum(plan.buses[f.positions], upper[np.maximum(f.ys, 0)]), 0)
    return Plan(shaped(f.bs, plan.boxes, start.boxes), shaped(f.ps, plan.passes, start.passes),
                shaped(f.rs, plan.returned, start.returned), buses)


def start_vector(horizon: Horizon, f: WeekFormulation, plan: Plan) -> np.ndarray:
    """A full column vector for a plan in the model's shape (see :func:`to_model`)."""
    values = np.zeros(f.num_cols)
    check = evaluate(horizon, plan)
    at = f.positions
    for cols, amounts in ((f.bs, plan.boxes), (f.ps, plan.passes), (f.rs, plan.returned), (f.ys, plan.buses)):
        present = cols >= 0
        values[cols[present]] = amounts[at][present]
    present = f.cs >= 0
    cmax = np.broadcast_to(horizon.problem.c_max, f.cs.shape)
    values[f.cs[present]] = np.minimum(check.c[at], cmax)[present]
    if check.lowest is not None and (f.zs >= 0).all():
        values[f.zs] = f.z_scale * check.lowest[at]
    p = horizon.problem
    for kind, k, cols, firms in f.week_aux:
        cap = mask_cap(p, plan.returned[at[k]])
        derived = {"gets_boxes": plan.boxes[at[k]] >= 1, "cap": cap, "cap_on": cap >= 1}[kind]
        values[cols] = derived[firms]
    for (tier, k), col in f.switches.items():
        members = (p.instance.tier == tier) & p.eligible
        values[col] = float(plan.boxes[at[k]][members].sum() >= horizon.reserve[tier][at[k]])
    return values
