"""The SPEC model as a mixed-integer linear program, built column-wise without row loops.

Formulation
-----------
Sets
    V  enterprises whose capacity some allocation can change (c_max > c_before); every
       other enterprise is a constant and never enters the model.
    G  bus groups (origin o, park k) holding a member of V that returned workers help.
Data (per enterprise i)
    E, P, A, S, T, v, w as in the SPEC; q masks per worker, pack, share l.
    cap(r) = max(0, ceil((q(P + r) - S) / pack)), the no-waste cap (0 when ineligible);
    c_max = c at b = cap(A), p = T, r = A: the most the enterprise can recover.
Variables (created only where they can matter)
    c_i in [c_before_i, c_max_i]                    capacity recovery, i in V
    r_i in {0 .. min(A_i, ceil(E c_max - P))}        returned workers
    b_i in {0 .. min(cap(A), useful boxes)}          mask boxes (eligible firms only)
    p_i in {0 .. min(T_i, useful passes)}            freight passes
    y_g in {0 .. min(buses, ceil(W_g / seats))}      buses of group g, W_g = sum of r's bounds
    z   in [0, 1]                                    lowest chain-link recovery
    s_i in {0, 1}                                    "receives boxes" switch of (C6b)
    u_i, g_t                                         mask caps and reserve switches of (C7)
Constraints
    (C1) eligibility: b_i exists only when e_i >= the electricity threshold of its tier
    (C2) sum b <= floor(masks / pack)
    (C3) sum p <= passes
    (C4) sum y <= buses
    (C5) sum_{i in g} r_i <= seats * y_g                          (point-to-point, carpool)
    (C5') sum_{i in g} r_i <= seats (K - 1) + rho (y_g - K + 1)    (last bus part-full)
    (C6) no waste, when b_i >= 1: pack b_i - q r_i <= q P_i - S_i + pack - 1 =: K_i
         (C6a) K_i >= 0: the row as written; (C6b) K_i < 0: b_i <= ub s_i and
         pack b_i - q r_i <= K_i - K_i (1 - s_i); without r_i: b_i <= cap(0) (a bound)
    (C7) reserve of tier t with rho_t > 0, R_t = floor(rho_t masks / pack):
         u_i = cap(r_i) exactly, b_i <= u_i, sum b >= R_t g_t, sum b >= U_t - Umax_t g_t
    (C8) capacity: c <= (P + r)/E;  c <= (S + pack b)/(q E);  c <= l + (1 - l) p / T
    (C9) integer envelopes (valid inequalities): c <= g(f) + (c_max - g(f)) (x - f) for each
         term g of a single integer x, where f = floor of the x at which g reaches c_max
    (C10) sum_{i in L, V} (v_i / V_L) c_i + K_L >= z for each listed link L with members
Objectives (lexicographic)
    stage 1  max z                                   (when chain balance is on)
    stage 2  max sum w v c, holding (C11) z >= z1 - 1e-6
    stage 3  min sum b + sum p + sum y, holding (C12) sum w v c >= z2 (1 - 1e-6)
The bounds on r, b, p ("useful" amounts) never cut off an optimal point: beyond them
c_i cannot grow, and stage 3 removes such surplus anyway.  They are not applied to a
tier with a mask reserve, whose "all at cap" branch may need the surplus boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocator.model.cuts import envelope_rows, mixing_rows
from allocator.problem import Problem, mask_cap, needed_for

INF = float("inf")


@dataclass
class Formulation:
    """Column and row arrays (COO) plus where each decision lives; -1 means "no column"."""

    col_lower: list[np.ndarray] = field(default_factory=list)
    col_upper: list[np.ndarray] = field(default_factory=list)
    col_integer: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    entry_row: list[np.ndarray] = field(default_factory=list)
    entry_col: list[np.ndarray] = field(default_factory=list)
    entry_val: list[np.ndarray] = field(default_factory=list)
    num_cols: int = 0
    num_rows: int = 0
    c: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    r: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    b: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    p: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    z: int = -1
    aux: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # kind -> (cols, firms)
    reserve_switch: dict[str, int] = field(default_factory=dict)  # tier -> column of g_t
    supply_rows: dict[str, int] = field(default_factory=dict)  # boxes | passes | buses -> its (C2)-(C4) row
    link_rows: list[int] = field(default_factory=list)  # (C10) row of each listed link, in Problem.links order
    value_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))  # w v on c columns
    constant_output: float = 0.0  # sum w v c_before over the constants
    z_scale: float = 1.0  # column z holds Z = z_scale x the lowest link recovery (see LINK_SCALE)

    @property
    def num_nonzeros(self) -> int:
        return sum(len(values) for values in self.entry_val)

    def add_cols(self, lower: np.ndarray, upper: np.ndarray, integer: bool) -> np.ndarray:
        lower = np.asarray(lower, dtype=float)
        self.col_lower.append(lower)
        self.col_upper.append(np.asarray(upper, dtype=float))
        self.col_integer.append(np.full(len(lower), integer))
        start, self.num_cols = self.num_cols, self.num_cols + len(lower)
        return np.arange(start, self.num_cols)

    def add_rows(self, terms: list[tuple[np.ndarray, np.ndarray | float]], lower, upper, count: int) -> np.ndarray:
        """Add ``count`` rows; each term gives one column per row (-1 = absent) and its coefficient."""
        rows = np.arange(self.num_rows, self.num_rows + count)
        for cols, coef in terms:
            cols = np.asarray(cols, dtype=np.int64)
            coef = np.broadcast_to(np.asarray(coef, dtype=float), cols.shape)
            keep = cols >= 0
            self._entries(rows[keep], cols[keep], coef[keep])
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (count,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (count,)))
        self.num_rows += count
        return rows

    def add_sum_row(self, cols: np.ndarray, coef: np.ndarray | float, lower: float, upper: float) -> int:
        """One row over many columns (budgets, link recoveries)."""
        cols = np.asarray(cols, dtype=np.int64)
        keep = cols >= 0
        coef = np.broadcast_to(np.asarray(coef, dtype=float), cols.shape)[keep]
        self._entries(np.full(keep.sum(), self.num_rows), cols[keep], coef)
        self.row_lower.append(np.array([lower], dtype=float))
        self.row_upper.append(np.array([upper], dtype=float))
        self.num_rows += 1
        return self.num_rows - 1

    def _entries(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        self.entry_row.append(rows)
        self.entry_col.append(cols)
        self.entry_val.append(vals)

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns, rows and the matrix in compressed-column form, ready for a solver."""
        rows = np.concatenate(self.entry_row) if self.entry_row else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(self.entry_col) if self.entry_col else np.zeros(0, dtype=np.int64)
        vals = np.concatenate(self.entry_val) if self.entry_val else np.zeros(0)
        order = np.lexsort((rows, cols))
        start = np.zeros(self.num_cols + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=self.num_cols), out=start[1:])
        return {
            "col_lower": np.concatenate(self.col_lower),
            "col_upper": np.concatenate(self.col_upper),
            "integer": np.concatenate(self.col_integer),
            "row_lower": np.concatenate(self.row_lower) if self.row_lower else np.zeros(0),
            "row_upper": np.concatenate(self.row_upper) if self.row_upper else np.zeros(0),
            "start": start,
            "index": rows[order],
            "value": vals[order],
        }


