"""Valid inequalities: rows that no whole plan violates but that cut the LP's fractional points.

(C9) the integer envelope of each capacity term of one integer decision, and (C9') of
each pair of terms of one firm: the LP may otherwise buy a fraction of the last box, pass
or worker that lifts c to a kink.  On Keqiao without chain balance they take stage 2's LP
bound from 125,707 to 125,382 against an optimum of 125,303.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from allocator.model.formulation import Formulation, _Data

INF = float("inf")


def envelope_rows(f: Formulation, d: _Data) -> None:
    """(C9) c <= g(f) + (c_max - g(f)) (x - f): the integer envelope of min(c_max, g(x))."""
    i = np.flatnonzero(d.has_r)
    _envelope(f, i, f.r[i], d.P[i] / d.E[i], 1.0 / d.E[i], d.cmax[i])
    i = np.flatnonzero(d.has_b & d.var)
    _envelope(f, i, f.b[i], d.S[i] / (d.q * d.E[i]), d.pack / (d.q * d.E[i]), d.cmax[i])
    i = np.flatnonzero(d.has_p)
    _envelope(f, i, f.p[i], np.full(len(i), d.share), (1 - d.share) / d.T[i], d.cmax[i])


def _envelope(f: Formulation, firms: np.ndarray, x: np.ndarray, base: np.ndarray, slope: np.ndarray, top: np.ndarray) -> None:
    floor = np.floor((top - base) / slope + 1e-9)
    at_floor = base + slope * floor
    rise = top - at_floor
    keep = (rise > 1e-7) & (rise < slope - 1e-9)  # the cut is strictly tighter than (C8)
    firms, x, floor, at_floor, rise = firms[keep], x[keep], floor[keep], at_floor[keep], rise[keep]
    f.add_rows([(f.c[firms], 1.0), (x, -rise)], -INF, at_floor - rise * floor, len(firms))


def _terms(f: Formulation, d: _Data) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each capacity term as (column, value at 0, slope) per firm; column -1 where absent."""
    with np.errstate(divide="ignore", invalid="ignore"):
        masks = (f.b, d.S / (d.q * d.E), d.pack / (d.q * d.E))
        freight = (f.p, np.full(d.n, d.share), (1 - d.share) / d.T)
    return {"workers": (f.r, d.P / d.E, 1.0 / d.E), "masks": masks, "freight": freight}


def mixing_rows(f: Formulation, d: _Data) -> None:
    """(C9') c <= g(f) + (h0 - g(f)) (x - f) + slope_h y for two terms g(x), h(y) of one firm.

    Where term g reaches h's value at y = 0 between two integers f and f + 1, an
    integer x must pass f + 1 to lift c to h0, and only y lifts it further; the row is
    valid at every integer point and cuts off the fractional x the LP would buy.
    """
    terms = _terms(f, d)
    for gx, hy in [(a, b) for a in terms for b in terms if a != b]:
        xcol, g0, gs = terms[gx]
        ycol, h0, hs = terms[hy]
        i = np.flatnonzero((xcol >= 0) & (ycol >= 0) & d.var)
        i = i[(h0[i] < d.cmax[i] - 1e-9) & (g0[i] < h0[i] - 1e-9)]
        floor = np.floor((h0[i] - g0[i]) / gs[i] + 1e-9)
        at_floor = g0[i] + gs[i] * floor
        rise = h0[i] - at_floor
        upper = np.concatenate(f.col_upper)[xcol[i]]
        keep = (rise > 1e-7) & (floor + 1 <= upper)
        i, floor, at_floor, rise = i[keep], floor[keep], at_floor[keep], rise[keep]
        f.add_rows([(f.c[i], 1.0), (xcol[i], -rise), (ycol[i], -hs[i])], -INF, at_floor - rise * floor, len(i))
