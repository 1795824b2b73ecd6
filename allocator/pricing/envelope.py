"""Large bus groups priced over their firms' concave envelopes: a bound a hair looser, far faster.

Combining a group's firms exactly (:mod:`allocator.pricing.seating`) takes about riders x seats
additions: the concentrated family at 10,000 firms has a group of 2,316 firms and 191,566
waiting workers under 500 buses of 50 seats, 9.8 billion additions an evaluation in all, 3 s
compiled.  For such a group each firm's curve is replaced by its upper concave envelope, and
the best split of S seats over concave curves is greedy: the steepest pieces first, the last
one in part.  That value is at least the exact best (each envelope lies on or above its
curve), so the bound stays a bound; and the greedy takes every piece whole but one, whose
firm alone may sit between two corners of its envelope, so it exceeds the exact best by at
most one firm's rise of its envelope above its curve.  The split handed back is whole: the
pieces taken and the last one's seats in part, within the seats, worth its curves' values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Envelopes:
    """Some bus groups' firms' envelope pieces, each group's sorted steepest first.  Firms and
    groups are numbered as given to :meth:`of` (rider firms in group order)."""

    group_start: np.ndarray  # per group and the end: its first firm
    piece_start: np.ndarray  # per group and the end: its first piece
    firm: np.ndarray  # per piece: its firm
    length: np.ndarray  # per piece: its seats
    rise: np.ndarray  # per piece: its worth
    seats_to: np.ndarray  # per piece: the seats of the group's pieces up to it, itself included
    worth_to: np.ndarray  # the same for worth
    base: np.ndarray  # per group: its worth with no worker back

    @classmethod
    def of(cls, curves: np.ndarray, starts: np.ndarray, riders: np.ndarray, group_start: np.ndarray) -> Envelopes:
        owner = np.repeat(np.arange(len(starts)), riders + 1)
        seat = np.arange(len(owner)) - np.repeat(np.cumsum(riders + 1) - (riders + 1), riders + 1)
        worth = curves[starts[owner] + seat]
        kept = _corners(owner, seat, worth)
        firm, length, rise = owner[kept][1:], np.diff(seat[kept]), np.diff(worth[kept])
        piece = (firm == owner[kept][:-1]) & (rise > 0)  # between two corners of one firm, rising
        firm, length, rise = firm[piece], length[piece], rise[piece]
        group = np.searchsorted(group_start, firm, side="right") - 1
        # steepest first within each group; a firm's own pieces fall in slope, so stay in order
        order = np.lexsort((np.arange(len(firm)), -rise / length, group))
        firm, length, rise, group = firm[order], length[order], rise[order], group[order]
        piece_start = np.searchsorted(group, np.arange(len(group_start)))
        # running sums group by group: one over all groups, less each group's start, would lose a
        # small group's worth to the rounding of a large one's before it
        seats_to, worth_to = np.empty(len(length), dtype=np.int64), np.empty(len(rise))
        for lo, hi in zip(piece_start[:-1], piece_start[1:], strict=True):
            seats_to[lo:hi], worth_to[lo:hi] = np.cumsum(length[lo:hi]), np.cumsum(rise[lo:hi])
        base = np.add.reduceat(curves[starts], group_start[:-1]) if len(group_start) > 1 else np.zeros(0)
        return cls(group_start, piece_start, firm, length, rise, seats_to, worth_to, base)

    def worth(self, g: int, seats: np.ndarray) -> np.ndarray:
        """Group g's envelope worth with at most each of ``seats`` riders."""
        lo, hi = self.piece_start[g], self.piece_start[g + 1]
        to, gained = np.r_[0, self.seats_to[lo:hi]], np.r_[0.0, self.worth_to[lo:hi]]
        slope = np.r_[self.rise[lo:hi] / self.length[lo:hi], 0.0]  # past the last piece: flat
        whole = np.searchsorted(self.seats_to[lo:hi], seats, side="right")  # pieces taken whole
        return self.base[g] + gained[whole] + (seats - to[whole]) * slope[whole]

    def seated(self, g: int, seats: int) -> np.ndarray:
        """Each of group g's firms' riders in the greedy split of ``seats``: whole pieces, then
        the next piece's seats in part (whole workers)."""
        lo, hi = self.piece_start[g], self.piece_start[g + 1]
        first, end = self.group_start[g], self.group_start[g + 1]
        whole = int(np.searchsorted(self.seats_to[lo:hi], seats, side="right"))
        back = np.bincount(self.firm[lo:lo + whole] - first, weights=self.length[lo:lo + whole], minlength=end - first)
        if whole < hi - lo:
            back[self.firm[lo + whole] - first] += seats - np.r_[0, self.seats_to[lo:hi]][whole]
        return back.astype(np.int64)


def _corners(owner: np.ndarray, seat: np.ndarray, worth: np.ndarray) -> np.ndarray:
    """Which points are corners of their firm's upper concave envelope.

    Points on or below the chord of their neighbours are not corners; dropping every such
    point at once is safe (each lies on or below a segment between two points still there),
    and what remains when none is left is concave: the envelope.  A pass takes a numpy call
    over the points of the firms the pass before changed: real curves need 10 to 12 passes, a
    firm whose last point rises above a long concave run one pass a point (4,000 points: 11 s
    when every pass scanned every firm)."""
    alive = np.ones(len(owner), dtype=bool)
    at = np.arange(len(owner))
    while len(at) > 2:
        o, x, y = owner[at], seat[at].astype(float), worth[at]
        inner = (o[1:-1] == o[:-2]) & (o[1:-1] == o[2:])
        below = (y[1:-1] - y[:-2]) * (x[2:] - x[:-2]) <= (y[2:] - y[:-2]) * (x[1:-1] - x[:-2])
        dropped = at[1:-1][inner & below]
        if not len(dropped):
            break
        alive[dropped] = False
        changed = np.zeros(owner[-1] + 1, dtype=bool)
        changed[owner[dropped]] = True
        at = at[alive[at] & changed[owner[at]]]  # a firm with nothing dropped is concave: done
    return np.flatnonzero(alive)

