"""Commissioners: who goes to which enterprise, with a visit list of pain points (SPEC "Commissioners").

    staff          the commissioners file, read and checked (allocator.data.table.read_table)
    problem        the allocation first (solved as ``solve`` does), pain points, key firms, fields
    structure      what is interchangeable: kinds of firms, groups of equal pi, groups of people
    model          stages 1 and 2 on classes of firms (CP-SAT)
    certificate    stage 2 made exact and proven in fractions; the fixings stage 3 must keep
    cpsat          one CP-SAT run, mapped onto plain data
    park_model     stage 3, fewest parks per person: an exact aggregated CP-SAT model
    park_cuts      its components of fields and valid inequalities per park
    plan           a plan, its evaluation (every figure recomputed), a first plan by hand rules
    improve        a local search that gives stage 3 a good start
    disaggregate   plans to the park model's counts and back
    solve          the three stages, their claims, the stop flag
    summary        the figures as plain data (summary.json, the reports)
    export         assignment.csv, visits.csv, unserved.csv, allocation.csv, summary.json, manifest.json
    report         the terminal report;  html  the printable visit lists
    generate       a synthetic commissioners file calibrated to Keqiao

From Python::

    from allocator.assign import assign_files
    run = assign_files("instances/keqiao-2020.csv", "instances/keqiao-2020-commissioners.csv")
    run.assignment.stages, run.assignment.plan.server
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allocator.assign.problem import AssignProblem, load_inputs
from allocator.assign.solve import AssignOptions, AssignResult, solve_assignment
from allocator.assign.staff import Staff, read_staff
from allocator.options import SolveOptions
from allocator.result import Result

__all__ = ["AssignOptions", "AssignProblem", "AssignResult", "Run", "Staff", "assign_files", "read_staff",
           "solve_assignment"]


@dataclass(frozen=True, eq=False)
class Run:
    """An ``allocator assign`` run: the allocation it used and the assignment."""

    allocation: Result
    assignment: AssignResult
    seconds: float = 0.0  # reading both files and solving the allocation


def assign_files(instance: str | Path, commissioners: str | Path, scenario: str | Path | None = None,
                 sets: list[str] | None = None, *, solve_options: SolveOptions | None = None,
                 options: AssignOptions | None = None, encoding: str | None = None, sheet: str | None = None,
                 watch=None) -> Run:
    """Read both files, solve the allocation as ``solve`` does, then the assignment.

    ``watch`` (allocator.progress) sees the allocation's progress and may stop either part like
    a time limit: the plan so far is kept and reported."""
    import time

    from allocator.stages.driver import solve

    inputs = load_inputs(instance, commissioners, scenario, sets, encoding, sheet)
    allocation = solve(inputs.problem, solve_options, started=inputs.started, watch=watch)
    seconds = time.perf_counter() - inputs.started
    problem = AssignProblem(allocation, inputs.staff, inputs.project)
    stop = None if watch is None else (lambda: watch.stopped)
    return Run(allocation, solve_assignment(problem, options, stop), seconds)
