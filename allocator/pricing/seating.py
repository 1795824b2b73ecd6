"""The bus groups' firms combined over their seats: the max-plus knapsacks of the priced bound.

Each firm's curve is its best worth with 0, 1, ... workers back; a group's best with y buses
is the best split of seats * y riders among its firms.  Every group is combined at once into
flat arrays, so that large models can run it compiled (:mod:`allocator.pricing.compiled`): at
100,000 firms it is about 345 million additions an evaluation, 0.9 s of a 1.3 s evaluation in
numpy and 0.2 s compiled.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np

from allocator.pricing.envelope import Envelopes

#: Additions an evaluation (see :func:`group_work`) from which the compiled kernels pay for loading
#: numba (about 0.45 s a process): numpy takes about 2.5 ns an addition, compiled 0.5 ns, and a
#: price search runs tens of evaluations.  The province needs 345 million, the concentrated
#: family 96 million at 1,000 firms; the other families stay below 10 million at 10,000 firms.
COMPILED_FROM = 50_000_000


#: Additions from which one group is priced over its firms' concave envelopes instead
#: (:mod:`allocator.pricing.envelope`): about 50 ms compiled for that group alone, each evaluation.
#: The concentrated family at 10,000 firms has six groups of 0.12 to 4.5 billion; the province's
#: largest needs 59 million and stays exact (its envelope would be up to 5.7 above it, 4e-4).
ENVELOPE_FROM = 100_000_000


@dataclass(frozen=True)
class Seatings:
    """Every bus group's firms combined over seats: each group's best worth with 0, 1, ... buses
    and, for any bus counts, each firm's riders.  Rider firms are in group order: group g's are
    ``group_start[g]: group_start[g + 1]``."""

    group_start: np.ndarray
    by_buses: np.ndarray  # each group's best worth with 0, 1, ... buses (the buses not paid for), end to end
    bus_start: np.ndarray  # per group and the end: where its worths start in ``by_buses``
    most: np.ndarray  # per group: the most riders its most buses can seat
    bus_seats: int
    large: np.ndarray  # per group: priced over its firms' envelopes (a bound; its split is a plan)
    exact: _Exact  # the other groups, combined exactly
    envelopes: Envelopes | None  # the large groups

    @classmethod
    def of(cls, curves: np.ndarray, starts: np.ndarray, riders: np.ndarray, group_start: np.ndarray,
           bus_seats: int, most_buses: np.ndarray, compiled: bool = False, large: np.ndarray | None = None
           ) -> Seatings:
        """Riders beyond the seats of a group's most buses cannot ride, so its combined curves
        stop there: a group of 3,000 firms and 20,000 waiting workers (the concentrated family)
        took a minute an evaluation and 3 GiB with curves over every worker."""
        caps = bus_seats * most_buses + 1
        sizes = np.diff(group_start)
        large = np.zeros(len(sizes), dtype=bool) if large is None else large
        most = np.minimum(np.add.reduceat(riders, group_start[:-1]), caps - 1) if len(sizes) else caps
        counts = np.minimum(-(-most // bus_seats), most_buses) + 1
        bus_start = np.r_[0, np.cumsum(counts)].astype(np.int64)
        by_buses = np.empty(bus_start[-1])
        small, firms = ~large, np.repeat(~large, sizes)
        exact = _Exact.of(curves, starts[firms], riders[firms], np.r_[0, np.cumsum(sizes[small])].astype(np.int64),
                          bus_seats, caps[small], counts[small], compiled)
        by_buses[np.flatnonzero(np.repeat(small, counts))] = exact.by_buses
        envelopes = None
        if large.any():
            firms = np.repeat(large, sizes)
            envelopes = Envelopes.of(curves, starts[firms], riders[firms],
                                     np.r_[0, np.cumsum(sizes[large])].astype(np.int64))
            for j, g in enumerate(np.flatnonzero(large)):
                seats = np.minimum(np.arange(counts[g]) * bus_seats, most[g])
                by_buses[bus_start[g]: bus_start[g + 1]] = envelopes.worth(j, seats)
        return cls(group_start, by_buses, bus_start, most, bus_seats, large, exact, envelopes)

    @property
    def bus_counts(self) -> np.ndarray:
        """Alongside ``by_buses``: the bus count of each entry."""
        return np.arange(len(self.by_buses)) - np.repeat(self.bus_start[:-1], np.diff(self.bus_start))

    def best_buses(self, bus_price: float) -> tuple[np.ndarray, float]:
        """Each group's bus count with the most worth less ``bus_price`` a bus (the fewest on a
        tie), and the sum of those worths."""
        priced = self.by_buses - bus_price * self.bus_counts
        if not len(priced):
            return np.zeros(0, dtype=np.int64), 0.0
        sizes = np.diff(self.bus_start)
        best = np.repeat(np.maximum.reduceat(priced, self.bus_start[:-1]), sizes)
        hits = np.flatnonzero(priced == best)
        group = np.repeat(np.arange(len(sizes)), sizes)[hits]
        first = hits[np.r_[True, group[1:] != group[:-1]]]
        return first - self.bus_start[:-1], float(priced[first].sum())

    def worth_lists(self, bus_price: float) -> list[np.ndarray]:
        """Each group's worth with 0, 1, ... buses less ``bus_price`` a bus, one array a group."""
        if len(self.bus_start) == 1:
            return []
        return np.split(self.by_buses - bus_price * self.bus_counts, self.bus_start[1:-1])

    def seated(self, buses: np.ndarray) -> np.ndarray:
        """Each rider firm's workers back in its group's best plan with ``buses`` (one count a group)."""
        sizes = np.diff(self.group_start)
        back = np.zeros(self.group_start[-1], dtype=np.int64)
        back[np.repeat(~self.large, sizes)] = self.exact.seated(buses[~self.large])
        for j, g in enumerate(np.flatnonzero(self.large)):
            seats = min(int(buses[g]) * self.bus_seats, int(self.most[g]))
            back[self.group_start[g]: self.group_start[g + 1]] = self.envelopes.seated(j, seats)
        return back


