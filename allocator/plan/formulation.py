"""The week as one mixed-integer program, built column-wise for every day at once.

Formulation
-----------
Days
    k = 0 .. K-1 the model days of the window (Horizon.blocks): day k stands for m_k calendar
    days (itself and the days without arrivals after it).
Sets
    V  firms whose capacity the window can change (c_max > c at the start of the window);
       every other firm is a constant and never enters the model.
    G  bus groups (origin, park) holding a member of V that returned workers help.
Data
    as in allocator.model.formulation, plus the start of the window: R0, B0, P0 (what each
    firm holds), and per day the stores boxes_k, passes_k, buses_k and tier reserves.
Variables (cumulative: what a firm holds at the end of day k)
    R_ik in {R0 .. ub}, B_ik in {B0 .. ub}, P_ik in {P0 .. ub}   workers back, boxes, passes;
        a day on which nothing of that kind can arrive shares the previous day's column
        (no bus: R; no pass: P; no mask and no cap that can rise: B), since handing out on
        such a day could have been done the day before with every figure as good
    c_ik in [c_start, c_max]        capacity on day k (shared where none of its inputs is new)
    y_gk in {0 .. min(buses_k, ceil(W_g / seats))}, W_g = riders g can still use
    z_k  in [lowest at start, 1]    lowest link on day k
Constraints, for every model day k
    (H1) monotone: R_ik >= R_i,k-1, B_ik >= B_i,k-1, P_ik >= P_i,k-1
    (H2) sum_i B_ik <= boxes_k      (H3) sum_i P_ik <= passes_k      (H4) sum_g y_gk <= buses_k
    (H5) seats: sum_{i in g} (R_ik - R_i,k-1) <= seats y_gk; (H5') the last bus part-full;
         (H5'') R_ik - R_i,k-1 <= min(ub - R0, seats) y_gk
    (H6) no waste, cumulative: pack B_ik - q R_ik <= q P_i - S_i + pack - 1 (switch when < 0)
    (H7) reserve of each tier, every day (allocator.plan.cuts)
    (H8) capacity: c_ik <= (P + R_ik)/E, (S + pack B_ik)/(q E), l + (1 - l) P_ik / T
    (H9) integer envelopes of each term and each pair of terms (allocator.plan.cuts)
    (H10) z_k <= R_Lk for each listed link L with members
Objectives (lexicographic)
    stage 1  max sum_k m_k z_k
    stage 2  max sum_k m_k sum_i w v c_ik, holding (H11) sum_k m_k z_k >= z1 - 1e-6
    stage 3  min sum_i (B_iK + P_iK - B0 - P0) + sum y, holding (H12) output >= z2 (1 - 1e-6)
"""

from __future__ import annotations

import numpy as np

from allocator.model.formulation import LINK_SCALE
from allocator.plan import cuts
from allocator.plan.columns import Week, WeekFormulation, add_columns, fresh_c
from allocator.plan.problem import Horizon

INF = float("inf")


def build(horizon: Horizon) -> WeekFormulation:
    """The week's model: columns for every model day, then each family of rows (numbered above)."""
    f, w = WeekFormulation(), Week(horizon)
    f.days = np.array([m for _, m in horizon.blocks], dtype=np.int64)
    f.positions = np.array([k for k, _ in horizon.blocks], dtype=np.int64)
    add_columns(f, w)
    _monotone_rows(f)
    _supply_rows(f, w)
    _bus_rows(f, w)
    _capacity_rows(f, w)
    cuts.envelope_rows(f, w)
    cuts.no_waste_rows(f, w)
    cuts.reserve_rows(f, w)
    _link_rows(f, w)
    _objective_weights(f, w)
    return f


def _monotone_rows(f: WeekFormulation) -> None:
    """(H1) what a firm holds never falls: x_ik - x_i,k-1 >= 0 where day k has its own column."""
    for cols in (f.rs, f.bs, f.ps):
        for k in range(1, len(f.days)):
            i = np.flatnonzero((cols[k] >= 0) & (cols[k] != cols[k - 1]))
            f.add_rows([(cols[k, i], 1.0), (cols[k - 1, i], -1.0)], 0.0, INF, len(i))


def _supply_rows(f: WeekFormulation, w: Week) -> None:
    """(H2)-(H4) the cumulative stores of boxes and passes, the day's buses (constants moved right)."""
    h = w.horizon
    rows: dict[str, list[int]] = {"boxes": [], "passes": [], "buses": []}
    for k, at in enumerate(f.positions):
        for kind, cols, held in (("boxes", f.bs[k], w.B0), ("passes", f.ps[k], w.P0)):
            fixed = float(held[cols < 0].sum())
            store = float(getattr(h, kind)[at])
            rows[kind].append(f.add_sum_row(cols, 1.0, -INF, store - fixed))
        rows["buses"].append(f.add_sum_row(f.ys[k], 1.0, -INF, float(h.buses[at])))
    f.day_supply_rows = {kind: np.array(r, dtype=np.int64) for kind, r in rows.items()}