def build(problem: Problem) -> Formulation:
    """Build the stage-independent part of the model; stages only change objectives and holds."""
    f = Formulation()
    data = _Data(problem)
    _capacity_columns(f, data)
    _resource_columns(f, data)
    _bus_columns(f, data)
    _supply_rows(f, data)
    _capacity_rows(f, data)
    envelope_rows(f, data)  # (C9), see allocator.model.cuts
    mixing_rows(f, data)  # (C9')
    _bus_linking_rows(f, data)
    _no_waste_rows(f, data)
    _reserve_rows(f, data)
    _link_rows(f, data)
    return f


class _Data:
    """Float copies of the columns the model reads, and the masks of which columns exist."""

    def __init__(self, problem: Problem):
        inst, sc = problem.instance, problem.scenario
        self.problem = problem
        self.n = len(problem)
        self.E = inst.employees.astype(float)
        self.P = inst.on_post.astype(float)
        self.A = inst.workers_away.astype(float)
        self.S = inst.masks_in_stock.astype(float)
        self.T = inst.trucks_needed.astype(float)
        self.v = inst.output_value
        self.q = float(sc.rules.masks_per_worker)
        self.pack = float(sc.supply.mask_pack)
        self.share = sc.rules.freight_free_share
        self.cmax, self.cbefore = problem.c_max, problem.c_before
        self.var = problem.variable
        self.cap0 = mask_cap(problem, np.zeros(self.n, dtype=np.int64)).astype(float)
        self.capA = problem.cap_full.astype(float)
        self.reserved = problem.reserve_bound
        masks_term0 = self.S / (self.q * self.E) if self.q > 0 else np.full(self.n, INF)
        freight0 = np.where(self.T > 0, self.share, INF)
        self.has_r = self.var & (self.A > 0) & (self.P / self.E < self.cmax)
        self.has_b = self.var & problem.eligible & (self.capA > 0) & (masks_term0 < self.cmax)
        self.has_b |= self.reserved & (self.capA > 0)  # a reserve may need boxes that add nothing
        self.has_p = self.var & (self.T > 0) & (freight0 < self.cmax)


