"""allocator: masks, freight passes and charter buses for a cluster restarting after a lockdown.

The library is usable without the CLI::

    from allocator import load_instance, load_scenario, Problem, solve
    problem = Problem(load_instance("instances/keqiao-2020.csv"), load_scenario())
    result = solve(problem)
    result.evaluation.weighted_output

Heavy modules (pandas, HiGHS) are imported lazily so ``allocator --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_instance": ("allocator.data.reading", "read_instance"),
    "load_scenario": ("allocator.data.scenario", "load_scenario"),
    "Scenario": ("allocator.data.scenario", "Scenario"),
    "Instance": ("allocator.data.instance", "Instance"),
    "Problem": ("allocator.problem", "Problem"),
    "solve": ("allocator.stages.driver", "solve"),
    "SolveOptions": ("allocator.options", "SolveOptions"),
    "Result": ("allocator.result", "Result"),
    "Allocation": ("allocator.allocation", "Allocation"),
    "evaluate": ("allocator.allocation", "evaluate"),
    "InputError": ("allocator.errors", "InputError"),
}

if TYPE_CHECKING:  # noqa: F401 (re-exported lazily through __getattr__)
    from allocator.errors import InputError
    from allocator.data.instance import Instance
    from allocator.problem import Problem
    from allocator.data.reading import read_instance as load_instance
    from allocator.allocation import Allocation, evaluate
    from allocator.data.scenario import Scenario, load_scenario
    from allocator.options import SolveOptions
    from allocator.result import Result
    from allocator.stages.driver import solve

__all__ = list(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'allocator' has no attribute {name!r}")
