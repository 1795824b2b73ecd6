"""Bounds for the week from its days: each day alone, with everything that reached the store by then.

Day k of any week plan (what each firm holds at its end, and the buses of days 1..k
together) is a plan of ONE day under the cumulative supplies of day k: boxes within
floor((masks + arrived up to k) / pack), passes within passes + arrived, riders within the
seats of the buses of days 1..k, the same no-waste, eligibility and reserve rules.  So,
with z*_k and out*_k the one-day optima of that problem (allocator.model, solved as
``solve`` solves a day):

    stage 1   sum_k m_k z_k <= sum_k m_k zb_k, zb_k a proven bound on z*_k;
    stage 2   a plan holding sum_k m_k z_k >= z1 - 1e-6 has, each day, z_k >= h_k = zb_k - s / m_k
              with s = sum_k m_k zb_k - z1 + 1e-6 >= 0, so its output that day is at most the one-day
              optimum with the links held at h_k: sum_k m_k of those bounds bounds stage 2.  That
              lets every day fall to h_k at once, where together they may give up only s: a day
              bounded by prices l (allocator.pricing.bound) gives a line, output <= B_k + (h_k - z_k)
              sum(l), so the plan's z falls where those sums are steepest, s in all (see
              :func:`coupled`).  On Keqiao's week the link prices make s (1.4e-5) worth about 80
              of output a day: counted once instead of seven times.

The week's stores and buses are shared by its days, the relaxation lets each day have all
of them: it is tight when what each day would do alone is nested in what the next would
(on Keqiao's first three days its stage-1 bound is within 4e-6 of the day-by-day plan).
Only a window that starts from nothing (the week itself) is bounded this way.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from allocator.backends import open_model, threads
from allocator.model.columns import counting, output_costs
from allocator.model.formulation import build
from allocator.options import SolveOptions
from allocator.plan.budget import Budget
from allocator.plan.evaluation import Plan
from allocator.plan.problem import Horizon
from allocator.pricing.bound import PricedBound, Prices
from allocator.problem import Problem
from allocator.stages.claims import HOLD_LINK_ABS


#: The price search's evaluations for one day's output bound: at most this many in its share of the
#: time; with --deterministic exactly DETERMINISTIC_EVALUATIONS (work, not time, bounds it).
PRICE_EVALUATIONS = 60
DETERMINISTIC_EVALUATIONS = 20


@dataclass
class DayBounds:
    """One-day models of the week's model days under their cumulative supplies, kept between stages."""

    horizon: Horizon
    options: SolveOptions
    budget: Budget
    links: list[float | None] = field(default_factory=list)  # zb_k, proven (None: not proven)
    outputs: list[float | None] = field(default_factory=list)
    steepness: list[float | None] = field(default_factory=list)  # sum(l) where day k's output bound is priced, else None
    holds: list[float | None] = field(default_factory=list)  # h_k, each day's link held in stage 2 (None: not held)
    slack: float = 0.0  # s, what the days' links may give up together
    seconds: float = 0.0
    limited: bool = False  # a day's search stopped at its time (or work) limit: a stage ending here says so
    known: dict[int, float] = field(default_factory=dict)  # model day -> a bound on z*_k proven elsewhere

    def __post_init__(self) -> None:
        h = self.horizon
        self.multiplicity = [m for _, m in h.blocks]
        self.problems = [day_problem(h, at) for at, _ in h.blocks]
        self.formulations = [build(p) for p in self.problems]
        self.models = [None] * len(self.problems)

    @property
    def applies(self) -> bool:
        s = self.horizon.start
        return not (s.boxes.any() or s.passes.any() or s.returned.any())

    def _model(self, k: int):
        if self.models[k] is None:
            self.models[k] = open_model(self.options, self.formulations[k])
        return self.models[k]

    def stage1(self, plan: Plan, seconds: float | None) -> float | None:
        """sum_k m_k zb_k: each model day's lowest-link optimum, bounded, from ``plan``'s day k."""
        self._began = time.perf_counter()
        self.links = []
        for k in range(len(self.problems)):
            if k in self.known:  # day 1 of the day-by-day baseline is this very problem
                self.links.append(self.known[k])
                continue
            f = self.formulations[k]
            model = self._model(k)
            model.set_objective(counting(f.num_cols, f.z), 0.0, maximize=True)
            run = self._run(k, seconds, len(self.problems) - k)
            # out of time before a bound: the day's LP if it can still run, else the lowest link's 1
            bound = run.bound if run.bound is not None else self._relaxed(k)
            self.links.append(1.0 if bound is None else min(bound / f.z_scale, 1.0))  # column z is z_scale x the link
        if any(b is None for b in self.links):
            return None
        return float(sum(m * b for m, b in zip(self.multiplicity, self.links, strict=True)))

    def stage2(self, plan: Plan, z1: float | None, seconds: float | None) -> float | None:
        """sum_k m_k (day k's output bound with its links held at zb_k - (d + 1e-6) / m_k): each day's LP,
        then its duals priced over whole units (allocator.pricing.bound), the lower of the two.  Without a
        proven zb_k for every day the links are not held (a looser bound, still a bound).

        On Keqiao's third day (links held) the LP is 5.8e-3 above the best plan known, 20 evaluations of
        the priced bound 3e-4 (3.7 s on a loaded machine), 40 1.2e-4 (7 s); branch and bound's root
        needed 10 s for 1.5e-4."""
        self._began = time.perf_counter()
        self.outputs, self.steepness = [], []
        proven = z1 is not None and len(self.links) == len(self.problems) and all(b is not None for b in self.links)
        total = sum(m * b for m, b in zip(self.multiplicity, self.links, strict=True)) if proven else None
        self.slack = slack = max(total - z1, 0.0) + HOLD_LINK_ABS if total is not None else 0.0
        self.holds = holds = []
        for k in range(len(self.problems)):
            f, model = self.formulations[k], self._model(k)
            hold = None
            if total is not None:
                hold = max(self.links[k] - slack / self.multiplicity[k], 0.0)
                model.set_lower(f.z, hold * f.z_scale)
            model.set_objective(output_costs(f), f.constant_output, maximize=True)
            bound, steep = self._priced_output(k, hold, seconds, len(self.problems) - k)
            self.outputs.append(bound)
            self.steepness.append(steep)
            holds.append(hold)
        if any(b is None for b in self.outputs):
            return None
        separate = float(sum(m * b for m, b in zip(self.multiplicity, self.outputs, strict=True)))
        if total is None:
            return separate
        return coupled(separate, self.multiplicity, self.links, holds, self.steepness, slack)

    def _relaxed(self, k: int) -> float | None:
        """Day k's LP optimum under its current objective, when nothing stops it (a bound, if looser)."""
        if self.budget.stopped() and not self.options.deterministic:
            return None
        relaxed = self._model(k).relaxation(time_limit=None)
        return relaxed.objective if relaxed is not None and relaxed.outcome == "optimal" else None

    def _priced_output(self, k: int, hold: float | None, seconds: float | None, days_left: int
                       ) -> tuple[float | None, float | None]:
        """Day k's output bound: its LP's optimum, tightened by pricing its duals over whole units;
        and where the priced bound is the lower, the sum of its link prices (the line's steepness)."""
        if self.formulations[k].num_cols == 0:  # nothing to decide that day: its output is a constant
            return self.formulations[k].constant_output, 0.0
        if self.budget.stopped():
            return None, None
        started = time.perf_counter()
        limit = None if seconds is None else max(0.05, (seconds - (started - self._began)) / days_left)
        relaxed = self._model(k).relaxation(time_limit=limit)
        if relaxed is None or relaxed.outcome != "optimal":
            return None, None
        f, problem = self.formulations[k], self.problems[k]
        duals = relaxed.duals
        supply = np.abs(duals[[f.supply_rows[kind] for kind in ("boxes", "passes", "buses")]])
        links = np.abs(duals[f.link_rows]) * f.z_scale if hold is not None and f.link_rows else np.zeros(len(problem.links))
        prices = Prices(*map(float, supply), links=links, output=1.0)
        deadline = None if limit is None else started + limit
        evaluations = PRICE_EVALUATIONS if deadline is not None else DETERMINISTIC_EVALUATIONS
        priced, at = PricedBound(problem, f, threads=threads(self.options)).output_bound_and_prices(
            prices, hold, evaluations, deadline, enough=-np.inf)
        self.seconds += time.perf_counter() - started
        self.limited |= deadline is not None and time.perf_counter() >= deadline
        if relaxed.objective <= priced:
            return relaxed.objective, None
        return priced, float(at.links.sum()) if hold is not None else 0.0

    def stage3(self, plan: Plan, z2: float, seconds: float | None) -> float | None:
        """The last model day's fewest units with its links held (as in stage 2) and its output at least
        what the output hold leaves it: z2 (1 - 1e-6) less the other days' output bounds, taken together
        as in stage 2 with the last day's link at its bound (the most slack it can leave them).  On
        Keqiao's week the coupling raised the last day's floor by 317 and its bound from 11,923 to
        12,279 units (15 s of branch and bound each)."""
        from allocator.model.columns import unit_columns
        from allocator.stages.claims import output_hold

        self._began = time.perf_counter()
        if len(self.outputs) != len(self.problems) or any(b is None for b in self.outputs):
            return None
        k = len(self.problems) - 1
        f, model = self.formulations[k], self._model(k)
        others = sum(m * b for m, b in zip(self.multiplicity[:-1], self.outputs[:-1], strict=True))
        if len(self.holds) == len(self.problems) and all(h is not None for h in self.holds):
            others = coupled(others, self.multiplicity[:-1], self.links[:-1], self.holds[:-1], self.steepness[:-1],
                             self.slack)
        floor = (output_hold(z2) - others) / self.multiplicity[k]
        model.add_row(f.c[f.c >= 0], f.value_weight, floor - f.constant_output, math.inf)
        model.set_objective(counting(f.num_cols, unit_columns(f)), 0.0, maximize=False)
        run = self._run(k, seconds, 1)
        bound = run.bound if run.bound is not None else self._relaxed(k)  # out of time before a bound: the LP
        return None if bound is None else float(math.ceil(bound - 1e-6))

    def _run(self, k: int, seconds: float | None, days_left: int):
        """One day's branch and bound in its share, for its bound."""
        started = time.perf_counter()
        model = self._model(k)
        if self.budget.stopped():
            from allocator.backends.base import SolverRun

            return SolverRun(self.budget.outcome(), None, None, None, 0.0, 0)
        # no start: only the bound is used, and a run given one goes without presolve's dual-fixing
        # probing (allocator.backends.highs.STARTED_RULES_OFF), which these bounds need
        limit = None if seconds is None else max(0.05, (seconds - (started - self._began)) / days_left)
        opts = self.options
        run = model.run(time_limit=limit, rel_gap=1e-7, node_limit=opts.node_limit if opts.deterministic else None)
        self.seconds += time.perf_counter() - started
        self.limited |= run.outcome in ("time", "work")
        return run