@dataclass(frozen=True)
class _Exact:
    """Bus groups' firms combined exactly, max-plus, firm after firm."""

    curves: np.ndarray  # every firm's best worth with 0, 1, ... workers back, end to end
    starts: np.ndarray  # per rider firm: where its curve starts in ``curves``
    riders: np.ndarray  # per rider firm: its most workers back
    group_start: np.ndarray
    combined: np.ndarray  # per rider firm: its group's firms up to it combined, end to end
    at: np.ndarray  # per rider firm: where its combined curve starts
    lengths: np.ndarray
    by_buses: np.ndarray  # as Seatings.by_buses, for these groups
    bus_seats: int
    compiled: bool

    @classmethod
    def of(cls, curves: np.ndarray, starts: np.ndarray, riders: np.ndarray, group_start: np.ndarray,
           bus_seats: int, caps: np.ndarray, counts: np.ndarray, compiled: bool) -> _Exact:
        """``caps``: where each group's combined curves stop (the seats of its most buses + 1); ``counts``: how
        many bus counts (0, 1, ...) to price for it."""
        if compiled:
            from allocator.pricing.compiled import by_buses, combine
        else:
            by_buses, combine = _by_buses, _combine
        combined, lengths = combine(curves, starts, riders, group_start, caps)
        at = np.cumsum(lengths) - lengths
        worth = by_buses(combined, at, lengths, group_start, bus_seats, counts)
        return cls(curves, starts, riders, group_start, combined, at, lengths, worth, bus_seats, compiled)

    def seated(self, buses: np.ndarray) -> np.ndarray:
        """Each rider firm's workers back in its group's best plan with ``buses`` (one count a group)."""
        last = self.group_start[1:] - 1
        limits = np.minimum(buses * self.bus_seats, self.lengths[last] - 1)
        if self.compiled:
            from allocator.pricing.compiled import seat
        else:
            seat = _seat
        return seat(self.curves, self.starts, self.riders, self.group_start, self.combined, self.at, self.lengths,
                    limits)