def _capacity_columns(f: Formulation, d: _Data) -> None:
    f.c = np.full(d.n, -1, dtype=np.int64)
    idx = np.flatnonzero(d.var)
    f.c[idx] = f.add_cols(d.cbefore[idx], d.cmax[idx], integer=False)
    weight = d.problem.weight * d.v
    f.value_weight = weight[idx]
    f.constant_output = float(weight[~d.var] @ d.cbefore[~d.var])


def _resource_columns(f: Formulation, d: _Data) -> None:
    f.r, f.b, f.p = (np.full(d.n, -1, dtype=np.int64) for _ in range(3))
    i = np.flatnonzero(d.has_r)
    f.r[i] = f.add_cols(np.zeros(len(i)), np.minimum(d.A[i], needed_for(d.problem, d.cmax[i], i)[2]), True)
    i = np.flatnonzero(d.has_b)
    upper = np.where(d.has_r[i], d.capA[i], d.cap0[i])
    if d.q > 0:
        useful = needed_for(d.problem, d.cmax[i], i)[0]
        upper = np.where(d.reserved[i], upper, np.minimum(upper, useful))
    f.b[i] = f.add_cols(np.zeros(len(i)), upper, True)
    i = np.flatnonzero(d.has_p)
    f.p[i] = f.add_cols(np.zeros(len(i)), np.minimum(d.T[i], needed_for(d.problem, d.cmax[i], i)[1]), True)


def _bus_columns(f: Formulation, d: _Data) -> None:
    """One bus variable per (origin, park) group with a member that returned workers help."""
    supply = d.problem.scenario.supply
    problem = d.problem
    add_bus_groups(f, np.flatnonzero(d.has_r), problem.group, len(problem.group_keys), supply.buses, supply.bus_seats)


def add_bus_groups(f: Formulation, riders: np.ndarray, group: np.ndarray, count: int, buses: int,
                   bus_seats: int) -> None:
    """Bus columns ``f.y`` (one per group of ``count`` with a rider in ``f.r``), (C5) and (C5').

    Shared with :mod:`allocator.model.bus_bound`, whose relaxation keeps these rows as they are.
    """
    seats = float(bus_seats)
    groups = group[riders]
    useful = np.bincount(groups, weights=np.concatenate(f.col_upper)[f.r[riders]], minlength=count)
    f.y = np.full(count, -1, dtype=np.int64)
    used = np.flatnonzero(useful > 0)
    useful = useful[used]
    most = np.minimum(buses, np.ceil(useful / seats - 1e-9))
    f.y[used] = f.add_cols(np.zeros(len(used)), most, True)
    row_of_group = np.full(count, -1, dtype=np.int64)
    # (C5) seats: sum r - seats y <= 0, one row per group
    row_of_group[used] = f.add_rows([(f.y[used], -seats)], -INF, 0.0, len(used))
    f._entries(row_of_group[groups], f.r[riders], np.ones(len(riders)))
    _seat_envelope_rows(f, groups, riders, used, row_of_group, useful, most, seats)