def coupled(separate: float, multiplicity: list[int], links: list[float], holds: list[float | None],
            steepness: list[float | None], slack: float) -> float:
    """Stage 2's bound with the days' link holds taken together: ``separate`` = sum_k m_k B_k, each
    day bounded at its own hold h_k, less what the days cannot all give up at once.

    Where day k's bound is priced, its output is at most B_k + (h_k - z_k) S_k for every z_k (S_k:
    the sum of its link prices, allocator.pricing.bound); elsewhere at most B_k.  With u_k =
    m_k (zb_k - z_k) the fall of day k's link, the plan keeps sum_k u_k <= s (its hold) and
    u_k <= m_k (zb_k - h_k), so

        sum_k m_k out_k <= separate - sum_priced S_k (m_k (zb_k - h_k) - u_k),

    largest when the falls go to the steepest days first (a fractional knapsack, exact).  A day
    not priced is taken at B_k with its link at zb_k: the most room it can leave the others.
    ``separate`` itself lets every day fall to h_k, s each."""
    priced = [k for k, steep in enumerate(steepness) if steep is not None and holds[k] is not None]
    reduction = sum(steepness[k] * multiplicity[k] * (links[k] - holds[k]) for k in priced)
    room = slack
    for k in sorted(priced, key=lambda day: -steepness[day]):
        fall = max(min(room, multiplicity[k] * (links[k] - holds[k])), 0.0)
        reduction -= steepness[k] * fall
        room -= fall
    return separate - max(reduction, 0.0)


def day_problem(horizon: Horizon, at: int) -> Problem:
    """One day under what reached the store by day ``first + at`` (the buses of days 1..that day together)."""
    p = horizon.problem
    sup = p.scenario.supply
    buses = int(horizon.buses[: at + 1].sum())
    changes = {"supply.masks": int(horizon.masks[at]), "supply.passes": int(horizon.passes[at]), "supply.buses": buses}
    if changes == {"supply.masks": sup.masks, "supply.passes": sup.passes, "supply.buses": sup.buses}:
        return p
    return Problem(p.instance, p.scenario.with_overrides(changes))


def merge_bound(sense: str, *bounds: float | None) -> float | None:
    """The tightest of several valid bounds (None: not proven)."""
    known = [b for b in bounds if b is not None and math.isfinite(b)]
    if not known:
        return None
    return min(known) if sense == "max" else max(known)


__all__ = ["DayBounds", "day_problem", "merge_bound", "np"]
