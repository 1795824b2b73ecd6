"""SCIP through OR-Tools MathOpt: the second solver, behind ``--solver scip``.

It runs the same formulation and the same stages as HiGHS, so an officer or an auditor can
check HiGHS's answer with an independent branch and bound.  It is not the default because
it is slower on our models (Keqiao stage 2 without chain balance, to 1e-6: SCIP 43 s,
HiGHS 7.5 s; README, Performance).

The model travels as a MathOpt ``ModelProto`` filled from the formulation's arrays in a
few vectorised calls (no row loop, no scipy).  MathOpt has no warm re-solve for SCIP: each
run sends the whole proto, with the previous stage's plan as a hint.  LP relaxations go to
Glop, OR-Tools' own simplex.  Like :mod:`allocator.backends.highs`, nothing solver-specific leaves
this module: stages see :class:`~allocator.highs.SolverRun`.
"""

from __future__ import annotations

import math
import sys
import time
from datetime import timedelta

import numpy as np

from allocator import progress
from allocator.backends.base import SolverRun
from allocator.model.formulation import Formulation


#: SCIP's feasibility tolerance, as HiGHS's (allocator.backends.highs SAFE_OPTIONS): at its
#: default 1e-6 a tiny register's stage 1 ended with the dual bound 0.5000003 over the optimum
#: 0.5, outside the 1e-8 that "optimal" asks of stage 1 (allocator.stages.claims), so SCIP
#: could not say "optimal" where HiGHS proved it; at 1e-8 the bound closes (tests/backends/
#: test_scip.py, the register of test_scip_proves_stage_one_to_the_claims_tolerance).
FEASIBILITY_TOLERANCE = 1e-8


