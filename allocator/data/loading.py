"""An instance file and a scenario, read and validated together: every problem of both at once."""

from __future__ import annotations

from pathlib import Path

from allocator.data.reading import read_instance
from allocator.data.scenario import load_scenario
from allocator.errors import InputError
from allocator.problem import Problem


def load_problem(instance: str | Path, scenario: str | Path | None = None, sets: list[str] | None = None,
                 encoding: str | None = None, sheet: str | None = None) -> Problem:
    """Read and validate the instance (CSV or a workbook's ``sheet``) and the scenario; raises
    InputError listing every problem."""
    problems = []
    inst = scen = None
    try:
        inst = read_instance(instance, encoding, sheet)
    except InputError as exc:
        problems += exc.problems
    try:
        scen = load_scenario(scenario, sets)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return Problem(inst, scen)