def methods(riders: np.ndarray, group_start: np.ndarray, caps: np.ndarray) -> tuple[np.ndarray, bool]:
    """Per group, whether it is priced over its firms' envelopes (ENVELOPE_FROM additions or more
    exactly); and whether the other groups are combined compiled (COMPILED_FROM in all)."""
    work = group_work(riders, group_start, caps)
    large = work >= ENVELOPE_FROM
    return large, bool(work[~large].sum() >= COMPILED_FROM) and compiled_available()


def group_work(riders: np.ndarray, group_start: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Additions each group's exact combination takes: each firm after a group's first adds its
    curve (riders + 1 entries) to the combined curve so far (at most the group's cap entries)."""
    sizes = np.diff(group_start)
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    within = np.cumsum(riders) - np.repeat(np.cumsum(riders)[group_start[:-1]] - riders[group_start[:-1]], sizes)
    before = np.minimum(np.repeat(caps, sizes), within - riders + 1)
    adds = (riders + 1) * before
    adds[group_start[:-1]] = 0
    return np.add.reduceat(adds, group_start[:-1])


def compiled_available() -> bool:
    """Whether the compiled kernels can be loaded (numba installed and working on this platform)."""
    try:
        importlib.import_module("allocator.pricing.compiled")
    except Exception:  # no numba, or no writable cache: numba raises RuntimeError at the decorator
        return False
    return True


def max_plus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """c[t] = max over i + j = t of a[i] + b[j]: two firms' best over t riders between them."""
    if len(b) > len(a):
        a, b = b, a
    combined = np.full(len(a) + len(b) - 1, -np.inf)
    for j, value in enumerate(b):
        np.maximum(combined[j: j + len(a)], a + value, out=combined[j: j + len(a)])
    return combined


def _combine(curves, starts, riders, group_start, caps) -> tuple[np.ndarray, np.ndarray]:
    """numpy's twin of :func:`allocator.pricing.compiled.combine`."""
    pieces = []
    for g in range(len(group_start) - 1):
        first = group_start[g]
        combined = curves[starts[first]: starts[first] + riders[first] + 1][: caps[g]]
        pieces.append(combined)
        for k in range(first + 1, group_start[g + 1]):
            combined = max_plus(combined, curves[starts[k]: starts[k] + riders[k] + 1])[: caps[g]]
            pieces.append(combined)
    lengths = np.array([len(piece) for piece in pieces], dtype=np.int64)
    return (np.concatenate(pieces) if pieces else np.zeros(0)), lengths


def _by_buses(combined, at, lengths, group_start, bus_seats, counts) -> np.ndarray:
    """numpy's twin of :func:`allocator.pricing.compiled.by_buses`."""
    worths = []
    for g, last in enumerate(group_start[1:] - 1):
        best = combined[at[last]: at[last] + lengths[last]]
        worths.append(np.maximum.accumulate(best)[np.minimum(np.arange(counts[g]) * bus_seats, len(best) - 1)])
    return np.concatenate(worths) if worths else np.zeros(0)


def _seat(curves, starts, riders, group_start, combined, at, lengths, limits) -> np.ndarray:
    """numpy's twin of :func:`allocator.pricing.compiled.seat`."""
    back = np.zeros(len(starts), dtype=np.int64)
    for g in range(len(group_start) - 1):
        first, last = group_start[g], group_start[g + 1] - 1
        seats = int(np.argmax(combined[at[last]: at[last] + limits[g] + 1]))  # riders actually seated
        for k in range(last, first, -1):
            before = combined[at[k - 1]: at[k - 1] + lengths[k - 1]]
            shares = np.arange(max(0, seats - len(before) + 1), min(riders[k], seats) + 1)
            back[k] = shares[np.argmax(before[seats - shares] + curves[starts[k] + shares])]
            seats -= back[k]
        back[first] = seats
    return back
