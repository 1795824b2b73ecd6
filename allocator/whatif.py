"""What-if sweeps: many scenarios derived from one base, solved in parallel, compared.

A variant is a named set of overrides applied to the base scenario (nothing is
mutated).  Each run builds its model inside the worker from the instance and the
scenario (OR-Tools and HiGHS models cannot be pickled), so the same function serves
the serial loop, the local process pool and a Dask cluster.  The comparison holds no
timings, so a sweep gives the same comparison.csv on every backend and worker count
(for runs that may stop on a wall-clock limit, pass ``--deterministic``).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from allocator.errors import InputError, InputProblem
from allocator.instance import Instance
from allocator.scenario import Scenario, flatten, parse_value
from allocator.solving import SolveOptions

BASE = "base"


@dataclass(frozen=True)
class Variant:
    """One scenario of a sweep: a name and the overrides it applies to the base."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return "; ".join(f"{k}={_show(v)}" for k, v in self.overrides.items())

    def short_label(self) -> str:
        """supply.masks=300000 -> masks=300000; tiers.A.weight=4 -> A.weight=4."""
        return " ".join(f"{k.split('.', 1)[1]}={_show(v)}" for k, v in self.overrides.items())


@dataclass
class RunOutcome:
    """What one run of a sweep produced (summary is None when it failed)."""

    variant: Variant
    scenario: dict[str, Any] | None
    summary: dict[str, Any] | None
    error: str | None
    seconds: float

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        return self.summary["status"]

    @property
    def has_plan(self) -> bool:
        return self.summary is not None and bool(self.summary["plan"])


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def grid(varies: list[str]) -> list[Variant]:
    """The cartesian product of ``key=v1,v2,...`` options, in the order given."""
    axes: list[tuple[str, list[Any]]] = []
    problems = []
    for item in varies:
        key, sep, values = item.partition("=")
        parts = _split_values(values)
        if not sep or not key.strip() or not parts:
            problems.append(InputProblem("--vary", f"expected key=v1,v2,..., got {item!r}"))
            continue
        axes.append((key.strip(), [parse_value(p) for p in parts]))
    if problems:
        raise InputError(problems)
    variants = []
    for combo in itertools.product(*(values for _, values in axes)):
        overrides = {key: value for (key, _), value in zip(axes, combo)}
        variants.append(Variant(Variant("", overrides).short_label(), overrides))
    return variants


def _split_values(text: str) -> list[str]:
    """Split on commas outside brackets and quotes, so list values survive."""
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def named(path: str | Path) -> list[Variant]:
    """Variants from a TOML file of ``[scenario.NAME]`` tables (keys as in a scenario file)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([InputProblem(str(path), "file not found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([InputProblem(str(path), f"not valid TOML: {exc}")]) from None
    tables = data.get("scenario")
    unknown = [k for k in data if k != "scenario"]
    if not isinstance(tables, dict) or not tables or unknown:
        raise InputError([InputProblem(str(path), "expected only [scenario.NAME] tables, e.g. [scenario.more-masks] with supply.masks = 480000")])
    return [Variant(str(name), flatten(table)) for name, table in tables.items()]


def solve_variant(instance: Instance, base: Scenario, variant: Variant, options: SolveOptions, export_dir: str | None) -> RunOutcome:
    """One run, self-contained so it can execute in any worker process."""
    from allocator.errors import ExportError
    from allocator.problem import Problem
    from allocator.solving import solve
    from allocator.summary import summarize

    started = time.perf_counter()
    try:
        scenario = base.with_overrides(dict(variant.overrides), source=f"scenario {variant.name!r}")
    except InputError as exc:
        return RunOutcome(variant, None, None, "; ".join(p.message for p in exc.problems), time.perf_counter() - started)
    try:
        result = solve(Problem(instance, scenario), options)
        summary = summarize(result)
        if export_dir is not None:
            _export_run(result, summary, Path(export_dir) / _folder_name(variant.name))
    except (ExportError, RuntimeError, ValueError) as exc:
        return RunOutcome(variant, scenario.to_dict(), None, str(exc), time.perf_counter() - started)
    return RunOutcome(variant, scenario.to_dict(), summary, None, time.perf_counter() - started)


def _export_run(result, summary: dict[str, Any], folder: Path) -> None:
    from allocator.export import export_files, write_export
    from allocator.pipeline import manifest

    started = datetime.now(timezone.utc)
    write_export(folder, export_files(result, summary, manifest(result, summary, started)))


def _folder_name(name: str) -> str:
    """A folder name that is safe on Windows and Linux and stable for the same scenario name."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "_", name).strip(" .")
    return cleaned[:120] or "scenario"


