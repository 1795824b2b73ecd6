"""manifest.json: what an auditor needs to reproduce a run (input hash, scenario, versions, seed)."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from typing import Any

from allocator import __version__
from allocator.result import Result


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
    """The run's inputs, limits, versions and outcome; timings live here and in summary.json only."""
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