def _seat_envelope_rows(f: Formulation, groups, riders, used, row_of_group, useful, most, seats: float) -> None:
    """(C5') sum r <= seats (K - 1) + rho (y - K + 1): the last bus of a group is part-full.

    A group whose useful riders W fill K = ceil(W / seats) buses with rho = W - seats (K - 1)
    on the last one: the row is the concave envelope of min(W, seats y) over integer y, so
    the LP pays a whole bus for a small group's riders instead of their share of the seats.
    """
    rho = useful - seats * (most - 1)
    keep = (rho < seats - 1e-9) & (useful <= seats * most + 1e-9)
    g = used[keep]
    rows = f.add_rows([(f.y[g], -rho[keep])], -INF, (most[keep] - 1) * (seats - rho[keep]), len(g))
    envelope_row = np.full(len(row_of_group), -1, dtype=np.int64)
    envelope_row[g] = rows
    on = envelope_row[groups] >= 0
    f._entries(envelope_row[groups][on], f.r[riders][on], np.ones(on.sum()))


def _supply_rows(f: Formulation, d: _Data) -> None:
    sc = d.problem.scenario
    f.supply_rows = {
        "boxes": f.add_sum_row(f.b, 1.0, -INF, sc.supply.boxes),  # (C2)
        "passes": f.add_sum_row(f.p, 1.0, -INF, sc.supply.passes),  # (C3)
        "buses": f.add_sum_row(f.y, 1.0, -INF, sc.supply.buses),  # (C4)
    }


def _capacity_rows(f: Formulation, d: _Data) -> None:
    """(C8), normalised so that c has coefficient 1: c - r/E <= P/E and so on."""
    i = np.flatnonzero(d.has_r)
    f.add_rows([(f.c[i], 1.0), (f.r[i], -1.0 / d.E[i])], -INF, d.P[i] / d.E[i], len(i))
    i = np.flatnonzero(d.has_b & d.var)
    f.add_rows([(f.c[i], 1.0), (f.b[i], -d.pack / (d.q * d.E[i]))], -INF, d.S[i] / (d.q * d.E[i]), len(i))
    i = np.flatnonzero(d.has_p)
    f.add_rows([(f.c[i], 1.0), (f.p[i], -(1 - d.share) / d.T[i])], -INF, d.share, len(i))


def _bus_linking_rows(f: Formulation, d: _Data) -> None:
    add_bus_linking_rows(f, np.flatnonzero(d.has_r), d.problem.group, d.problem.scenario.supply.bus_seats)


def add_bus_linking_rows(f: Formulation, riders: np.ndarray, group: np.ndarray, bus_seats: int) -> None:
    """r_i <= min(ub_i, seats) y_g: a group without a bus returns nobody (strong linking)."""
    y = f.y[group[riders]]
    upper = np.minimum(np.concatenate(f.col_upper)[f.r[riders]], bus_seats)
    f.add_rows([(f.r[riders], 1.0), (y, -upper)], -INF, 0.0, len(riders))


def _no_waste_rows(f: Formulation, d: _Data) -> None:
    """(C6) for firms with both boxes and returned workers (others have cap(0) as a bound)."""
    both = d.has_b & d.has_r & ~d.reserved
    right = d.q * d.P - d.S + d.pack - 1
    i = np.flatnonzero(both & (right >= 0))  # (C6a)
    f.add_rows([(f.b[i], d.pack), (f.r[i], -d.q)], -INF, right[i], len(i))
    i = np.flatnonzero(both & (right < 0))  # (C6b)
    s = f.add_cols(np.zeros(len(i)), np.ones(len(i)), True)
    f.aux["gets_boxes"] = (s, i)
    upper = np.concatenate(f.col_upper)[f.b[i]]
    f.add_rows([(f.b[i], 1.0), (s, -upper)], -INF, 0.0, len(i))
    f.add_rows([(f.b[i], d.pack), (f.r[i], -d.q), (s, -right[i])], -INF, 0.0, len(i))