def run_sweep(
    instance: Instance,
    base: Scenario,
    variants: list[Variant],
    options: SolveOptions,
    *,
    workers: int = 1,
    backend: str = "local",
    address: str | None = None,
    export_dir: str | Path | None = None,
    on_done: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Solve the base and every variant; outcomes come back in the order given (base first)."""
    check_names(variants)
    runs = [Variant(BASE)] + variants
    target = str(export_dir) if export_dir is not None else None
    outcomes: dict[int, RunOutcome] = {}
    results = _execute(instance, base, runs, options, workers, backend, address, target)
    try:
        for index, outcome in results:
            outcomes[index] = outcome
            if on_done:
                on_done(outcome)
    except KeyboardInterrupt:
        results.close()  # Ctrl-C may land in on_done: stop the workers before judging their folders
        if export_dir is not None:  # a folder whose run never reported back is not part of the sweep
            for index, variant in enumerate(runs):
                if index not in outcomes:
                    shutil.rmtree(Path(export_dir) / _folder_name(variant.name), ignore_errors=True)
        raise
    finally:
        if export_dir is not None:
            remove_partial_folders(Path(export_dir))
    return [outcomes[i] for i in sorted(outcomes)]


def _execute(instance, base, runs, options, workers, backend, address, target) -> Iterator[tuple[int, RunOutcome]]:
    args = [(instance, base, v, options, target) for v in runs]
    if backend == "dask":
        yield from _dask(args, workers, address)
    elif workers <= 1:
        for index, arg in enumerate(args):
            yield index, solve_variant(*arg)
    else:
        yield from _pool(args, workers)


def _pool(args: list[tuple], workers: int) -> Iterator[tuple[int, RunOutcome]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    others = set(multiprocessing.active_children())  # children that are not the pool's
    pool = ProcessPoolExecutor(max_workers=workers)
    futures = {pool.submit(solve_variant, *arg): i for i, arg in enumerate(args)}
    delivered: set[int] = set()
    completed = False
    try:
        for future in as_completed(futures):
            delivered.add(futures[future])
            yield futures[future], future.result()
        completed = True
    except KeyboardInterrupt:
        for future, index in futures.items():  # runs that finished while Ctrl-C came in are kept
            if index not in delivered and future.done() and not future.cancelled() and future.exception() is None:
                yield index, future.result()
        raise
    finally:  # interrupted here or in the caller (closed generator): stop the workers now
        if completed:
            pool.shutdown(wait=True)
        else:
            _stop(pool, others)


def _stop(pool, others: set) -> None:
    """Ctrl-C: drop queued runs and stop running ones now (HiGHS does not listen to SIGINT).

    The pool's workers are its children that were not there before it: the executor
    forgets them on shutdown, and under load it may start one more after a snapshot
    (seen once: a worker left running after the interrupt).
    """
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    workers = [p for p in multiprocessing.active_children() if p not in others]
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)


def _dask(args: list[tuple], workers: int, address: str | None) -> Iterator[tuple[int, RunOutcome]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError([InputProblem("--backend dask", "Dask is not installed; install it with: pip install 'allocator[dask]'")]) from None
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {client.submit(solve_variant, *arg, pure=False): i for i, arg in enumerate(args)}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def remove_partial_folders(export_dir: Path) -> None:
    """Temporary folders of runs that were interrupted never survive a sweep (see allocator.transaction)."""
    if export_dir.is_dir():
        for pattern in (".*.new-*", ".*.old-*"):
            for leftover in export_dir.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)


def check_names(variants: list[Variant]) -> None:
    """Refuse scenarios whose export folders would be the same (or the base's): one would
    silently overwrite the other."""
    seen = {_folder_name(BASE).casefold(): BASE}
    problems = []
    for variant in variants:
        folder = _folder_name(variant.name).casefold()  # Windows folders ignore case
        if folder in seen:
            problems.append(InputProblem("--vary/--scenarios", f"scenarios {seen[folder]!r} and {variant.name!r} "
                                         f"would share the export folder {_folder_name(variant.name)!r}; rename one"))
        else:
            seen[folder] = variant.name
    if problems:
        raise InputError(problems)


def default_workers() -> int:
    """One run per core: HiGHS searches with one thread, so cores are not oversubscribed."""
    return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------
# Comparison


def kpis(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures a row of the comparison shows, straight from a run's summary."""
    rec, sup = summary["recovery"], summary["supplies"]
    row: dict[str, Any] = {"recovery_after": rec["overall"]["after"]}
    for tier, values in rec["tiers"].items():
        row[f"tier_{tier}_after"] = values["after"]
    for link in summary["scenario"]["rules"]["chain_links"]:
        if link in rec["links"]:
            row[f"link_{link}_after"] = rec["links"][link]["after"]
    lowest = rec["lowest_listed_link"]
    row["min_link_after"] = lowest["after"] if lowest else min(v["after"] for v in rec["links"].values())
    row["weighted_output"] = summary["weighted_output"]["after"]
    for key in ("masks", "passes", "buses"):
        row[f"{key}_used"] = sup[key]["used"]
        row[f"{key}_left"] = sup[key]["left"]
    gaps = [s["gap"] for s in summary["stages"] if s["gap"] is not None]
    row["max_gap"] = max(gaps) if gaps else None
    return row


DELTA_KEYS = ("recovery_after", "min_link_after", "weighted_output")


def comparison(outcomes: list[RunOutcome]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of comparison.csv: KPIs per scenario and their change against the base."""
    base = next((o for o in outcomes if o.variant.name == BASE and o.summary), None)
    base_kpis = kpis(base.summary) if base else {}
    all_kpis = [kpis(o.summary) if o.summary else {} for o in outcomes]
    keys: list[str] = []
    for k in all_kpis:
        keys += [x for x in k if x not in keys]
    columns = ["scenario", "overrides", "status"] + keys + [f"change_{k}" for k in DELTA_KEYS] + ["error"]
    rows = []
    for outcome, values in zip(outcomes, all_kpis):
        deltas = [values[k] - base_kpis[k] if k in values and k in base_kpis else None for k in DELTA_KEYS]
        rows.append([outcome.variant.name, outcome.variant.label(), outcome.status]
                    + [values.get(k) for k in keys] + deltas + [outcome.error or ""])
    return columns, rows


def sweep_manifest(instance: Instance, outcomes: list[RunOutcome], options: SolveOptions, started: datetime, command: list[str]) -> dict[str, Any]:
    from allocator.pipeline import versions

    return {
        "command": command,
        "input": {"file": instance.source, "sha256": instance.sha256, "enterprises": len(instance)},
        "versions": versions(),
        "seed": options.seed,
        "deterministic": options.deterministic,
        "time_limit": options.time_limit,
        "solver": options.solver,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "runs": [
            {
                "scenario": o.variant.name,
                "overrides": o.variant.overrides,
                "resolved": o.scenario,
                "status": o.status,
                "error": o.error,
                "stages": [{k: s[k] for k in ("stage", "status", "value", "bound", "gap")} for s in o.summary["stages"]] if o.summary else None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
    }
