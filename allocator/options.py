"""How hard to search: the options every command and Python caller hands to :func:`allocator.solve`."""

from __future__ import annotations

from dataclasses import dataclass

SEARCHES = ("auto", "full", "guided")
SOLVERS = ("highs", "scip")


@dataclass(frozen=True)
class SolveOptions:
    """Every field has the documented CLI default."""

    time_limit: float = 60.0
    rel_gap: float = 1e-4
    seed: int = 0
    deterministic: bool = False
    node_limit: int = 2000  # per stage, used instead of wall time when deterministic
    threads: int = 1
    log: bool = False
    search: str = "auto"  # full: branch and bound; guided: LP bound + LP-guided plan; auto: by size
    solver: str = "highs"  # highs (default, fastest measured) or scip (through OR-Tools MathOpt)
    exports: bool = False  # the caller writes the export within time_limit: the search leaves it time by size
    visuals: bool = False  # ... and an HTML page or PNG charts: the search leaves them time too (see allocator.stages.clock)

    def __post_init__(self) -> None:
        if self.search not in SEARCHES:
            raise ValueError(f"search must be one of {', '.join(SEARCHES)}, not {self.search!r}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {self.solver!r}")
