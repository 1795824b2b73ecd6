"""The three lexicographic stages on one solver model, each reported honestly.

Each stage runs on the same solver model, warm-started from the previous stage's
allocation.  After every stage the integer decisions are read back, c_i and the stage
values are recomputed by :func:`allocator.result.evaluate`, and only those recomputed
values are held by the next stage and reported.  A stage that cannot improve on its
start (time limit, nothing better found) keeps the previous allocation, which is
feasible for it by construction, and says so.

Two shortcuts, each with its own proof: stage 2 prices every unit so that its one search
also proves stage 3 (:meth:`StageRunner.stage2_priced`), and models too large for
branch and bound (``search="guided"``) take their bounds from the LP relaxation priced
over whole units (:mod:`allocator.priced_bound`) and their plans from that price search
(:mod:`allocator.priced_plan`); stage 3's bound starts from stage 2's best prices.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.bus_bound import bus_relaxation
from allocator.claims import (
    HOLD_OUTPUT_REL,
    OPTIMAL_REL_STAGE2,
    Status,
    FLOAT_NOISE,
    gap as _claims_gap,
    judge,
    link_hold,
    output_hold,
    wrong_side,
)
from allocator.highs import HighsModel, SolverRun
from allocator.fill import fill_leftovers
from allocator.model import Formulation
from allocator.priced_bound import PricedBound, Prices
from allocator.priced_plan import PUSH_EVALUATIONS, PricedPlans
from allocator.problem import Problem, mask_cap
from allocator.result import Allocation, evaluate
from allocator.scip import ScipModel
from allocator.seating import fill_spare_seats
from allocator.surplus import drop_surplus

if TYPE_CHECKING:
    from allocator.solving import SolveOptions

#: Stage 2 is searched to this gap when time allows, the gap the report calls optimal.
#: Stage 3 may only trade 1e-6 of stage 2, so a looser stage 2 leaves stage 3 to finish
#: stage 2's search (measured on Keqiao: stage 3 took 15-115 s after a 1e-4 stage 2, 9-14 s
#: after a 1e-6 one); 1e-7 rather than 1e-6 costs about 1 s there (chain balance on: stage 2
#: 3.6 -> 4.2 s; off: 7.6 -> 8.6 s) and turns "within gap" into a proven optimum.
STAGE2_GAP = OPTIMAL_REL_STAGE2
#: Stage 2 puts this price (relative to its LP bound) on every box, pass and bus, and
#: searches to STAGE2_GAP (same scale): then one search proves stage 2 and stage 3, see
#: :meth:`StageRunner.stage2_priced`.  The price must exceed the 1e-6 that stage 3 may
#: trade plus the search's gap plus HiGHS's own imprecision: 5e-6 - 1e-6 - 1e-7 leaves 3.9e-6.
UNIT_PRICE = 5e-6
#: The priced proof of stage 3 must clear HiGHS's resolution: its optimum can miss a plan
#: better by its feasibility tolerance times a firm's weight (1e-6 x w v), so the proof's
#: slack must exceed ten times that for the heaviest firm.  Without this, a one-firm
#: instance whose price was 1e-7 was "proven" to need a bus that added nothing.
PRICE_RESOLUTION = 1e-5
#: Above this many matrix nonzeros, ``search="auto"`` guides each stage by its LP
#: relaxation and the price search instead of running branch and bound.  HiGHS's root cut
#: loop cannot be interrupted: at 100,000 firms (383k nonzeros) one separation pass took
#: 37 s against a 10 s limit.  Measured with supplies scaled to size and the default 60 s:
#: Keqiao (39k) by branch and bound, every stage optimal in 6.6 s (guided: 3e-4 / 2e-5 /
#: 1e-4 in 5 s); 20,000 firms (77k) by branch and bound 64 s, gaps 7e-5 / 0.20 / 0.26 (its
#: stage 2 found nothing better than stage 1's plan within its share), guided 14 s,
#: 4.6e-4 / 3.4e-5 / 3.2e-4; 30,000 firms (115k) by branch and bound stuck at a 22% gap.
GUIDED_ABOVE = 60_000
#: The bus relaxation's root (see :mod:`allocator.bus_bound`) gets what is left of stage
#: 1's share, at most this part of the time limit: its cut rounds cannot be interrupted
#: (about 5 s each at 100,000 firms), so a larger budget buys a few rounds and overruns
#: by one; at 100,000 firms 10 s take the bound from 2.1e-3 to about 9e-4 and 18 s to 7e-4,
#: while the whole run must stay within a minute.  Below MIN_BUS_BOUND_SECONDS it is skipped.
BUS_BOUND_SHARE = 1 / 6
MIN_BUS_BOUND_SECONDS = 2.0
#: The priced bounds of stages 2 and 3 (see :mod:`allocator.priced_bound`) start at the LP's
#: duals and improve the prices by the level method: at most this many evaluations, in what
#: is left of the stage's own share of the time limit (never the next stage's: at 20,000
#: firms, taken from stage 3 it cost stage 3's search its gap, 5.6e-3 -> 6.8e-3); the first,
#: at the duals, always runs, the others while they fit.  Measured: Keqiao 7.1e-4 above
#: the optimum at the LP's duals, 5.1e-5 after 20 evaluations; 100,000 firms 1.08e-3 above
#: the plan, 8.7e-4 after 3, 5.7e-4 after 12 (0.8 s each).  A guided stage 2 prices first,
#: since the search's relaxed plans make plans too (see allocator.priced_plan), and searches
#: around the LP only if the gap is still above the target and MIN_SEARCH_SECONDS are left.
#: With --deterministic the count alone bounds it, at every size: it is a guided stage 2's
#: main search now (at 100,000 firms one evaluation, then branch and bound to 2,000 nodes
#: around the LP, took 160 s to a gap of 1.05e-3).
PRICE_EVALUATIONS = 40
MIN_SEARCH_SECONDS = 2.0
#: Without links to hold (chain balance off), a stage 2 for branch and bound first runs this
#: many evaluations of the price search: on Keqiao (seeds 1-3) they close the gap to 6e-8,
#: 5e-8 and 5e-8 in 1.6 s, a proof of their own, where branch and bound took 9.7, 2.7 and
#: 4.3 s; and where they do not, their plan is the search's start (seed 1: 9.7 -> 7.7 s).
#: With the links held at stage 1's optimum the relaxation stays 2.5e-4 above its best plan
#: after 20 evaluations, and that plan as a start slowed the search (4.5 -> 8.1 s).
#: ``search="full"`` skips it: branch and bound alone, an independent check.
PRICE_FIRST_EVALUATIONS = 20
#: Evaluations stage 2's prices get to prove stage 3 before its own search (one does on Keqiao).
PROOF_EVALUATIONS = 3
#: A guided stage 3 only prices from stage 2's best prices (or solves its LP), so it gets
#: this part of another stage's share: at 100,000 firms stage 2's price search needs about
#: 20 evaluations of 1 s each to bring stage 2 within 2e-6 and stage 3 within 2e-5, while
#: stage 3 needs one or a few.
GUIDED_STAGE3_WEIGHT = 0.15
#: The last stage's price search stops this part of the limit before it ends: the report and
#: the exports still have to be written (about 1.5 s at 100,000 firms).
FINISH_SHARE = 0.05
SEARCHES = ("auto", "full", "guided")
SOLVERS = ("highs", "scip")


@dataclass(frozen=True)
class StageResult:
    stage: int
    name: str
    sense: str  # max | min
    status: Status
    value: float | None
    bound: float | None
    gap: float | None
    seconds: float
    nodes: int = 0
    note: str = ""


STAGE_NAMES = {1: "lowest link recovery", 2: "weighted output", 3: "boxes+passes+buses"}


class Clock:
    """Wall time since the run began: per-phase timings and each stage's share of the limit."""

    def __init__(self, options: SolveOptions, started: float | None = None):
        """``started``: when reading the instance began (``time.perf_counter``); it counts against the limit."""
        now = time.perf_counter()
        self.started = now if started is None else started
        self.last = now
        self.timings: dict[str, float] = {} if started is None else {"read": now - started}
        self.options = options

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def share(self, stages_left: int, last_weight: float = 1.0) -> float | None:
        """A stage's share of the remaining time: what is left, split by the stages' weights."""
        if self.options.deterministic:
            return None
        left = self.options.time_limit - (time.perf_counter() - self.started)
        return max(0.05, left / (stages_left - 1 + last_weight))


