"""The week's rows that concern one firm's own inputs: envelopes, no waste, and tier reserves.

(H9) are valid inequalities, the integer envelope of each capacity term of one cumulative
integer decision and of each pair of terms of one firm (the one-day model's (C9), (C9'),
see allocator.model.cuts): they hold at every whole plan, whatever the firm held before.
(H6) and (H7) are the SPEC's no-waste and reserve rules on cumulative amounts, every day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allocator.plan.columns import fresh, fresh_c

if TYPE_CHECKING:
    from allocator.plan.columns import Week, WeekFormulation

INF = float("inf")


def _terms(f: WeekFormulation, w: Week, k: int) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each capacity term on day k as (column, value at 0, slope) per firm; column -1 where absent."""
    with np.errstate(divide="ignore", invalid="ignore"):
        masks = (f.bs[k], w.S / (w.q * w.E), w.pack / (w.q * w.E))
        freight = (f.ps[k], np.full(w.n, w.share), (1 - w.share) / w.T)
    if w.q <= 0:
        masks = (np.full(w.n, -1, dtype=np.int64), *masks[1:])
    return {"workers": (f.rs[k], w.P / w.E, 1.0 / w.E), "masks": masks, "freight": freight}


def envelope_rows(f: WeekFormulation, w: Week) -> None:
    """(H9) c <= g(f) + (c_max - g(f)) (x - f) for each term g of one integer x, and the pairs (C9')."""
    upper = f.upper()
    for k in range(len(f.days)):
        own = fresh_c(f, k) & w.var
        terms = _terms(f, w, k)
        for x, base, slope in terms.values():
            i = np.flatnonzero(own & (x >= 0))
            _envelope(f, f.cs[k, i], x[i], base[i], slope[i], w.cmax[i])
        for gx, hy in [(a, b) for a in terms for b in terms if a != b]:
            xcol, g0, gs = terms[gx]
            ycol, h0, hs = terms[hy]
            i = np.flatnonzero(own & (xcol >= 0) & (ycol >= 0))
            i = i[(h0[i] < w.cmax[i] - 1e-9) & (g0[i] < h0[i] - 1e-9)]
            floor = np.floor((h0[i] - g0[i]) / gs[i] + 1e-9)
            at_floor = g0[i] + gs[i] * floor
            rise = h0[i] - at_floor
            keep = (rise > 1e-7) & (floor + 1 <= upper[xcol[i]])
            i, floor, at_floor, rise = i[keep], floor[keep], at_floor[keep], rise[keep]
            f.add_rows([(f.cs[k, i], 1.0), (xcol[i], -rise), (ycol[i], -hs[i])], -INF, at_floor - rise * floor, len(i))


def _envelope(f: WeekFormulation, c: np.ndarray, x: np.ndarray, base: np.ndarray, slope: np.ndarray,
              top: np.ndarray) -> None:
    floor = np.floor((top - base) / slope + 1e-9)
    at_floor = base + slope * floor
    rise = top - at_floor
    keep = (rise > 1e-7) & (rise < slope - 1e-9)  # strictly tighter than (H8)
    f.add_rows([(c[keep], 1.0), (x[keep], -rise[keep])], -INF, at_floor[keep] - rise[keep] * floor[keep], int(keep.sum()))


def no_waste_rows(f: WeekFormulation, w: Week) -> None:
    """(H6) pack B - q R <= q P - S + pack - 1 =: K each day, a switch s (B >= 1) where K < 0.

    Firms without workers to return have cap(R0) as their bound; reserved firms get (H7)'s exact caps."""
    both = w.has_b & w.has_r & ~w.reserved
    right = w.q * w.P - w.S + w.pack - 1
    upper = f.upper()
    for k in range(len(f.days)):
        today = both & (fresh(f.bs, k) | fresh(f.rs, k))
        i = np.flatnonzero(today & (right >= 0))
        f.add_rows([(f.bs[k, i], w.pack), (f.rs[k, i], -w.q)], -INF, right[i], len(i))
        i = np.flatnonzero(today & (right < 0))
        s = f.add_cols(np.zeros(len(i)), np.ones(len(i)), True)
        f.week_aux.append(("gets_boxes", k, s, i))
        f.add_rows([(f.bs[k, i], 1.0), (s, -upper[f.bs[k, i]])], -INF, 0.0, len(i))
        f.add_rows([(f.bs[k, i], w.pack), (f.rs[k, i], -w.q), (s, -right[i])], -INF, 0.0, len(i))


def reserve_rows(f: WeekFormulation, w: Week) -> None:
    """(H7) every day: a reserved tier holds its reserve, or every eligible member is at its cap."""
    h, p = w.horizon, w.problem
    for tier in h.reserved_tiers():
        members = np.flatnonzero((p.instance.tier == tier) & p.eligible)
        for k, at in enumerate(f.positions):
            reserve = float(h.reserve[tier][at])
            if reserve <= 0:
                continue
            boxes = f.bs[k, members]
            with_r = members[(boxes >= 0) & (f.rs[k, members] >= 0)]
            fixed = members[~np.isin(members, with_r)]
            held = float(w.B0[members][boxes < 0].sum())  # boxes of members without a column
            u = _exact_caps(f, w, k, with_r)
            f.add_rows([(f.bs[k, with_r], 1.0), (u, -1.0)], -INF, 0.0, len(with_r))
            constant_cap = float(w.cap_start[fixed].sum())
            top = float(w.cap_full[with_r].sum()) + constant_cap
            g = int(f.add_cols(np.zeros(1), np.ones(1), True)[0])
            f.switches[(tier, k)] = g
            f.add_sum_row(np.append(boxes, g), np.append(np.ones(len(boxes)), -reserve), -held, INF)
            cols = np.concatenate([boxes, u, [g]])
            coef = np.concatenate([np.ones(len(boxes)), -np.ones(len(u)), [top]])
            f.add_sum_row(cols, coef, constant_cap - held, INF)


def _exact_caps(f: WeekFormulation, w: Week, k: int, firms: np.ndarray) -> np.ndarray:
    """u = max(0, ceil((q (P + R) - S) / pack)) exactly on day k, with a switch where it can be 0."""
    u = f.add_cols(w.cap_start[firms], w.cap_full[firms], True)
    f.week_aux.append(("cap", k, u, firms))
    base = w.q * w.P[firms] - w.S[firms]
    right = base + w.pack - 1
    r = f.rs[k, firms]
    f.add_rows([(u, w.pack), (r, -w.q)], base, INF, len(firms))  # pack u >= q (P + R) - S
    i = np.flatnonzero(right >= 0)
    f.add_rows([(u[i], w.pack), (r[i], -w.q)], -INF, right[i], len(i))
    i = np.flatnonzero(right < 0)
    s = f.add_cols(np.zeros(len(i)), np.ones(len(i)), True)
    f.week_aux.append(("cap_on", k, s, firms[i]))
    f.add_rows([(u[i], 1.0), (s, -w.cap_full[firms[i]])], -INF, 0.0, len(i))
    f.add_rows([(u[i], w.pack), (r[i], -w.q), (s, -right[i])], -INF, 0.0, len(i))
    return u
