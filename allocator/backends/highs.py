"""A thin wrapper over HiGHS: load a Formulation once, then run it stage after stage.

HiGHS is reached through ``highspy`` rather than OR-Tools' wrappers because we need
three things they do not give us reliably: the proven dual bound of a MIP (OR-Tools'
model_builder reports the incumbent as "best bound" for HiGHS), warm starts between
stages, and loading a model from numpy arrays without one Python call per row.
No HiGHS object leaves this module; stages see :class:`SolverRun`.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator

import numpy as np

from allocator import progress
from allocator.backends.base import SolverRun
from allocator.model.formulation import Formulation


#: Options that keep HiGHS's proofs true, each found by a counterexample:
#: - integrality to 1e-8: the default 1e-6 is also what its presolve reasons with, and on a
#:   fibre link of outputs 1 and 624,999 it took a pass worth 8e-7 of the link for nothing and
#:   "proved" 0.9999992 optimal where 1.0 is reachable (claims are judged to 1e-8 in stage 1).
#:   At 1e-9 (HiGHS's authors call it "asking for trouble", ERGO-Code/HiGHS#2033) stage 1 of
#:   threshold-1000-2 and -3 (benchmarks/families.py, chain balance on) stopped with bounds
#:   0.4959803 and 0.5124146 where the plain model had found plans of 0.4961112 and 0.5127040
#:   (tests/backends/test_highs_faults.py); at 1e-8 and 1e-7 the bounds were 0.4961368 and
#:   0.5127269, above them.  This moves off a fault, it does not explain it: at 1e-9 with
#:   random seeds 2 and 3 instead of 0 the first bound was right too, and no other setting was
#:   tried as widely (benchmarks/compare_plain.py found no disagreement with our claims at 1e-8
#:   on the 21 registers of 1,000 firms and the 21 of 2,000, chain balance on).  On Keqiao,
#:   1e-8 leaves stage 1 "within gap" (1.7e-5) where 1e-9 closed it at the root: its optimum
#:   0.3725686 is proven at 1e-8 too with mip_rel_gap 0 (5.6 s against 4.0 s), but the stage
#:   stops at its 1e-4 as the SPEC says;
#: - no dual fixing in presolve: on two firms sharing one bus (tests/backends/test_highs_faults.py)
#:   the presolve of a restart fixed a column wrongly by dual fixing and HiGHS 1.16 "proved" 57
#:   optimal where 58 is reachable.  Without restarts it was right too, but 20% slower on
#:   Keqiao (CPU seconds, same load: restarts off 9.6-10.5, dual fixing off 7.6, both on 8.0).
SAFE_OPTIONS = {"mip_feasibility_tolerance": 1e-8, "presolve_rule_off": 1 << 17}
#: HiGHS sets "solve error" when the point its branch and bound proved optimal violates a row,
#: after postsolve, by more than the feasibility tolerance: seen at 1.03e-9 on a one-day model
#: whose lowest-link row has coefficients near 6e5 (LINK_SCALE), when the tolerance was 1e-9
#: (tests/plan/test_bounds.py SOLVE_ERROR; at 1e-8 that model no longer fails).  Such a run is
#: repeated once at this many times the tolerance: enough for a point 1.03 times over it, and
#: no looser, since a bound is claimed to 1e-8 of a link (see the fibre case above).
RETRY_FACTOR = 2.0
#: Presolve's dual-fixing probing (rule 20) is off for a run given a start: with the start as its
#: incumbent HiGHS 1.16 "proved" it optimal in 0.1 s where a plan 1.8% better holds every rule
#: (stage 2 of a scarce register of 300 firms, from the box search's plan; and `--search full`
#: from stage 1's plan, 1.9% off: tests/backends/test_highs_faults.py).  Without a start, and
#: with this rule off, the same model gives the right optimum.  Off for every run it cost twice
#: the time on two families (heavytail-1000-1 8.3 -> 16.4 s, fragmented-1000-3 17.3 -> 45.8 s),
#: so runs without a start keep it; each run clears the solver first, so that no incumbent of an
#: earlier run is a start unseen.
STARTED_RULES_OFF = 1 << 20
#: LP relaxations run without presolve (LP_PRESOLVE): stage 1's LP of the province (84k
#: columns) took 10.2 s with it and 7.4 s without, Keqiao's 0.13 s and 0.08 s; on 10,000-firm
#: registers of four families it made no difference (0.53 - 3.07 s, within 10% either way).
LP_PRESOLVE = "off"
#: LP relaxations price the dual simplex by Devex (1) instead of HiGHS's choice (steepest edge
#: here).  Stage 1's LP, same machine, default -> Devex: the province 7.5 -> 4.0 s, a register
#: of 30,000 firms in 27,016 tiny bus groups (benchmarks/families.py fragmented) 24-31 -> 10.7 s
#: (it outlasted a stage's share, so no stage had a bound), threshold and scarce at 30,000
#: 6.7 -> 5.0 s and 4.6 -> 3.5 s, fragmented at 10,000 2.0 -> 0.95 s; eight other family
#: registers of 10,000 and 30,000 firms and Keqiao within 0.1 s either way.  Branch and bound
#: keeps HiGHS's choice.
LP_EDGE_WEIGHTS = 1
#: A model run for its dual bound alone (allocator.model.bus_bound) keeps HiGHS's default
#: tolerance.  Its plans are never used, a looser tolerance only widens the region its bound
#: covers, and its rows hold the lowest link scaled by LINK_SCALE, so 1e-6 of a row is 1e-12
#: of a link: the fibre counterexample above needs an unscaled row.  At 1e-9 the province's
#: bus relaxation (70k columns) spent its 10 s root on the LP and its bound stayed above the
#: LP's (0.37441 against 0.37421); at 1e-6 its cuts reach 0.37380 in the same time.
BOUND_ONLY_FEASIBILITY = 1e-6


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """highspy prints a banner on construction; keep it out of stdout (``--format json``)."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """HiGHS writes its log to stdout; ``--log`` promises stderr (stdout may carry JSON)."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def quiet_highs():
    """A new ``highspy.Highs``, without the banner it prints on stdout when it is the process's first."""
    import highspy

    with _stdout_silenced():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def _rest(time_limit: float | None, spent: float) -> float | None:
    """What a retry may take of a run's time limit: a retry within the same run, not a second limit."""
    return None if time_limit is None else max(0.05, time_limit - spent)


