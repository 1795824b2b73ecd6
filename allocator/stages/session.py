"""What the stages share, and the honesty rules every plan passes through in one place.

A :class:`Session` holds the model (one solver model for all stages, warm-started from
stage to stage), the values the earlier stages kept (z1, z2: the holds of the later
ones) and the notes.  Every plan a stage keeps goes through the same three steps:

* :meth:`Session.verify` reads the solver's point back as whole decisions and checks it
  against every SPEC rule and the holds, recomputed (allocator.allocation.evaluate); a
  point that fails is rejected with a note and the stage keeps its start;
* :meth:`Session.keep` gives the plan's spare seats to waiting workers (free, lowers no
  figure), so that the stage's value is that of the plan it hands on and exports;
* :meth:`Session.claim` turns the recomputed value and the bound as proven into the
  stage's status and gap (allocator.stages.claims).

The ways of solving a stage (branch_and_bound, guided, unit_price, prices_first,
exclusion) only find plans and bounds; what is reported is decided here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allocator import progress
from allocator.allocation import Allocation, evaluate
from allocator.backends import open_model, threads
from allocator.model.columns import read_allocation
from allocator.plans.seating import fill_spare_seats
from allocator.pricing.bound import PricedBound, Prices
from allocator.result import STAGE_NAMES, StageResult
from allocator.stages.claims import at_least_no_units, holds, judge, link_hold

if TYPE_CHECKING:
    from allocator.backends.base import SolverRun
    from allocator.model.formulation import Formulation
    from allocator.options import SolveOptions
    from allocator.problem import Problem
    from allocator.stages.clock import Clock

#: Above this many matrix nonzeros, ``search="auto"`` guides each stage by its LP
#: relaxation and the price search instead of running branch and bound.  HiGHS's root cut
#: loop cannot be interrupted: at 100,000 firms (383k nonzeros) one separation pass took
#: 37 s against a 10 s limit.  Measured with supplies scaled to size and the default 60 s:
#: Keqiao (39k) by branch and bound, every stage optimal in 6.6 s (guided: 3e-4 / 2e-5 /
#: 1e-4 in 5 s); 20,000 firms (77k) by branch and bound 64 s, gaps 7e-5 / 0.20 / 0.26 (its
#: stage 2 found nothing better than stage 1's plan within its share), guided 14 s,
#: 4.6e-4 / 3.4e-5 / 3.2e-4; 30,000 firms (115k) by branch and bound stuck at a 22% gap.
GUIDED_ABOVE = 60_000
#: Up to this many nonzeros a guided model still gets branch and bound over the whole model
#: where its prices leave a gap: stage 2 from the price search's plan, stage 3 by the exclusion
#: search after a tight stage 2 (allocator.stages.exclusion).  The model is small enough that
#: HiGHS's uninterruptible cut rounds stay short.  Registers unlike the generator's reach the
#: guide at 10,000 firms: the heavytail family (113k nonzeros), whose priced bound stayed
#: 1.6e-2 above a plan that branch and bound proves optimal in 12 s, and the plentiful family
#: (187k), whose stage 3 the priced bound left at 2.1e-3 and the exclusion proves; the
#: province (383k) stays above.
WHOLE_SEARCH_BELOW = 250_000
#: A guided stage 3 only prices from stage 2's best prices (or solves its LP), so it gets
#: this part of another stage's share: at 100,000 firms stage 2's price search needs about
#: 20 evaluations of 1 s each to bring stage 2 within 2e-6 and stage 3 within 2e-5, while
#: stage 3 needs one or a few.
GUIDED_STAGE3_WEIGHT = 0.15
#: The price searches of stages 2 and 3 (allocator.pricing) make at most this many
#: evaluations, in what is left of the stage's own share of the limit (never the next
#: stage's: at 20,000 firms, taken from stage 3 it cost stage 3's search its gap, 5.6e-3 ->
#: 6.8e-3).  Measured: Keqiao 7.1e-4 above the optimum at the LP's duals, 5.1e-5 after 20
#: evaluations; 100,000 firms 1.08e-3 above the plan, 8.7e-4 after 3, 5.7e-4 after 12 (0.8 s
#: each).  With --deterministic the count alone bounds it, at every size.
PRICE_EVALUATIONS = 40


class Session:
    """One solve's model, holds, notes and time; see the module docstring for the rules."""

    def __init__(self, problem: Problem, formulation: Formulation, options: SolveOptions, clock: Clock):
        self.problem, self.f, self.options, self.clock = problem, formulation, options, clock
        self.model = open_model(options, formulation)
        clock.mark("load")
        self.notes: list[str] = []
        self.seats_filled = 0  # waiting workers the last kept plan seated on spare seats
        self.z1: float | None = None  # stage 1's kept value: stages 2 and 3 hold the links at z1 - 1e-6
        self.z2: float | None = None  # stage 2's kept value: stage 3 holds the output at z2 (1 - 1e-6)
        self.stage_ends: float | None = None  # when the running stage's share of the limit runs out
        self.stage2_prices: Prices | None = None  # the prices of stage 2's best priced bound
        self.output_duals: np.ndarray | None = None  # stage 2's LP duals, when its LP ran before its search
        self.lp_seconds = 0.0  # a guided stage 2's LP: what a search of the whole model must have left (ROOT_PER_LP)
        self.stage3_proven: int | None = None  # the units of stage 2's plan, when stage 2 proved stage 3
        self.output_row = -1  # stage 3's (C12)
        self._pricing: PricedBound | None = None
        self.guided = options.search == "guided" or (options.search == "auto" and formulation.num_nonzeros > GUIDED_ABOVE)
        if self.guided:
            self.notes.append(
                f"the model has {formulation.num_nonzeros:,} nonzeros: each stage's bound comes from the LP "
                "relaxation, priced over whole units, and its plan from the price search or a search around "
                "the LP solution (search=full runs branch and bound)"
            )

    # -- the honesty rules ----------------------------------------------------------------

    def verify(self, start: Allocation, run: SolverRun, hold_links: bool = False,
               hold_output: bool = False) -> Allocation:
        """The solver's plan if it keeps every rule and the holds asked for, recomputed; else ``start``."""
        if run.values is None:
            return start
        candidate = read_allocation(self.problem, self.f, run.values)
        check = evaluate(self.problem, candidate)
        problems = list(check.violations)
        if hold_links and not holds(check.min_link, check.weighted_output, self.z1, None):
            problems.append("stage 1 not held")
        if hold_output and not holds(check.min_link, check.weighted_output, None, self.z2):
            problems.append("stage 2 not held")
        if problems:
            self.notes.append("solver point rejected after recomputation (" + "; ".join(problems) + "); kept the previous plan")
            return start
        return candidate

    def keep(self, plan: Allocation) -> Allocation:
        """The plan a stage keeps, with spare seats given to waiting workers (see allocator.plans.seating)."""
        seated = fill_spare_seats(self.problem, plan)
        self.seats_filled = int((seated.returned - plan.returned).sum())
        return seated

    def claim(self, stage: int, sense: str, run: SolverRun, value: float | None, bound: float | None,
              note: str = "") -> StageResult:
        """The stage's claim from its recomputed value and its bound as proven (see allocator.stages.claims)."""
        if stage == 3:
            bound = at_least_no_units(value, bound)
        claim = judge(stage, sense, value, bound, run.outcome, self.options.rel_gap)
        if claim.note:
            self.notes.append(claim.note)
        progress.emit("claim", value=value, bound=claim.bound, text=claim.status.value)
        return StageResult(stage, STAGE_NAMES[stage], sense, claim.status, value, claim.bound, claim.gap, run.seconds,
                           run.nodes, note)

    @property
    def whole_search(self) -> bool:
        """Whether branch and bound may search the whole model (see WHOLE_SEARCH_BELOW)."""
        return not self.guided or (self.options.search == "auto" and self.f.num_nonzeros <= WHOLE_SEARCH_BELOW)

    @property
    def link_hold(self) -> float | None:
        """The lowest link recovery stages 2 and 3 must keep (None without stage 1)."""
        return link_hold(self.z1)

    # -- time -------------------------------------------------------------------------------

    @property
    def last_weight(self) -> float:
        """Stage 3's share of the time against another stage's (see GUIDED_STAGE3_WEIGHT)."""
        return GUIDED_STAGE3_WEIGHT if self.guided else 1.0

    def share(self, stages_left: int) -> float | None:
        return self.clock.share(stages_left, last_weight=self.last_weight)

    def begin_stage(self, stage: int) -> None:
        """Announce the stage, and note when its share of the limit ends (as its price search reckons it)."""
        watch = progress.current()
        if watch is not None:
            watch.stage = stage
            watch.emit("stage", text=STAGE_NAMES[stage])
        self.stage_ends = self.clock.stage_end(4 - stage, last_weight=self.last_weight)

    def price_budget(self) -> tuple[int, float | None]:
        """How many evaluations the price search may make, and until when (see PRICE_EVALUATIONS)."""
        return PRICE_EVALUATIONS, self.stage_ends

    def limits(self, rel_gap: float | None = None, heuristics: bool = True, abs_gap: float = 0.0) -> dict:
        """A solver run's stopping rules: the stage's gap, and nodes instead of time when deterministic."""
        opts = self.options
        return {"rel_gap": opts.rel_gap if rel_gap is None else rel_gap,
                "node_limit": opts.node_limit if opts.deterministic else None,
                "heuristics": heuristics, "abs_gap": abs_gap}

    # -- prices -------------------------------------------------------------------------------

    @property
    def pricing(self) -> PricedBound:
        """The priced relaxation (allocator.pricing.bound), built on first use."""
        if self._pricing is None:
            self._pricing = PricedBound(self.problem, self.f, threads=threads(self.options))
        return self._pricing

    def priced_step(self) -> float:
        """Seconds of one more evaluation of the priced relaxation (0 before any)."""
        return 0.0 if self._pricing is None else self._pricing.slowest

    def prices(self, duals: np.ndarray, output: float = 1.0) -> Prices:
        """Prices from an LP's row duals; their size is all that matters (any prices >= 0 give a bound)."""
        f = self.f
        supply = np.abs(duals[[f.supply_rows[k] for k in ("boxes", "passes", "buses")]])
        links = np.zeros(len(self.problem.links))
        if self.z1 is not None and f.link_rows:
            links = np.abs(duals[f.link_rows]) * f.z_scale  # the rows hold LINK_SCALE x the recovery
        return Prices(*map(float, supply), links=links, output=output)