class StageRunner:
    """Runs the stages on one model; keeps the holds and the notes."""

    def __init__(self, problem: Problem, formulation: Formulation, model: HighsModel | ScipModel, options: SolveOptions,
                 clock: Clock):
        self.problem, self.f, self.model, self.options, self.clock = problem, formulation, model, options, clock
        self.notes: list[str] = []
        self.seats_filled = 0  # waiting workers the last kept plan seated on spare seats
        self.z1: float | None = None
        self.z2 = 0.0
        self.stage2_tight = False
        self.stage3_proven: int | None = None  # units of the stage-2 plan, when stage 2 proved stage 3
        self._output_duals: np.ndarray | None = None  # stage 2's LP prices, when its LP ran before the search
        self._output_row = -1  # stage 3's (C12)
        self._priced: PricedBound | None = None
        self._stage2_prices: Prices | None = None  # the prices of stage 2's best priced bound
        self._stage_ends: float | None = None  # when the running stage's share of the limit runs out
        self.guided = _guided(options.search, formulation)
        if self.guided:
            self.notes.append(
                f"the model has {formulation.num_nonzeros:,} nonzeros: each stage's bound comes from the LP "
                "relaxation, priced over whole units, and its plan from the price search or a search around "
                "the LP solution (search=full runs branch and bound)"
            )

    def stage1(self, start: Allocation) -> tuple[Allocation, StageResult]:
        self.model.set_objective(_counting(self.f.num_cols, self.f.z), 0.0, maximize=True)
        share = self.clock.share(3, last_weight=self._last_weight)
        run = self._run(start, stages_left=3)
        best = self._keep(self._pick(start, run))
        value = evaluate(self.problem, best).min_link
        self.z1 = value
        gap = _gap("max", value, run.bound)
        if self.guided and gap is not None and gap > self.options.rel_gap:
            run = self._bus_bound(run, None if share is None else min(share - run.seconds,
                                                                      BUS_BOUND_SHARE * self.options.time_limit))
        return best, self._report(1, "max", run, value, run.bound)

    def _bus_bound(self, run: SolverRun, left: float | None) -> SolverRun:
        """A guided stage 1's LP bound, tightened by the relaxation that keeps buses integer.

        Only its root is solved (cut rounds on the buses do the work; a node limit of 1
        keeps --deterministic runs bounded by work), in what is left of stage 1's share.
        """
        relaxed = bus_relaxation(self.problem, self.f)
        if relaxed is None or (left is not None and left < MIN_BUS_BOUND_SECONDS):
            return run
        model = open_model(self.options, relaxed)
        model.set_objective(_counting(relaxed.num_cols, relaxed.z), 0.0, maximize=True)
        tighter = model.run(time_limit=left, rel_gap=self.options.rel_gap, node_limit=1)
        self.clock.mark("stage1")
        bound = run.bound
        if tighter.bound is not None and (bound is None or tighter.bound < bound):
            bound = tighter.bound
            self.notes.append(f"stage 1's bound is that of the relaxation keeping only the buses integer "
                              f"(LP bound {run.bound:.7g})")
        return SolverRun(run.outcome, run.objective, bound, run.values, run.seconds + tighter.seconds, run.nodes + tighter.nodes)

    def stage2(self, start: Allocation) -> tuple[Allocation, StageResult]:
        f = self.f
        self._mark_share(stages_left=2)
        if self.z1 is not None:
            self.model.set_lower(f.z, link_hold(self.z1))  # (C11), the SPEC's hold exactly
        output = np.zeros(f.num_cols)
        output[f.c[f.c >= 0]] = f.value_weight
        if self.guided:
            self.model.set_objective(output, f.constant_output, maximize=True)
            best, run = self._stage2_guided(fill_leftovers(self.problem, start))  # see allocator.fill
        else:
            if self.z1 is None and self.options.search == "auto":  # no link to hold: prices alone may prove it
                start, report = self._stage2_by_prices(start, output)
                if report is not None:
                    return start, report
            start, report = self.stage2_priced(start, output)
            if report is not None and report.status in (Status.OPTIMAL, Status.WITHIN_GAP):
                return start, report
            spent = report.seconds if report is not None else 0.0
            self.model.set_objective(output, f.constant_output, maximize=True)
            run = self._run(start, stages_left=2, rel_gap=min(self.options.rel_gap, STAGE2_GAP))
            run = replace(run, seconds=run.seconds + spent)
            best = self._pick(start, run, hold_links=True)
            duals = run.duals if run.duals is not None else self._output_duals
            run, best = self._priced_output(run, best, duals, self._price_budget())
        best = self._keep(best)
        value = evaluate(self.problem, best).weighted_output
        self.z2 = value
        report = self._report(2, "max", run, value, run.bound)
        self.stage2_tight = report.gap is not None and report.gap <= HOLD_OUTPUT_REL
        return best, report

    def _stage2_guided(self, start: Allocation) -> tuple[Allocation, SolverRun]:
        """LP, then the price search (bound and plans, see allocator.priced_plan), then a search
        around the LP from the best plan in what is left, if the gap is still above the target."""
        began, share = time.perf_counter(), self.clock.share(2, last_weight=self._last_weight)
        relaxed, run, best = self._lp_and_prices(start, share, "guided", self._price_budget())
        if run is None:
            seconds = relaxed.seconds if relaxed is not None else 0.0
            return start, SolverRun("infeasible" if relaxed else "time", None, None, None, seconds, 0)
        left = None if share is None else share - (time.perf_counter() - began)
        gap = _gap("max", evaluate(self.problem, best).weighted_output, run.bound)
        if (gap or 0.0) <= self.options.rel_gap or (left is not None and left < MIN_SEARCH_SECONDS):
            return best, run
        limits = {"rel_gap": min(self.options.rel_gap, STAGE2_GAP), "heuristics": True, "abs_gap": 0.0,
                  "node_limit": self.options.node_limit if self.options.deterministic else None}
        search = self._guided_run(start_vector(self.problem, self.f, best), left, limits, search=True,
                                  relaxed=relaxed)
        self.clock.mark("stage2")
        found = self._pick(best, search, hold_links=True)
        return found, replace(run, outcome=search.outcome, seconds=run.seconds + search.seconds, nodes=search.nodes)

    def _lp_and_prices(self, start: Allocation, share: float | None, outcome: str, budget: tuple[int, float | None]
                       ) -> tuple[SolverRun | None, SolverRun | None, Allocation]:
        """Stage 2's LP, then the price search from its duals: the LP's run, the stage's run (None
        if the LP did not solve to optimality) and the better of ``start`` and the search's plan."""
        relaxed = self.model.relaxation(time_limit=share)
        if relaxed is None or relaxed.outcome != "optimal":
            return relaxed, None, start
        run = SolverRun(outcome, None, relaxed.objective, None, relaxed.seconds, 0, duals=relaxed.duals)
        run, best = self._priced_output(run, start, relaxed.duals, budget)
        return relaxed, run, best

    def _stage2_by_prices(self, start: Allocation, output: np.ndarray) -> tuple[Allocation, StageResult | None]:
        """Stage 2 by the price search alone, if it closes the gap to STAGE2_GAP; else its best plan
        as the start of the search (see PRICE_FIRST_EVALUATIONS)."""
        self.model.set_objective(output, self.f.constant_output, maximize=True)
        evaluations, ends = self._price_budget()
        budget = (min(evaluations, PRICE_FIRST_EVALUATIONS), ends)
        _, run, best = self._lp_and_prices(start, self.clock.share(2), "priced", budget)
        if run is None:
            return start, None
        best = self._keep(best)
        value = evaluate(self.problem, best).weighted_output
        gap = _gap("max", value, run.bound)
        if gap is None or gap > min(self.options.rel_gap, STAGE2_GAP):
            return best, None
        self.z2, self.stage2_tight = value, gap <= HOLD_OUTPUT_REL
        return best, self._report(2, "max", run, value, run.bound)

    def stage2_priced(self, start: Allocation, output: np.ndarray) -> tuple[Allocation, StageResult | None]:
        """Stage 2 with a price p on every unit: one search that also proves stage 3.

        With L the proven bound of max (output - p units) over all plans, any plan x has
        output(x) <= L + p units(x).  So (a) no plan beats L + p * (most units there are):
        stage 2's bound; and (b) if L + p (N - 1) < z2 (1 - 1e-6) for the plan found (N units,
        output z2), no plan with fewer units holds stage 2: stage 3 is proven optimal without
        a search of its own.  (b) holds whenever the search closes its gap below p - 1e-6 z2.
        On Keqiao this one search takes about as long as stage 2 alone did and stage 3's
        4-10 s are gone.  The price needs a scale, the LP bound; (a) is loose when many units
        stay unused, and then the plain stage 2 follows.
        """
        f, units, most = self.f, self._units(), self._most_units()
        if len(units) == 0:
            return start, None
        self.model.set_objective(output, f.constant_output, maximize=True)
        relaxed = self.model.relaxation(time_limit=self.clock.share(2))
        if relaxed is None or relaxed.outcome != "optimal" or relaxed.objective <= 0:
            return start, None
        self._output_duals = relaxed.duals
        price = UNIT_PRICE * relaxed.objective
        costs = output.copy()
        costs[units] -= price
        self.model.set_objective(costs, f.constant_output, maximize=True)
        priced_lp = self.model.relaxation(time_limit=self.clock.share(2))
        if priced_lp is None or priced_lp.outcome != "optimal":
            return start, None
        left_unused = most - float(priced_lp.values[units].sum())
        if left_unused > 0.5:
            # units worth less than the price: the search would leave them unused and its
            # bound would be loose by price x unused (650k masks: 2.9e-3), so go plain now
            return start, None
        abs_gap = min(STAGE2_GAP, self.options.rel_gap) * relaxed.objective
        run = self._run(start, stages_left=2, rel_gap=min(self.options.rel_gap, STAGE2_GAP), abs_gap=abs_gap)
        best = self._keep(self._pick(start, run, hold_links=True))
        check = evaluate(self.problem, best)
        value, count = check.weighted_output, check.resources_used
        lagrange = run.bound  # L as proven: the bound of max (output - price x units)
        bound = lagrange + price * most if lagrange is not None else None
        seconds = relaxed.seconds + priced_lp.seconds + run.seconds
        run = SolverRun(run.outcome, run.objective, bound, None, seconds, run.nodes)
        report = self._report(2, "max", run, value, bound)
        if report.status in (Status.OPTIMAL, Status.WITHIN_GAP):
            self.z2 = value
            self.stage2_tight = report.gap <= HOLD_OUTPUT_REL
            slack = output_hold(value) - (lagrange + price * (count - 1))
            margin = PRICE_RESOLUTION * float(f.value_weight.max(initial=0.0)) + FLOAT_NOISE * max(1.0, abs(value))
            # an L below the plan's own priced value is a numerical failure: it proves nothing
            if wrong_side("max", value - price * count, lagrange) <= FLOAT_NOISE and slack > margin:
                self.stage3_proven = count
        return best, report

    def _priced_output(self, run: SolverRun, best: Allocation, duals: np.ndarray | None,
                       budget: tuple[int, float | None]) -> tuple[SolverRun, Allocation]:
        """Stage 2's bound, tightened by pricing its LP's duals over whole units (see priced_bound),
        and its plan, if one of the search's relaxed plans repairs to a better one (see priced_plan)."""
        value = evaluate(self.problem, best).weighted_output
        if duals is None or (_gap("max", value, run.bound) or 0.0) <= OPTIMAL_REL_STAGE2:
            return run, best
        started = time.perf_counter()
        hold = self._link_hold
        enough = value * (1 + self.options.rel_gap)  # the stage's own target: no need to go lower
        plans = PricedPlans(self.problem, self._pricing(), hold)
        priced = self._pricing().output_bound(self._prices(duals), hold, *budget, enough, seen=plans)
        plans.push(min(PUSH_EVALUATIONS, budget[0]), budget[1])
        seconds = run.seconds + time.perf_counter() - started
        self.clock.mark("stage2")
        self._stage2_prices = plans.prices
        if plans.output > value:
            self.notes.append(f"stage 2's plan is a relaxed plan of the price search, repaired (output "
                              f"{plans.output:.9g} against {value:.9g})")
            best = plans.plan
        if run.bound is not None and priced >= run.bound:
            return replace(run, seconds=seconds), best
        self.notes.append(f"stage 2's bound prices the LP's duals over whole units, bus group by bus group "
                          f"(LP bound {run.bound:.9g}; {plans.evaluations} evaluations)")
        return replace(run, bound=priced, seconds=seconds), best

    def _priced_units(self, run: SolverRun, value: float, bound: float | None) -> tuple[SolverRun, float | None]:
        """Stage 3's bound, tightened the same way (the output hold priced too), from stage 2's
        best prices where there are some (see Prices.for_units), else from the LP's duals."""
        gap = _gap("min", value, bound)
        if self._output_row < 0 or (gap is not None and gap <= 0):
            return run, bound
        if self._stage2_prices is not None:
            prices = self._stage2_prices.for_units()
        elif run.duals is not None:
            prices = self._prices(run.duals, output=abs(float(run.duals[self._output_row])))
        else:
            return run, bound
        started = time.perf_counter()
        priced = self._units_bound(prices, *self._price_budget(), value * (1 - self.options.rel_gap))
        run = replace(run, seconds=run.seconds + time.perf_counter() - started)
        self.clock.mark("stage3")
        if bound is not None and priced <= bound:
            return run, bound
        source = "stage 2's best prices" if self._stage2_prices is not None else "the LP's duals"
        lp = "" if bound is None else f" (LP bound {bound:.0f})"
        self.notes.append(f"stage 3's bound prices {source} over whole units, bus group by bus group{lp}")
        return run, float(priced)

    @property
    def _link_hold(self) -> float | None:
        """The lowest link recovery stages 2 and 3 must keep (None without stage 1)."""
        return link_hold(self.z1)

    def _units_bound(self, prices: Prices, evaluations: int, deadline: float | None, enough: float) -> int:
        """Stage 3's priced bound from ``prices``, searched until ``enough`` (a whole number of units)."""
        floor = self.z2 * (1 - HOLD_OUTPUT_REL)
        units = self._pricing().units_bound(prices, floor, self._link_hold, evaluations, deadline, enough)
        return math.ceil(units - 1e-6)

    @property
    def _last_weight(self) -> float:
        """Stage 3's share of the time against another stage's (see GUIDED_STAGE3_WEIGHT)."""
        return GUIDED_STAGE3_WEIGHT if self.guided else 1.0

    def _mark_share(self, stages_left: int) -> None:
        """Note when this stage's share of the limit ends (as its search reckons it)."""
        share = self.clock.share(stages_left, last_weight=self._last_weight)
        if share is None:
            self._stage_ends = None
            return
        left = self.clock.share(1) - FINISH_SHARE * self.options.time_limit  # and the report still to write
        self._stage_ends = time.perf_counter() + min(share, left)

    def _price_budget(self) -> tuple[int, float | None]:
        """How many evaluations the price search may make, and until when (see PRICE_EVALUATIONS)."""
        return PRICE_EVALUATIONS, self._stage_ends

    def _pricing(self) -> PricedBound:
        if self._priced is None:
            self._priced = PricedBound(self.problem, self.f, threads=_threads(self.options))
        return self._priced

    def _prices(self, duals: np.ndarray, output: float = 1.0) -> Prices:
        """Prices from an LP's row duals; their size is all that matters (any prices >= 0 give a bound)."""
        f, supply = self.f, np.abs(duals[[self.f.supply_rows[k] for k in ("boxes", "passes", "buses")]])
        links = np.zeros(len(self.problem.links))
        if self.z1 is not None and f.link_rows:
            links = np.abs(duals[f.link_rows])
        return Prices(*map(float, supply), links=links, output=output)

    def _units(self) -> np.ndarray:
        f = self.f
        return np.concatenate([block[block >= 0] for block in (f.b, f.p, f.y)])

    def _most_units(self) -> float:
        """The most boxes + passes + buses any plan can hand out (supplies, capped by the bounds)."""
        f, supply = self.f, self.problem.scenario.supply
        upper = np.concatenate(f.col_upper)
        return float(sum(min(cap, upper[cols[cols >= 0]].sum()) for cols, cap in
                         ((f.b, supply.boxes), (f.p, supply.passes), (f.y, supply.buses))))

    def stage3(self, start: Allocation) -> tuple[Allocation, StageResult]:
        best, report = self._stage3(start)
        return self._keep(best), report  # spare seats cost no unit: the value stands

    def _stage3(self, start: Allocation) -> tuple[Allocation, StageResult]:
        f = self.f
        self._mark_share(stages_left=1)
        if self.stage3_proven is not None:
            return start, StageResult(3, STAGE_NAMES[3], "min", Status.OPTIMAL, float(self.stage3_proven),
                                      float(self.stage3_proven), 0.0, 0.0, note="proven in stage 2")
        start = drop_surplus(self.problem, start)
        cols = f.c[f.c >= 0]
        floor = output_hold(self.z2) - f.constant_output  # the SPEC's hold exactly: it may prove
        self._output_row = self.model.add_row(cols, f.value_weight, floor, math.inf)  # (C12)
        units = self._units()
        if not self.guided and self._stage2_prices is not None:
            proof = self._priced_units_proof(start)
            if proof is not None:
                return start, proof
        if self.stage2_tight and not self.guided:  # a guided search cannot prove the exclusion
            return self._stage3_by_exclusion(start, units)
        self.model.set_objective(_counting(f.num_cols, units), 0.0, maximize=False)
        if self.guided and self._stage2_prices is not None:  # its LP's bound is far looser than theirs
            run = SolverRun("guided", None, None, None, 0.0, 0)
        else:
            run = self._run(start, stages_left=1)
        best = self._pick(start, run, hold_links=True, hold_output=True)
        value = float(evaluate(self.problem, best).resources_used)
        bound = math.ceil(run.bound - 1e-6) if run.bound is not None else None  # the objective is a whole number
        run, bound = self._priced_units(run, value, bound)
        return best, self._report(3, "min", run, value, bound)

    def _priced_units_proof(self, plan: Allocation) -> StageResult | None:
        """Stage 3 proven by stage 2's prices alone, when their bound meets the plan's units
        (see Prices.for_units); a few evaluations, else nothing is claimed and the search follows."""
        started, count = time.perf_counter(), float(evaluate(self.problem, plan).resources_used)
        bound = self._units_bound(self._stage2_prices.for_units(), PROOF_EVALUATIONS, self._stage_ends, count)
        self.clock.mark("stage3")
        if bound < count:
            return None
        self.notes.append("stage 3 is proven by stage 2's best prices over whole units")
        run = SolverRun("priced", count, count, None, time.perf_counter() - started, 0)
        return self._report(3, "min", run, count, count)

    def _stage3_by_exclusion(self, start: Allocation, units: np.ndarray) -> tuple[Allocation, StageResult]:
        """Stage 3 after a tight stage 2: prove that no plan with one unit fewer holds stage 2.

        The stage-2 plan is all but optimal, so stage 3 is mostly a proof.  A search for a
        plan with at most N - 1 units that holds (C11) and (C12), steered by weighted output
        and stopped at the first such plan, is a stronger proof than minimising units
        (Keqiao: 5.6 s against 9.0 s; without chain balance 8.5 s against 18.2 s).  Each
        plan it finds becomes the new N; "infeasible" proves the last N optimal.
        """
        f, best = self.f, start
        count = evaluate(self.problem, start).resources_used
        row = self.model.add_row(units, np.ones(len(units)), -math.inf, count - 1)
        costs = np.zeros(f.num_cols)
        costs[f.c[f.c >= 0]] = -f.value_weight
        self.model.set_objective(costs, -f.constant_output, maximize=False)
        self.model.set_target(-self.z2 * (1 - HOLD_OUTPUT_REL))  # any plan that holds stage 2 will do
        seconds, nodes, proven = 0.0, 0, count == 0
        while not proven:
            self.model.set_row_bounds(row, -math.inf, count - 1)
            run = self._run(None, stages_left=1, heuristics=False)
            seconds, nodes = seconds + run.seconds, nodes + run.nodes
            if run.outcome == "infeasible":
                proven = True
                break
            candidate = self._pick(best, run, hold_links=True, hold_output=True)
            fewer = evaluate(self.problem, candidate).resources_used
            if candidate is best or fewer >= count:
                break  # stopped by a limit before finding or excluding a better plan
            best, count = candidate, fewer
        self.model.set_target(None)
        if proven:
            outcome = SolverRun("optimal", count, count, None, seconds, nodes)
            return best, self._report(3, "min", outcome, float(count), float(count))
        self.model.set_row_bounds(row, -math.inf, math.inf)
        self.model.set_objective(_counting(f.num_cols, units), 0.0, maximize=False)
        relaxed = self.model.relaxation(time_limit=self.clock.share(1))  # what is left of the limit
        proven = relaxed is not None and relaxed.outcome == "optimal"
        bound = math.ceil(relaxed.objective - 1e-6) if proven else None
        limited = SolverRun(run.outcome, count, bound, None, seconds, nodes, duals=relaxed.duals if proven else None)
        limited, bound = self._priced_units(limited, float(count), bound)
        return best, self._report(3, "min", limited, float(count), bound)

    def _run(self, start: Allocation | None, stages_left: int, rel_gap: float | None = None, heuristics: bool = True,
             abs_gap: float = 0.0) -> SolverRun:
        """One stage's solver run in its share of the time."""
        known = start_vector(self.problem, self.f, start) if start is not None else None
        if known is not None and not self.guided:  # a guided run offers it after its LP (see there)
            self.model.set_start(known)
        opts = self.options
        limits = {
            "rel_gap": opts.rel_gap if rel_gap is None else rel_gap,
            "node_limit": opts.node_limit if opts.deterministic else None,
            "heuristics": heuristics,
            "abs_gap": abs_gap,
        }
        if not self.guided:
            run = self.model.run(time_limit=self.clock.share(stages_left), **limits)
        else:  # a guided stage 3 only solves its LP, or prices: a part of a share is plenty
            share = self.clock.share(stages_left, last_weight=self._last_weight)
            run = self._guided_run(known, share, limits, search=stages_left > 1 or known is None)
        self.clock.mark(f"stage{4 - stages_left}")
        return run

    def _guided_run(self, known: np.ndarray | None, share: float | None, limits: dict, search: bool,
                    relaxed: SolverRun | None = None) -> SolverRun:
        """LP relaxation for the bound, then branch and bound inside the box [0, max(ceil(LP), start)].

        The box holds the start, so the search can only improve on it; rounding the LP
        point up or down stays inside it too.  Only the LP's optimum is a proven bound.
        Stage 3 from a lean plan skips the search: at 100,000 firms it ran its whole share
        (17 s) without finding a plan with fewer units, and on Keqiao it found none either.
        """
        solved = relaxed is not None  # the LP already solved, and its time counted, by the caller
        relaxed = relaxed or self.model.relaxation(time_limit=share)
        if relaxed is None or relaxed.outcome == "infeasible":
            seconds = relaxed.seconds if relaxed is not None else 0.0
            return SolverRun("infeasible" if relaxed else "time", None, None, None, seconds, 0)
        if not search:
            return SolverRun("guided", None, relaxed.objective, None, relaxed.seconds, 0, duals=relaxed.duals)
        upper = np.ceil(relaxed.values - 1e-6)
        if known is not None:  # offered only now: set before the LP, it cost the LP 3 s of 10 at 100,000 firms
            upper = np.maximum(upper, known)
            self.model.set_start(known)
        left = None if share is None else max(0.05, share - (0.0 if solved else relaxed.seconds))
        run = self.model.run_within(upper, time_limit=left, **limits)
        outcome = "time" if run.outcome == "time" else "guided"
        seconds = run.seconds + (0.0 if solved else relaxed.seconds)
        return SolverRun(outcome, run.objective, relaxed.objective, run.values, seconds, run.nodes, duals=relaxed.duals)

    def _keep(self, plan: Allocation) -> Allocation:
        """The plan a stage keeps, with spare seats given to waiting workers (see allocator.seating):
        they cost nothing and lower no figure, and the stage's value must be the exported plan's."""
        seated = fill_spare_seats(self.problem, plan)
        self.seats_filled = int((seated.returned - plan.returned).sum())
        return seated

    def _pick(self, start: Allocation, run: SolverRun, hold_links: bool = False, hold_output: bool = False) -> Allocation:
        """The solver's allocation if it checks out against the SPEC, else the start."""
        if run.values is None:
            return start
        candidate = read_allocation(self.problem, self.f, run.values)
        check = evaluate(self.problem, candidate)
        problems = list(check.violations)
        if hold_links and self._link_hold is not None and check.min_link < self._link_hold:
            problems.append("stage 1 not held")
        if hold_output and check.weighted_output < self.z2 * (1 - HOLD_OUTPUT_REL):
            problems.append("stage 2 not held")
        if problems:
            self.notes.append("solver point rejected after recomputation (" + "; ".join(problems) + "); kept the previous plan")
            return start
        return candidate

    def _report(self, stage: int, sense: str, run: SolverRun, value: float | None, bound: float | None) -> StageResult:
        """The stage's claim from its recomputed value and its bound as proven (see allocator.claims)."""
        claim = judge(stage, sense, value, bound, run.outcome, self.options.rel_gap)
        if claim.note:
            self.notes.append(claim.note)
        return StageResult(stage, STAGE_NAMES[stage], sense, claim.status, value, bound, claim.gap, run.seconds, run.nodes)


