"""Solver back-ends: the only code that talks to a solver.  Stages see :class:`SolverRun`.

``highs`` (the default, through highspy) and ``scip`` (through OR-Tools MathOpt) load the
same formulation and offer the same few operations (:class:`SolverModel`); the solver
libraries are imported only when a model is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocator.backends.base import SolverModel, SolverRun

if TYPE_CHECKING:
    from allocator.model.formulation import Formulation
    from allocator.options import SolveOptions

__all__ = ["SolverModel", "SolverRun", "open_model", "threads"]


def open_model(options: SolveOptions, formulation: Formulation) -> SolverModel:
    """The formulation loaded into the solver ``options`` name."""
    if options.solver == "scip":
        from allocator.backends.scip import ScipModel as kind
    else:
        from allocator.backends.highs import HighsModel as kind
    return kind(formulation, seed=options.seed, threads=threads(options), log=options.log)


def threads(options: SolveOptions) -> int:
    """Solver threads: one when runs must be reproducible."""
    return 1 if options.deterministic else options.threads
