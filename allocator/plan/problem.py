"""The horizon problem: one instance under a scenario, days first..last, and what is in store each day.

The firms' derived data (eligibility, no-waste caps, c_before, c_max, bus groups) is the
one-day :class:`allocator.problem.Problem`'s; what the week adds is per day:

    boxes[k]   floor((masks + masks arrived up to day k) / pack)   the cumulative mask store
    passes[k]  passes + passes arrived up to day k                   the cumulative pass store
    buses[k]   supply.buses on day 1, plus that day's arrivals      buses do not carry over
    reserve    floor(rho_t (masks + arrived up to day k) / pack)    per tier, on the decimal as written

A window of the week (one day of the day-by-day baseline) starts from what the firms
already hold (``start``: cumulative boxes, passes and returned workers); the stores stay
cumulative from day 1, so the same rows hold the cumulative amounts.

Days on which nothing arrives after the first day of a window are merged into the day before
(``blocks``): whatever such a day hands out could have been handed out the day before (the
store is the same, no bus runs, no cap rises), and earlier never lowers any figure nor
changes the units, so the merged model has the same lexicographic optimum and its bounds
hold for the whole week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from allocator.plan.arrivals import Arrivals
from allocator.problem import Problem, capacity


@dataclass(frozen=True, eq=False)
class Levels:
    """Cumulative amounts per firm: what each firm holds from the tool (boxes, passes, workers back)."""

    boxes: np.ndarray
    passes: np.ndarray
    returned: np.ndarray

    @classmethod
    def zero(cls, n: int) -> Levels:
        return cls(*(np.zeros(n, dtype=np.int64) for _ in range(3)))


@dataclass(frozen=True, eq=False)
class Horizon:
    """Days ``first``..``last`` of a week under ``problem``'s scenario and ``arrivals``."""

    problem: Problem
    arrivals: Arrivals
    first: int = 1
    last: int | None = None
    start: Levels | None = None  # what the firms hold before day ``first`` (None: nothing)
    boxes: np.ndarray = field(init=False)
    passes: np.ndarray = field(init=False)
    buses: np.ndarray = field(init=False)
    masks: np.ndarray = field(init=False)  # pieces in store (cumulative), per day
    arrived: dict[str, np.ndarray] = field(init=False)  # per day of the window
    reserve: dict[str, np.ndarray] = field(init=False)  # tier -> per day
    blocks: tuple[tuple[int, int], ...] = field(init=False)  # (position of the model day, days it stands for)

    def __post_init__(self) -> None:
        last = self.arrivals.days if self.last is None else self.last
        if not 1 <= self.first <= last <= self.arrivals.days:
            raise ValueError(f"days {self.first}..{last} are not within 1..{self.arrivals.days}")
        sc = self.problem.scenario
        sup = sc.supply
        window = slice(self.first - 1, last)
        masks = sup.masks + np.cumsum(self.arrivals.masks)[window]
        passes = sup.passes + np.cumsum(self.arrivals.passes)[window]
        buses = self.arrivals.buses[window].copy()
        if self.first == 1:
            buses[0] += sup.buses
        arrived = {kind: self.arrivals.of(kind)[window].copy() for kind in ("masks", "passes", "buses")}
        reserve = {tier: np.array([_reserve(rule.mask_reserve, int(m), sup.mask_pack) for m in masks], dtype=np.int64)
                   for tier, rule in sc.tiers.items()}
        start = self.start if self.start is not None else Levels.zero(len(self.problem))
        _set(self, last=last, start=start, masks=masks.astype(np.int64), boxes=(masks // sup.mask_pack).astype(np.int64),
             passes=passes.astype(np.int64), buses=buses.astype(np.int64), arrived=arrived, reserve=reserve)
        _set(self, blocks=_blocks(arrived, buses))

    @property
    def days(self) -> int:
        return self.last - self.first + 1

    @property
    def day_numbers(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @property
    def groups(self) -> int:
        return len(self.problem.group_keys)

    @property
    def c_start(self) -> np.ndarray:
        """Each firm's capacity before the window's first day (c_before on day 1)."""
        s = self.start
        return capacity(self.problem, s.boxes, s.passes, s.returned)

    def window(self, first: int, last: int, start: Levels) -> Horizon:
        """Days first..last of the same week, from what the firms hold before ``first``."""
        return Horizon(self.problem, self.arrivals, first, last, start)

    def reserved_tiers(self) -> list[str]:
        return [tier for tier, values in self.reserve.items() if values.max(initial=0) > 0]


def _reserve(share: float, masks: int, pack: int) -> int:
    """floor(rho masks / pack) on the decimal as written (0.29 x 380,000 / 50 = 2,204)."""
    return math.floor(Decimal(repr(float(share))) * masks / pack)


def _blocks(arrived: dict[str, np.ndarray], buses: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Model days: the window's first day, and each later day on which something arrives;
    each stands for itself and the days without arrivals that follow it."""
    starts = [0] + [k for k in range(1, len(buses))
                    if buses[k] > 0 or arrived["masks"][k] > 0 or arrived["passes"][k] > 0]
    ends = starts[1:] + [len(buses)]
    return tuple((s, e - s) for s, e in zip(starts, ends, strict=True))


def _set(obj: object, **values: object) -> None:
    for key, value in values.items():
        object.__setattr__(obj, key, value)