def open_model(options: SolveOptions, formulation: Formulation) -> HighsModel | ScipModel:
    """The formulation loaded into the chosen solver; both offer the same few operations."""
    if options.solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {options.solver!r}")
    kind = ScipModel if options.solver == "scip" else HighsModel
    return kind(formulation, seed=options.seed, threads=_threads(options), log=options.log)


def _threads(options: SolveOptions) -> int:
    """Solver threads: one when runs must be reproducible."""
    return 1 if options.deterministic else options.threads


def _counting(num_cols: int, cols) -> np.ndarray:
    """An objective that counts ``cols`` (the lowest link z, or the units of stage 3)."""
    costs = np.zeros(num_cols)
    costs[cols] = 1.0
    return costs


def _guided(search: str, formulation: Formulation) -> bool:
    if search not in SEARCHES:
        raise ValueError(f"search must be one of {', '.join(SEARCHES)}, not {search!r}")
    return search == "guided" or (search == "auto" and formulation.num_nonzeros > GUIDED_ABOVE)


def _gap(sense: str, value: float | None, bound: float | None) -> float | None:
    return _claims_gap(sense, value, bound)


def read_allocation(problem: Problem, f: Formulation, values: np.ndarray) -> Allocation:
    """Round the solver's integer columns; absent columns are 0."""
    n = len(problem)

    def take(cols: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros(size, dtype=np.int64)
        present = cols >= 0
        out[present] = np.rint(values[cols[present]]).astype(np.int64)
        return out

    return Allocation(take(f.b, n), take(f.p, n), take(f.r, n), take(f.y, len(problem.group_keys)))


def start_vector(problem: Problem, f: Formulation, allocation: Allocation) -> np.ndarray:
    """A full column vector for a verified allocation, consistent with every row of the model."""
    values = np.zeros(f.num_cols)
    check = evaluate(problem, allocation)
    for cols, data in ((f.b, allocation.boxes), (f.p, allocation.passes), (f.r, allocation.returned), (f.y, allocation.buses)):
        present = cols >= 0
        values[cols[present]] = data[present]
    present = f.c >= 0
    values[f.c[present]] = check.c_after[present]
    if f.z >= 0:
        values[f.z] = min(check.link_after.values())
    cap = mask_cap(problem, allocation.returned)
    derived = {"gets_boxes": allocation.boxes >= 1, "cap": cap, "cap_on": cap >= 1}
    for kind, (cols, firms) in f.aux.items():
        values[cols] = derived[kind][firms]
    sc = problem.scenario
    for tier, col in f.reserve_switch.items():
        reserve = sc.reserve_boxes(tier)
        members = (problem.instance.tier == tier) & problem.eligible
        values[col] = float(allocation.boxes[members].sum() >= reserve)
    return values

