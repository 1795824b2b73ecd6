"""File in, plan out: the steps every front end (CLI, what-if, Python callers) shares."""

from __future__ import annotations

import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from allocator import __version__
from allocator.errors import InputError
from allocator.problem import Problem
from allocator.reading import read_instance
from allocator.scenario import load_scenario
from allocator.solving import Result, SolveOptions, solve


def load_problem(instance: str | Path, scenario: str | Path | None = None, sets: list[str] | None = None, encoding: str | None = None) -> Problem:
    """Read and validate the instance and the scenario; raises InputError listing every problem."""
    problems = []
    inst = scen = None
    try:
        inst = read_instance(instance, encoding)
    except InputError as exc:
        problems += exc.problems
    try:
        scen = load_scenario(scenario, sets)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return Problem(inst, scen)


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"allocator": __version__, "python": platform.python_version()}
    for package in ("ortools", "highspy", "numpy", "pandas"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def manifest(result: Result, summary: dict[str, Any], started: datetime, command: list[str] | None = None) -> dict[str, Any]:
    """What an auditor needs to reproduce a run: input hash, resolved scenario, versions, seed."""
    opts = result.options
    return {
        "command": command if command is not None else sys.argv,
        "input": summary["instance"],
        "scenario": summary["scenario"],
        "versions": versions(),
        "platform": platform.platform(),
        "seed": opts.seed,
        "deterministic": opts.deterministic,
        "time_limit": opts.time_limit,
        "node_limit": opts.node_limit if opts.deterministic else None,
        "rel_gap": opts.rel_gap,
        "search": opts.search,
        "solver": opts.solver,
        "status": summary["status"],
        "stages": [{k: s[k] for k in ("stage", "status", "value", "bound", "gap")} for s in summary["stages"]],
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "timings": summary["timings"],
    }


def run(instance: str | Path, scenario: str | Path | None = None, sets: list[str] | None = None, *,
        options: SolveOptions | None = None, encoding: str | None = None) -> Result:
    """Load, validate and solve in one call; reading counts against the time limit."""
    started = time.perf_counter()
    return solve(load_problem(instance, scenario, sets, encoding), options, started=started)