class ScipModel:
    """The formulation as a MathOpt proto; objectives, holds and rows change per stage."""

    def __init__(self, formulation: Formulation, *, seed: int = 0, threads: int = 1, log: bool = False):
        from ortools.math_opt import model_pb2

        self._seed, self._threads, self._log = int(seed) % 2_147_483_647, int(threads), log
        self.num_cols = formulation.num_cols
        self._target: float | None = None
        self._hint: np.ndarray | None = None
        self._costs, self._offset, self._maximize = np.zeros(self.num_cols), 0.0, False
        arrays = formulation.arrays()
        self._integer = arrays["integer"]
        m = self._proto = model_pb2.ModelProto()
        m.variables.ids.extend(range(self.num_cols))
        m.variables.lower_bounds.extend(arrays["col_lower"])
        m.variables.upper_bounds.extend(arrays["col_upper"])
        m.variables.integers.extend(self._integer.tolist())
        m.linear_constraints.ids.extend(range(formulation.num_rows))
        m.linear_constraints.lower_bounds.extend(arrays["row_lower"])
        m.linear_constraints.upper_bounds.extend(arrays["row_upper"])
        rows, cols, values = _row_major(arrays)
        matrix = m.linear_constraint_matrix
        matrix.row_ids.extend(rows)
        matrix.column_ids.extend(cols)
        matrix.coefficients.extend(values)

    def bound_only(self) -> None:
        """Only the dual bound will be used; SCIP keeps its default tolerances throughout."""

    def set_objective(self, costs: np.ndarray, offset: float, maximize: bool) -> None:
        self._costs, self._offset, self._maximize = np.asarray(costs, dtype=float), float(offset), maximize
        objective = self._proto.objective
        objective.Clear()
        objective.maximize = maximize
        objective.offset = float(offset)
        nonzero = np.flatnonzero(self._costs)
        objective.linear_coefficients.ids.extend(nonzero.tolist())
        objective.linear_coefficients.values.extend(self._costs[nonzero])

    def set_lower(self, col: int, lower: float) -> None:
        variables = self._proto.variables
        variables.lower_bounds[col] = float(lower)
        variables.upper_bounds[col] = max(variables.upper_bounds[col], float(lower))

    def add_row(self, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> int:
        rows = self._proto.linear_constraints
        row = len(rows.ids)
        rows.ids.append(row)
        rows.lower_bounds.append(float(lower))
        rows.upper_bounds.append(float(upper))
        cols = np.asarray(cols, dtype=np.int64)
        order = np.argsort(cols, kind="stable")  # the matrix is kept in (row, column) order
        matrix = self._proto.linear_constraint_matrix
        matrix.row_ids.extend([row] * len(cols))
        matrix.column_ids.extend(cols[order].tolist())
        matrix.coefficients.extend(np.asarray(coefs, dtype=float)[order])
        return row

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        rows = self._proto.linear_constraints
        rows.lower_bounds[row], rows.upper_bounds[row] = float(lower), float(upper)

    def set_target(self, target: float | None) -> None:
        """Stop at the first plan at least this good (None: never)."""
        self._target = target

    def set_start(self, values: np.ndarray) -> None:
        self._hint = np.asarray(values, dtype=float)

    def run(self, *, time_limit: float | None, rel_gap: float, node_limit: int | None, heuristics: bool = True,
            abs_gap: float = 0.0) -> SolverRun:
        from ortools.math_opt import parameters_pb2

        if progress.stopping():  # asked to stop: no new search starts (a SCIP run is not interrupted)
            return SolverRun("interrupted", None, None, None, 0.0, 0)
        params = self._parameters(time_limit)
        params.relative_gap_tolerance = float(rel_gap)
        params.absolute_gap_tolerance = float(abs_gap)
        params.gscip.real_params["numerics/feastol"] = FEASIBILITY_TOLERANCE
        if node_limit is not None:
            params.node_limit = int(node_limit)
        if not heuristics:
            params.heuristics = parameters_pb2.EMPHASIS_OFF
        if self._target is not None:
            # any plan reaching the target will do: stage 3's exclusion search asks for one
            params.solution_limit = 1
        return self._solve(self._proto, parameters_pb2.SOLVER_TYPE_GSCIP, params, hint=self._hint)

    def relaxation(self, time_limit: float | None) -> SolverRun | None:
        """The LP relaxation by Glop: outcome optimal (objective = a proven bound), infeasible, or without
        a bound ("time", "interrupted", "error"; its seconds kept); None when a stop was asked before it began."""
        from ortools.math_opt import parameters_pb2

        if progress.stopping():
            return None
        relaxed = type(self._proto)()
        relaxed.CopyFrom(self._proto)
        del relaxed.variables.integers[:]
        relaxed.variables.integers.extend([False] * self.num_cols)
        run = self._solve(relaxed, parameters_pb2.SOLVER_TYPE_GLOP, self._parameters(time_limit), hint=None)
        if run.outcome == "infeasible":
            return run
        if run.outcome != "optimal" or run.bound is None:
            outcome = "interrupted" if progress.stopping() else run.outcome if run.outcome in ("time", "error") else "error"
            return SolverRun(outcome, None, None, None, run.seconds, 0)
        return SolverRun("optimal", run.objective, run.bound, run.values, run.seconds, 0, duals=run.duals)

    def run_within(self, upper: np.ndarray, **run_options) -> SolverRun:
        """:meth:`run` with the integer columns' upper bounds lowered to ``upper``; no bound returned."""
        variables = self._proto.variables
        original = np.array(variables.upper_bounds)
        lower = np.array(variables.lower_bounds)
        narrowed = np.where(self._integer, np.maximum(lower, np.minimum(original, upper)), original)
        del variables.upper_bounds[:]
        variables.upper_bounds.extend(narrowed)
        try:
            run = self.run(**run_options)
        finally:
            del variables.upper_bounds[:]
            variables.upper_bounds.extend(original)
        return SolverRun(run.outcome, run.objective, None, run.values, run.seconds, run.nodes)

    def _parameters(self, time_limit: float | None):
        from ortools.math_opt import parameters_pb2

        params = parameters_pb2.SolveParametersProto()
        if time_limit is not None:
            params.time_limit.FromTimedelta(timedelta(seconds=float(time_limit)))
        params.threads = self._threads
        params.random_seed = self._seed
        return params

    def _solve(self, proto, solver_type: int, params, hint: np.ndarray | None) -> SolverRun:
        from ortools.math_opt import callback_pb2, model_parameters_pb2, parameters_pb2, result_pb2
        from ortools.math_opt.core.python import solver

        model_params = model_parameters_pb2.ModelSolveParametersProto()
        if hint is not None:
            known = model_params.solution_hints.add().variable_values
            known.ids.extend(range(self.num_cols))
            known.values.extend(hint)
        started = time.perf_counter()
        log = _to_stderr if self._log else None  # --log promises stderr: stdout may carry JSON
        result = solver.solve(proto, solver_type, parameters_pb2.SolverInitializerProto(), params, model_params,
                              log, callback_pb2.CallbackRegistrationProto(), None, None)
        seconds = time.perf_counter() - started
        values = _first_point(result, self.num_cols)
        bounds = result.termination.objective_bounds
        objective = float(self._costs @ values) + self._offset if values is not None else None
        bound = float(bounds.dual_bound) if math.isfinite(bounds.dual_bound) else None
        outcome = _outcome(result.termination, result_pb2)
        nodes = int(result.solve_stats.node_count)
        duals = _first_duals(result, len(proto.linear_constraints.ids))
        return SolverRun(outcome, objective, bound, values, seconds, nodes, duals=duals)


def _to_stderr(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _row_major(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The compressed-column matrix as (row, column, value) triples in (row, column) order."""
    start, rows, values = arrays["start"], arrays["index"], arrays["value"]
    cols = np.repeat(np.arange(len(start) - 1), np.diff(start))
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], values[order]


def _first_point(result, num_cols: int) -> np.ndarray | None:
    """The best primal point MathOpt returned, or None."""
    return _first_vector(result, "primal_solution", "variable_values", num_cols)


def _first_duals(result, num_rows: int) -> np.ndarray | None:
    """An LP's row duals (Glop returns them; SCIP's MIP runs do not), or None."""
    return _first_vector(result, "dual_solution", "dual_values", num_rows)


def _first_vector(result, kind: str, field: str, size: int) -> np.ndarray | None:
    """The first solution's ``kind`` part, its sparse ``field`` as a dense vector; None if absent."""
    for solution in result.solutions:
        if solution.HasField(kind):
            sparse = getattr(getattr(solution, kind), field)
            dense = np.zeros(size)
            dense[np.asarray(sparse.ids, dtype=np.int64)] = np.asarray(sparse.values, dtype=float)
            return dense
    return None


def _outcome(termination, result_pb2) -> str:
    """MathOpt's termination in the words :class:`~allocator.highs.SolverRun` uses."""
    reason, limit = termination.reason, termination.limit
    if reason == result_pb2.TERMINATION_REASON_OPTIMAL:
        return "optimal"
    if reason == result_pb2.TERMINATION_REASON_INFEASIBLE:
        return "infeasible"
    if reason in (result_pb2.TERMINATION_REASON_FEASIBLE, result_pb2.TERMINATION_REASON_NO_SOLUTION_FOUND):
        if limit == result_pb2.LIMIT_TIME:
            return "time"
        if limit in (result_pb2.LIMIT_SOLUTION, result_pb2.LIMIT_OBJECTIVE):
            return "target"
        if limit == result_pb2.LIMIT_INTERRUPTED:
            return "interrupted"
        return "work"  # node, iteration or other work limits
    return "error"