class HighsModel:
    """One HiGHS instance holding the formulation; objectives and holds change per stage."""

    def __init__(self, formulation: Formulation, *, seed: int = 0, threads: int = 1, log: bool = False):
        import highspy

        self._hs = highspy
        self._h = quiet_highs()
        self._log = log
        self._set("output_flag", log)
        self._set("log_to_console", log)
        self._set("random_seed", int(seed) % 2_147_483_647)
        # HiGHS's branch and bound is sequential; more threads only help its parallel parts
        # (symmetry detection, parallel simplex). One thread keeps runs reproducible.
        self._set("threads", int(threads))
        for name, value in SAFE_OPTIONS.items():
            self._set(name, value)
        self._feasibility = SAFE_OPTIONS["mip_feasibility_tolerance"]
        self.num_cols = formulation.num_cols
        self._start: np.ndarray | None = None
        self._integer = np.zeros(0, dtype=bool)
        self._kinds = self._all_continuous = np.zeros(0, dtype=object)
        self._load(formulation)
        self._watch = progress.current()
        if self._watch is not None:
            self._listen(self._watch)

    def bound_only(self) -> None:
        """Only the dual bound of this model's runs will be used: see BOUND_ONLY_FEASIBILITY."""
        self._feasibility = BOUND_ONLY_FEASIBILITY
        self._set("mip_feasibility_tolerance", self._feasibility)

    def _listen(self, watch: progress.Watch) -> None:
        """Stop at the watch's request, and report better plans and (twice a second) bounds."""
        last = [0.0]

        def interrupt(event) -> None:
            if watch.stopped:
                event.interrupt()
            elif time.perf_counter() - last[0] > 0.5 and np.isfinite(event.data_out.mip_dual_bound):
                last[0] = time.perf_counter()
                watch.emit("bound", bound=float(event.data_out.mip_dual_bound))

        def improved(event) -> None:
            watch.emit("plan", value=float(event.data_out.objective_function_value))

        def simplex(event) -> None:
            if watch.stopped:
                event.interrupt()

        self._h.cbMipInterrupt.subscribe(interrupt)
        self._h.cbMipImprovingSolution.subscribe(improved)
        self._h.cbSimplexInterrupt.subscribe(simplex)

    def _set(self, name: str, value: object) -> None:
        status = self._h.setOptionValue(name, value)
        if status != self._hs.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS rejected option {name}={value!r}")

    def _load(self, f: Formulation) -> None:
        hs = self._hs
        arrays = f.arrays()
        lp = hs.HighsLp()
        lp.num_col_ = f.num_cols
        lp.num_row_ = f.num_rows
        lp.col_cost_ = np.zeros(f.num_cols)
        lp.col_lower_ = arrays["col_lower"]
        lp.col_upper_ = arrays["col_upper"]
        lp.row_lower_ = arrays["row_lower"]
        lp.row_upper_ = arrays["row_upper"]
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = arrays["start"].astype(np.int32)
        lp.a_matrix_.index_ = arrays["index"].astype(np.int32)
        lp.a_matrix_.value_ = arrays["value"]
        self._integer = arrays["integer"]
        # built once: a Python object per column (50 ms at 84k columns), reused by every LP
        self._kinds = np.array([hs.HighsVarType.kInteger if i else hs.HighsVarType.kContinuous for i in self._integer])
        self._all_continuous = np.full(f.num_cols, hs.HighsVarType.kContinuous)
        lp.integrality_ = list(self._kinds)
        self._h.passModel(lp)

    def set_objective(self, costs: np.ndarray, offset: float, maximize: bool) -> None:
        self._costs, self._offset = np.asarray(costs, dtype=float), float(offset)
        idx = np.arange(self.num_cols, dtype=np.int32)
        self._h.changeColsCost(self.num_cols, idx, np.asarray(costs, dtype=float))
        self._h.changeObjectiveOffset(float(offset))
        sense = self._hs.ObjSense.kMaximize if maximize else self._hs.ObjSense.kMinimize
        self._h.changeObjectiveSense(sense)

    def set_lower(self, col: int, lower: float) -> None:
        upper = self._h.getLp().col_upper_[col]
        self._h.changeColBounds(int(col), float(lower), float(max(upper, lower)))

    def add_row(self, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> int:
        cols = np.asarray(cols, dtype=np.int32)
        self._h.addRow(float(lower), float(upper), len(cols), cols, np.asarray(coefs, dtype=float))
        return self._h.getNumRow() - 1

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self._h.changeRowBounds(int(row), float(lower), float(upper))

    def set_target(self, target: float | None) -> None:
        """Stop as soon as a point with an objective at least this good is found (None: never)."""
        self._set("objective_target", float("-inf") if target is None else float(target))

    def relaxation(self, time_limit: float | None) -> SolverRun | None:
        """Solve the LP relaxation: outcome optimal (objective = a proven bound), infeasible, or without
        a bound ("time", "interrupted", "error"), with the seconds it took, which a stage reports; None
        when a stop was asked before it began."""
        if progress.stopping():
            return None
        hs, h = self._hs, self._h
        cols = np.arange(self.num_cols, dtype=np.int32)
        h.changeColsIntegrality(self.num_cols, cols, self._all_continuous)
        self._set("presolve", LP_PRESOLVE)
        self._set("simplex_dual_edge_weight_strategy", LP_EDGE_WEIGHTS)
        try:
            # HiGHS 1.16 measures an LP's time limit on the instance's run clock, which keeps
            # running across runs (a MIP's limit is per run): without the offset, an LP after
            # 37 s of earlier stages stopped at once against a 22 s limit.
            limit = h.getRunTime() + float(time_limit) if time_limit is not None else float("inf")
            self._set("time_limit", limit)
            started = time.perf_counter()
            self._solve()
            seconds = time.perf_counter() - started
            status = h.getModelStatus()
            if status == hs.HighsModelStatus.kInfeasible:
                return SolverRun("infeasible", None, None, None, seconds, 0)
            if status != hs.HighsModelStatus.kOptimal:
                stopped = progress.stopping() or status == hs.HighsModelStatus.kInterrupt
                outcome = "interrupted" if stopped else "time" if status == hs.HighsModelStatus.kTimeLimit else "error"
                return SolverRun(outcome, None, None, None, seconds, 0)
            value = float(h.getInfo().objective_function_value)
            solution = h.getSolution()
            return SolverRun("optimal", value, value, np.array(solution.col_value), seconds, 0,
                             duals=np.array(solution.row_dual))
        finally:
            self._set("presolve", "choose")
            self._set("simplex_dual_edge_weight_strategy", -1)
            h.changeColsIntegrality(self.num_cols, cols, self._kinds)

    def run_within(self, upper: np.ndarray, **run_options) -> SolverRun:
        """:meth:`run` with the integer columns' upper bounds lowered to ``upper`` (a neighbourhood).

        Its bound holds only inside the neighbourhood, so it is not returned.
        """
        h = self._h
        cols = np.flatnonzero(self._integer).astype(np.int32)
        lp = h.getLp()
        lower, original = np.asarray(lp.col_lower_)[cols], np.asarray(lp.col_upper_)[cols]
        narrowed = np.maximum(lower, np.minimum(original, upper[cols]))
        h.changeColsBounds(len(cols), cols, lower, narrowed)
        # changing bounds makes HiGHS drop the point offered before; run() offers it again (without
        # this, the guided searches never had their start: the province's stage 2 ran 13 s without any plan)
        try:
            run = self.run(**run_options, bound_used=False)
        finally:
            h.changeColsBounds(len(cols), cols, lower, original)
        return SolverRun(run.outcome, run.objective, None, run.values, run.seconds, run.nodes)

    def set_start(self, values: np.ndarray) -> None:
        """Offer a known feasible point (the previous stage's) as the first incumbent of the next run."""
        self._start = np.asarray(values, dtype=float)
        self._offer_start()

    def _offer_start(self) -> None:
        if self._start is not None:
            idx = np.arange(self.num_cols, dtype=np.int32)
            self._h.setSolution(self.num_cols, idx, self._start)

    def run(self, *, time_limit: float | None, rel_gap: float, node_limit: int | None, heuristics: bool = True,
            abs_gap: float = 0.0, bound_used: bool = True) -> SolverRun:
        """Run; if the point HiGHS returns does not have the objective it reports, run again.

        HiGHS 1.16 can report the optimum of a model that presolve reduced to nothing while
        returning the warm start unchanged (seen on one-firm instances); without presolve it
        returns the right point.  The retry costs nothing on models where this does not happen.
        """
        self._set("mip_heuristic_effort", 0.05 if heuristics else 0.0)
        self._set("mip_heuristic_run_rins", heuristics)
        self._set("mip_heuristic_run_rens", heuristics)
        self._set("mip_heuristic_run_feasibility_jump", heuristics)
        self._set("mip_heuristic_run_root_reduced_cost", False)
        self._set("mip_abs_gap", float(abs_gap))
        if progress.stopping():  # asked to stop: no new search starts
            return SolverRun("interrupted", None, None, None, 0.0, 0)
        self._h.clearSolver()  # no incumbent left from an earlier run: only the start offered now (see STARTED_RULES_OFF)
        self._offer_start()
        guarded = self._start is not None and bound_used  # a run whose bound is not used may keep the rule
        self._set("presolve_rule_off", SAFE_OPTIONS["presolve_rule_off"] | (STARTED_RULES_OFF if guarded else 0))
        first = self._run_once(time_limit, rel_gap, node_limit)
        if first.outcome == "error":  # see RETRY_FACTOR
            self._set("mip_feasibility_tolerance", RETRY_FACTOR * self._feasibility)
            try:
                self._offer_start()
                failed, first = first, self._run_once(_rest(time_limit, first.seconds), rel_gap, node_limit)
                first = replace(first, seconds=failed.seconds + first.seconds, nodes=failed.nodes + first.nodes)
            finally:
                self._set("mip_feasibility_tolerance", self._feasibility)
        self._start = None  # offered once: a later stage offers its own
        if first.values is None or first.outcome != "optimal" or self._consistent(first):
            return first
        self._set("presolve", "off")
        try:
            again = self._run_once(_rest(time_limit, first.seconds), rel_gap, node_limit)
        finally:
            self._set("presolve", "choose")
        return SolverRun(again.outcome, again.objective, again.bound, again.values, first.seconds + again.seconds, first.nodes + again.nodes)

    def _solve(self) -> None:
        if self._log:
            with _stdout_to_stderr():
                self._h.run()
        else:
            self._h.run()

    def _consistent(self, run: SolverRun) -> bool:
        value = float(self._costs @ run.values) + self._offset
        return abs(value - run.objective) <= 1e-6 * max(1.0, abs(value))

    def _run_once(self, time_limit: float | None, rel_gap: float, node_limit: int | None) -> SolverRun:
        hs, h = self._hs, self._h
        self._set("time_limit", float(time_limit) if time_limit is not None else float("inf"))
        self._set("mip_rel_gap", float(rel_gap))
        self._set("mip_max_nodes", int(node_limit) if node_limit is not None else 2_147_483_647)
        started = time.perf_counter()
        self._solve()
        seconds = time.perf_counter() - started
        status = h.getModelStatus()
        if status == hs.HighsModelStatus.kModelEmpty:  # nothing left to decide: the offset is exact
            return SolverRun("optimal", self._offset, self._offset, np.zeros(self.num_cols), seconds, 0)
        info = h.getInfo()
        has_point = info.primal_solution_status == 2  # kSolutionStatusFeasible
        values = np.array(h.getSolution().col_value) if has_point else None
        objective = info.objective_function_value if has_point else None
        bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else None
        if not self._integer.any() and status == hs.HighsModelStatus.kOptimal:
            bound = objective  # no integer column: HiGHS solved an LP and sets no MIP bound
        outcome = {
            hs.HighsModelStatus.kOptimal: "optimal",
            hs.HighsModelStatus.kTimeLimit: "time",
            hs.HighsModelStatus.kSolutionLimit: "work",
            hs.HighsModelStatus.kInfeasible: "infeasible",
            hs.HighsModelStatus.kInterrupt: "interrupted",
            hs.HighsModelStatus.kObjectiveTarget: "target",
        }.get(status, "error")
        if outcome == "error":
            bound = None  # HiGHS's dual bound after a solve error proves nothing (it said 0 for 619,697)
        return SolverRun(outcome, objective, bound, values, seconds, int(info.mip_node_count))
