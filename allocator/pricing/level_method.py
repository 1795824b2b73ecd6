"""Minimising a convex function known only by values and subgradients: the level bundle method.

The priced bound is such a function of the prices (a maximum of linear functions, one
per plan), and the LP's duals are a poor place to stop at: on Keqiao's guided stage 2
they leave the bound 7.1e-4 above the optimum, while the best prices leave 1.5e-5.
Plain subgradient steps crawl along its narrow valleys, and cutting planes alone
(Kelley) jump about; the level method (Lemaréchal, Nemirovskii and Nesterov, 1995)
keeps every cut, asks the cuts for a lower estimate, and moves the best point the least
distance that the cuts say could reach a level between the two.  Its lower estimate
also says how much better prices could still do.  Each step is one LP and one QP over
a handful of prices (HiGHS), so the evaluations are the whole cost.

The search only ever reports a value it evaluated, so a bound taken from it is valid
whatever the method does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from allocator import progress

#: Where the next point aims: this far from the cuts' lower estimate towards the best value,
#: but no further below the best value than the stride, which starts at STRIDE (relative),
#: and doubles after each step that gained half of what it aimed at.
#: Early on the estimate is far below (the corners of a wide box), and aiming there throws
#: the point across the box: on Keqiao's stage 2 the first 15 evaluations gained nothing.
LEVEL = 0.3
STRIDE = 1e-4
#: Prices move within [0, SPREAD x the start] (coordinates scaled by the start).
SPREAD = 30.0
#: HiGHS's QP solver can stall on these small, degenerate projections (seen on Keqiao's
#: stage 3: minutes without an answer), so each LP or QP gets this many iterations; one
#: that does not finish ends the search with the best value so far.
STEP_ITERATIONS = 2_000

Oracle = Callable[[np.ndarray], tuple[float, np.ndarray]]


def minimise(oracle: Oracle, start: np.ndarray, evaluations: int, deadline: float | None = None,
             enough: float = -np.inf, tolerance: float = 1e-7, threads: int = 1) -> tuple[float, np.ndarray]:
    """The lowest value found and where, from ``start`` (>= 0) over x >= 0.

    Coordinates that start at 0 stay there (prices the LP found worthless); the search
    stops after ``evaluations``, at ``deadline`` (``time.perf_counter``), at a value of
    ``enough`` or less, or when the cuts prove the best value within ``tolerance``
    (relative) of the minimum in the box.  ``threads`` must be what every other HiGHS in the
    process uses: HiGHS has one scheduler per process, and a run asking for another count
    fails (a search after a --threads 2 model stopped at its first step).
    """
    start = np.asarray(start, dtype=float)
    moving = np.flatnonzero(start > 0)
    scale = start[moving]

    def scaled(u: np.ndarray) -> tuple[float, np.ndarray]:
        x = start.copy()
        x[moving] = u * scale
        value, slope = oracle(x)
        return value, slope[moving] * scale

    u = np.ones(len(moving))
    began = time.perf_counter()
    best, slope = scaled(u)
    best_u, cuts = u, [(u, best, slope)]
    stride = STRIDE * max(1.0, abs(best))
    below = np.inf  # how far the cuts' lower estimate was below the best value at the last step
    for done in range(1, evaluations):
        each = (time.perf_counter() - began) / done
        if not len(moving) or best <= enough or (deadline is not None and time.perf_counter() + each > deadline) \
                or progress.stopping():
            break
        # values as (value - best) / unit: HiGHS's QP failed on raw ones, and on a unit far above the
        # gap (the stride had doubled to 1.4e4 with 1.2e-4 left: the level then lay within the QP's
        # tolerance of the cuts, and it returned the same point 35 times)
        frame = (best, min(stride, max(below, tolerance * max(1.0, abs(best)))))
        lowest = _solve(cuts, None, None, threads, frame)
        if lowest is None or best - lowest[-1] <= tolerance * max(1.0, abs(best)):
            break
        below = best - lowest[-1]
        aim = max(lowest[-1] + LEVEL * below, best - stride)
        u = _solve(cuts, aim, best_u, threads, (best, min(stride, below)))
        u = np.maximum((lowest if u is None else u)[:-1], 0.0)  # a stalled projection: the cuts' own minimum
        if any(np.array_equal(u, cut[0]) for cut in cuts):
            break  # a point evaluated already adds no cut: every step after it would repeat it
        value, slope = scaled(u)
        cuts.append((u, value, slope))
        stride = stride * 2 if value <= best - 0.5 * (best - aim) else stride
        if value < best:
            best, best_u = value, u
    x = start.copy()
    x[moving] = best_u * scale
    return best, x


def _solve(cuts, level: float | None, centre: np.ndarray | None, threads: int,
           frame: tuple[float, float]) -> np.ndarray | None:
    """Over (u, t) in the box with t >= f_i + g_i (u - u_i) for every cut: the point of least t (the
    cuts' minimum, t its lower estimate), or with t <= level the point nearest ``centre``.

    Values enter as (value - origin) / unit for ``frame`` = (origin, unit): at 100,000 firms
    raw values near 1.26e6 made HiGHS's QP return a corner of the box as "optimal" (its
    primal-dual error 0.99), and the search gained nothing for 20 evaluations.
    """
    import highspy

    from allocator.backends.highs import quiet_highs

    n = len(cuts[0][0])
    h = quiet_highs()
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("qp_iteration_limit", STEP_ITERATIONS)
    h.setOptionValue("simplex_iteration_limit", STEP_ITERATIONS)
    inf = highspy.kHighsInf
    origin, unit = frame
    top = inf if level is None else (level - origin) / unit
    h.addVars(n + 1, np.r_[np.zeros(n), -inf], np.r_[np.full(n, SPREAD), top])
    columns = np.arange(n + 1, dtype=np.int32)
    for point, value, slope in cuts:
        slope = slope / unit
        h.addRow((value - origin) / unit - slope @ point, inf, n + 1, columns, np.r_[-slope, 1.0])
    if level is None:
        h.changeColsCost(n + 1, columns, np.r_[np.zeros(n), 1.0])
    else:
        h.changeColsCost(n + 1, columns, np.r_[-2.0 * centre, 0.0])
        hessian = highspy.HighsHessian()
        hessian.dim_ = n + 1
        hessian.format_ = highspy.HessianFormat.kTriangular
        hessian.start_ = np.r_[np.arange(n + 1), n].astype(np.int32)
        hessian.index_ = np.arange(n, dtype=np.int32)
        hessian.value_ = np.full(n, 2.0)
        h.passHessian(hessian)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = np.array(h.getSolution().col_value)
    solution[-1] = origin + unit * solution[-1]
    return solution