def _bus_rows(f: WeekFormulation, w: Week) -> None:
    """(H5) seats, (H5') the last bus part-full and (H5'') strong linking, for each group and day."""
    group, seats = w.problem.group, float(w.seats)
    riders = np.flatnonzero(w.has_r)
    groups = group[riders]
    room = np.bincount(groups, weights=w.ub_r[riders] - w.R0[riders], minlength=w.horizon.groups)
    for k in range(len(f.days)):
        used = np.flatnonzero(f.ys[k] >= 0)
        if not len(used):
            continue
        today, before = f.rs[k, riders], f.rs[k - 1, riders] if k > 0 else np.full(len(riders), -1)
        held = np.where(before >= 0, 0.0, w.R0[riders])  # day 0: what they hold is a constant
        right = np.bincount(groups, weights=held, minlength=len(room))
        row = np.full(len(room), -1, dtype=np.int64)
        row[used] = f.add_rows([(f.ys[k, used], -seats)], -INF, right[used], len(used))  # (H5)
        f.add_entries(row[groups], today, 1.0)
        f.add_entries(row[groups], before, -1.0)
        most = np.concatenate(f.col_upper)[f.ys[k, used]]
        kk = np.ceil(room[used] / seats - 1e-9)
        rho = room[used] - seats * (kk - 1)
        keep = (rho < seats - 1e-9) & (most >= kk)
        g = used[keep]
        envelope = np.full(len(room), -1, dtype=np.int64)  # (H5')
        envelope[g] = f.add_rows([(f.ys[k, g], -rho[keep])], -INF, (kk[keep] - 1) * (seats - rho[keep]) + right[g],
                                 len(g))
        f.add_entries(envelope[groups], today, 1.0)
        f.add_entries(envelope[groups], before, -1.0)
        on = f.ys[k, groups] >= 0  # (H5'')
        link = np.minimum(w.ub_r[riders] - w.R0[riders], seats)
        f.add_rows([(np.where(on, today, -1), 1.0), (np.where(on, before, -1), -1.0),
                    (np.where(on, f.ys[k, groups], -1), -link)], -INF, np.where(on, held, 0.0), len(riders))


def _capacity_rows(f: WeekFormulation, w: Week) -> None:
    """(H8), normalised so that c has coefficient 1, on each day with its own c column."""
    for k in range(len(f.days)):
        fresh = fresh_c(f, k)
        i = np.flatnonzero(fresh & w.has_r)
        f.add_rows([(f.cs[k, i], 1.0), (f.rs[k, i], -1.0 / w.E[i])], -INF, w.P[i] / w.E[i], len(i))
        i = np.flatnonzero(fresh & w.has_b & w.var)
        f.add_rows([(f.cs[k, i], 1.0), (f.bs[k, i], -w.pack / (w.q * w.E[i]))], -INF, w.S[i] / (w.q * w.E[i]), len(i))
        i = np.flatnonzero(fresh & w.has_p)
        f.add_rows([(f.cs[k, i], 1.0), (f.ps[k, i], -(1 - w.share) / w.T[i])], -INF, w.share, len(i))


def _link_rows(f: WeekFormulation, w: Week) -> None:
    """(H10) Z_k <= LINK_SCALE x recovery of each listed link with members (only when stage 1 applies).
    Scaled as in the one-day model: unscaled, a week's stage 1 stopped 1.0e-8 short of its optimum
    (35/39), below HiGHS's tolerances, and could not be claimed optimal."""
    p = w.problem
    if not p.stage1_active:
        return
    members = [p.link_members(link) for link in p.links]
    lowest = min(float(w.v[m] @ w.cstart[m] / w.v[m].sum()) for m in members)
    scale = f.z_scale = LINK_SCALE
    for k in range(len(f.days)):
        f.zs[k] = f.add_cols(np.array([lowest * scale]), np.array([scale]), False)[0]
        for m in members:
            total = w.v[m].sum()
            fixed = float(w.v[m][~w.var[m]] @ w.cstart[m][~w.var[m]] / total)
            movable = m[w.var[m]]
            row = f.add_sum_row(np.append(f.cs[k, movable], f.zs[k]), np.append(scale * w.v[movable] / total, -1.0),
                                -scale * fixed, INF)
            f.link_rows.append(row)


def _objective_weights(f: WeekFormulation, w: Week) -> None:
    """Stage 2's costs (m_k w v on each day's c, a shared column summing its days) and stage 3's constant."""
    weight = w.problem.weight * w.v
    f.output_weight = np.zeros(f.num_cols)
    for k, days in enumerate(f.days):
        i = np.flatnonzero(f.cs[k] >= 0)
        np.add.at(f.output_weight, f.cs[k, i], days * weight[i])
    f.constant_output = float(f.days.sum() * (weight[~w.var] @ w.cstart[~w.var]))
    f.unit_offset = -float(w.B0[f.bs[-1] >= 0].sum() + w.P0[f.ps[-1] >= 0].sum())
