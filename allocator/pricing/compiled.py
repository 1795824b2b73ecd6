"""The bus groups' max-plus knapsacks, compiled (numba).

Only imported for large models (see :data:`allocator.pricing.seating.COMPILED_FROM`): importing
numba and loading these functions costs about 0.45 s, and compiling them the first time on a
machine a few seconds (then cached beside this file), more than a 1,000-firm solve takes in all.
Each does the arithmetic of its numpy twin in :mod:`allocator.pricing.seating` (the same sums,
then maxima, first maximum on ties), so both give the same floats bit for bit and
``--deterministic`` exports do not depend on which ran; tests/pricing/test_seating.py holds it.
(A tie of -0.0 with 0.0 may keep a different zero; the priced bound's curves hold no -0.0.)
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def combine(curves, starts, riders, group_start, caps):
    """Every group's combined curves, firm after firm, end to end, and the length of each.

    Firm k's curve is ``curves[starts[k]: starts[k] + riders[k] + 1]``; within a group, the
    combined curve of its first firms and firm k is max-plus of the one before and firm k's,
    cut at the group's cap.
    """
    lengths = np.empty(len(starts), np.int64)
    for g in range(len(group_start) - 1):
        size = 1  # no firm yet: zero riders
        for k in range(group_start[g], group_start[g + 1]):
            size = min(size + riders[k], caps[g])
            lengths[k] = size
    out = np.empty(lengths.sum(), np.float64)
    at = 0
    for g in range(len(group_start) - 1):
        first = group_start[g]
        out[at: at + lengths[first]] = curves[starts[first]: starts[first] + lengths[first]]
        for k in range(first + 1, group_start[g + 1]):
            before, size, to = lengths[k - 1], lengths[k], at + lengths[k - 1]
            out[to: to + size] = -np.inf
            for j in range(riders[k] + 1):
                value, reach = curves[starts[k] + j], min(before, size - j)
                # slices, not offsets into one array: numba then knows they do not overlap and vectorises
                earlier, later = out[at: at + reach], out[to + j: to + j + reach]
                for i in range(reach):
                    candidate = earlier[i] + value
                    if candidate > later[i]:
                        later[i] = candidate
            at = to
        at += lengths[group_start[g + 1] - 1]
    return out, lengths


@njit(cache=True)
def seat(curves, starts, riders, group_start, combined, at, lengths, limits):
    """Each firm's riders in its group's best plan with at most ``limits[g]`` seats: the seats
    reached go back firm by firm, last first, each taking the share that does best with the
    combined curve of the firms before it."""
    back = np.zeros(len(starts), np.int64)
    for g in range(len(group_start) - 1):
        first, last = group_start[g], group_start[g + 1] - 1
        seats, best = 0, -np.inf
        for t in range(limits[g] + 1):
            if combined[at[last] + t] > best:
                seats, best = t, combined[at[last] + t]
        for k in range(last, first, -1):
            share, best = max(0, seats - lengths[k - 1] + 1), -np.inf
            chosen = share
            while share <= min(riders[k], seats):
                value = combined[at[k - 1] + seats - share] + curves[starts[k] + share]
                if value > best:
                    chosen, best = share, value
                share += 1
            back[k] = chosen
            seats -= chosen
        back[first] = seats
    return back


@njit(cache=True)
def by_buses(combined, at, lengths, group_start, bus_seats, counts):
    """Each group's best worth with 0, 1, ... counts[g] - 1 buses, end to end: the best of its
    combined curve up to the seats of y buses."""
    worth = np.empty(counts.sum(), np.float64)
    to = 0
    for g in range(len(group_start) - 1):
        last = group_start[g + 1] - 1
        most, best, t = lengths[last] - 1, -np.inf, 0
        for y in range(counts[g]):
            while t <= min(y * bus_seats, most):
                if combined[at[last] + t] > best:
                    best = combined[at[last] + t]
                t += 1
            worth[to] = best
            to += 1
    return worth