def _reserve_rows(f: Formulation, d: _Data) -> None:
    """(C7): either the tier gets its reserve, or every eligible member is at its cap."""
    problem = d.problem
    for tier in problem.scenario.tiers:
        reserve = problem.scenario.reserve_boxes(tier)
        if reserve <= 0:
            continue
        members = np.flatnonzero((problem.instance.tier == tier) & problem.eligible)
        with_r = members[d.has_b[members] & d.has_r[members]]
        fixed = members[~(d.has_b[members] & d.has_r[members])]
        u = _exact_caps(f, d, with_r)
        f.add_rows([(f.b[with_r], 1.0), (u, -1.0)], -INF, 0.0, len(with_r))
        constant_cap = float(d.cap0[fixed].sum())
        top = float(d.capA[with_r].sum()) + constant_cap
        g = f.add_cols(np.zeros(1), np.ones(1), True)[0]
        f.reserve_switch[tier] = int(g)
        boxes = f.b[members]
        f.add_sum_row(np.append(boxes, g), np.append(np.ones(len(boxes)), -reserve), 0.0, INF)
        cols = np.concatenate([boxes, u, [g]])
        coef = np.concatenate([np.ones(len(boxes)), -np.ones(len(u)), [top]])
        f.add_sum_row(cols, coef, constant_cap, INF)


def _exact_caps(f: Formulation, d: _Data, firms: np.ndarray) -> np.ndarray:
    """u_i = max(0, ceil((q(P + r) - S) / pack)) exactly, with a switch where it can be 0."""
    u = f.add_cols(d.cap0[firms], d.capA[firms], True)
    _extend_aux(f, "cap", u, firms)
    base = d.q * d.P[firms] - d.S[firms]
    right = base + d.pack - 1
    f.add_rows([(u, d.pack), (f.r[firms], -d.q)], base, INF, len(firms))  # pack u >= q(P+r) - S
    i = np.flatnonzero(right >= 0)
    f.add_rows([(u[i], d.pack), (f.r[firms[i]], -d.q)], -INF, right[i], len(i))
    i = np.flatnonzero(right < 0)  # u may be 0 while the ceiling is negative: switch s
    s = f.add_cols(np.zeros(len(i)), np.ones(len(i)), True)
    _extend_aux(f, "cap_on", s, firms[i])
    f.add_rows([(u[i], 1.0), (s, -d.capA[firms[i]])], -INF, 0.0, len(i))
    f.add_rows([(u[i], d.pack), (f.r[firms[i]], -d.q), (s, -right[i])], -INF, 0.0, len(i))
    return u


def _extend_aux(f: Formulation, kind: str, cols: np.ndarray, firms: np.ndarray) -> None:
    old_cols, old_firms = f.aux.get(kind, (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
    f.aux[kind] = (np.concatenate([old_cols, cols]), np.concatenate([old_firms, firms]))


#: The lowest link recovery enters the model scaled: Z = LINK_SCALE x z.  A link's recovery
#: moves by v_i / V_L per unit of c_i, as little as 1e-7 for a firm of output 1 beside one
#: of 10^7, and stage 1 is "optimal" only within 1e-8: unscaled, such moves are below
#: HiGHS's feasibility and optimality tolerances (1e-7), and it "proved" 0 optimal where
#: 1e-7 is reachable (tests/stages/test_oracle_claims.py).
LINK_SCALE = 1e6


def _link_rows(f: Formulation, d: _Data) -> None:
    """(C10) Z <= LINK_SCALE x recovery of each listed link with members (only when stage 1 applies)."""
    problem = d.problem
    if not problem.stage1_active:
        return
    lowest = min(float(d.v[m] @ d.cbefore[m] / d.v[m].sum()) for m in map(problem.link_members, problem.links))
    add_link_rows(f, problem, d.var, d.cbefore, lowest)


def add_link_rows(f: Formulation, problem: Problem, movable: np.ndarray, fixed_level: np.ndarray,
                  lowest: float) -> None:
    """The column Z (from ``lowest``, unscaled, to 1) and one (C10) row per listed link over the
    ``movable`` firms' c columns; the others count at ``fixed_level``.  Shared with
    allocator.model.bus_bound."""
    v, scale = problem.instance.output_value, LINK_SCALE
    f.z_scale = scale
    f.z = int(f.add_cols(np.array([lowest * scale]), np.array([scale]), False)[0])
    for link in problem.links:
        members = problem.link_members(link)
        total = v[members].sum()
        fixed, moving = members[~movable[members]], members[movable[members]]
        fixed_part = float(v[fixed] @ fixed_level[fixed] / total)
        row = f.add_sum_row(np.append(f.c[moving], f.z), np.append(scale * v[moving] / total, -1.0),
                            -scale * fixed_part, INF)
        f.link_rows.append(row)
