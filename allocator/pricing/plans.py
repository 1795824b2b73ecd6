"""Stage 2's plan from the price search: each relaxed plan, repaired, is a candidate.

Every evaluation of the priced bound (:mod:`allocator.pricing.bound`) solves the relaxation
exactly over whole units, so it also yields a plan, kept within the bus supply;
:func:`allocator.plans.repair.repair` brings it within the other supplies and tops up the links
it leaves short.  Those that then hold every chain link compete on their recomputed output
(a Lagrangian heuristic).  At the prices that prove the best bound the links' prices make
them just tight, so that plan may still miss one; raising the prices of the links it
misses (PUSHES, then halving the step) buys plans that hold them at little cost.
Measured at 100,000 firms (stage 2, from the LP's duals): after 12 evaluations the best
plan is 2.6e-4 below the best bound, after 16 1.2e-5, after 20 1.5e-6 (about 1 s each);
the search around the LP had reached 8e-4 in 16 s.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from allocator import progress

from allocator.pricing.bound import PricedBound, Prices, Relaxed
from allocator.problem import Problem
from allocator.plans.repair import repair
from allocator.allocation import Allocation, Evaluation, evaluate

#: How far the prices of the links a plan misses are raised, one evaluation each, until one
#: holds; the steps after that halve the interval between the last miss and the first hold.
PUSHES = (0.01, 0.03, 0.1, 0.3, 1.0)
PUSH_EVALUATIONS = 6
#: A relaxed plan whose lowest link is this far below the hold is not repaired: moving boxes
#: and passes into a link made up at most 1.3e-5 at 100,000 firms, and a repair costs
#: 0.1-0.2 s there, a tenth of an evaluation.
HOPELESS = 1e-4


class PricedPlans:
    """Shown every relaxed plan of an output-bound search; keeps the best that holds the links."""

    def __init__(self, problem: Problem, pricing: PricedBound, lowest_link: float | None):
        self.problem, self.pricing, self.lowest_link = problem, pricing, lowest_link
        self.plan: Allocation | None = None
        self.output = -np.inf
        self._bound = np.inf
        self._at_bound: tuple[Relaxed, Evaluation | None] | None = None  # the best prices' plan, repaired
        self.evaluations = 0

    def __call__(self, bound: float, relaxed: Relaxed) -> None:
        self.evaluations += 1
        progress.emit("bound", bound=bound)
        hopeless = self.lowest_link is not None and relaxed.links.min(initial=np.inf) < self.lowest_link - HOPELESS
        check = None if hopeless else self._offer(relaxed)
        if bound < self._bound:
            self._bound, self._at_bound = bound, (relaxed, check)

    @property
    def prices(self) -> Prices | None:
        """The prices that proved the lowest bound seen."""
        return None if self._at_bound is None else self._at_bound[0].prices

    def push(self, evaluations: int, deadline: float | None) -> None:
        """Raise the prices of the links the best prices' plan misses until a plan holds them,
        then halve the step between the last that missed and the first that held."""
        if self._at_bound is None or self.lowest_link is None:
            return
        relaxed, check = self._at_bound
        check = self._offer(relaxed) if check is None else check
        prices = relaxed.prices
        missed = np.array([check.link_after[link] < self.lowest_link for link in self.problem.links])
        if not missed.any() or check.violations:
            return
        base = np.where(prices.links > 0, prices.links, prices.links.max(initial=0.0))
        began, missing, holding = time.perf_counter(), 0.0, None
        for done in range(evaluations):
            each = (time.perf_counter() - began) / done if done else 0.0
            if (deadline is not None and time.perf_counter() + each > deadline) or progress.stopping():
                return
            if holding is None and done >= len(PUSHES):
                return
            step = PUSHES[done] if holding is None else (missing + holding) / 2
            links = np.where(missed, base * (1 + step), prices.links)
            if self._holds(self._offer(self.pricing.best(replace(prices, links=links)))):
                holding = step
            else:
                missing = step

    def _offer(self, relaxed: Relaxed) -> Evaluation:
        plan = repair(self.problem, relaxed.allocation, self.pricing.worth(relaxed.prices), self.lowest_link)
        check = evaluate(self.problem, plan)
        if self._holds(check) and check.weighted_output > self.output:
            self.plan, self.output = plan, check.weighted_output
            progress.emit("plan", value=self.output)
        return check

    def _holds(self, check: Evaluation) -> bool:
        return not check.violations and (self.lowest_link is None or check.min_link >= self.lowest_link)
