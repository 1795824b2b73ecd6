"""Running a sweep: each scenario solved in a worker (serially, a process pool or Dask), its export
folder written as it finishes.

Each run builds its model inside the worker from the instance and the scenario (solver
models cannot be pickled), so the same function serves every backend.  The comparison
holds no timings, so a sweep gives the same comparison.csv on every backend and worker
count (for runs that may stop on a wall-clock limit, pass ``--deterministic``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from allocator.data.instance import Instance
from allocator.data.scenario import Scenario
from allocator.errors import InputError, problem
from allocator.options import SolveOptions
from allocator.sweep.variants import BASE, Variant, check_names, folder_name


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


def solve_variant(instance: Instance, base: Scenario, variant: Variant, options: SolveOptions, export_dir: str | None) -> RunOutcome:
    """One run, self-contained so it can execute in any worker process."""
    from allocator.errors import ExportError
    from allocator.problem import Problem
    from allocator.stages.driver import solve
    from allocator.analysis.summary import summarize

    started = time.perf_counter()
    try:
        scenario = base.with_overrides(dict(variant.overrides), source=f"scenario {variant.name!r}")
    except InputError as exc:
        return RunOutcome(variant, None, None, "; ".join(p.message for p in exc.problems), time.perf_counter() - started)
    try:
        result = solve(Problem(instance, scenario), options)
        summary = summarize(result)
        if export_dir is not None:
            _export_run(result, summary, Path(export_dir) / folder_name(variant.name))
    except (ExportError, RuntimeError, ValueError) as exc:
        return RunOutcome(variant, scenario.to_dict(), None, str(exc), time.perf_counter() - started)
    return RunOutcome(variant, scenario.to_dict(), summary, None, time.perf_counter() - started)


def _export_run(result, summary: dict[str, Any], folder: Path) -> None:
    from allocator.output.export import export_files, write_export
    from allocator.output.manifest import manifest

    started = datetime.now(timezone.utc)
    write_export(folder, export_files(result, summary, manifest(result, summary, started)))


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
    run: Callable[..., RunOutcome] | None = None,
    extra: tuple = (),
) -> list[RunOutcome]:
    """Solve the base and every variant; outcomes come back in the order given (base first).

    ``run`` (default :func:`solve_variant`) is called in the worker with (instance, base scenario,
    variant, options, export folder, *extra): allocator.sweep.plans.plan_variant plans weeks."""
    check_names(variants)
    runs = [Variant(BASE)] + variants
    target = str(export_dir) if export_dir is not None else None
    outcomes: dict[int, RunOutcome] = {}
    results = _execute(run or solve_variant, [(instance, base, v, options, target, *extra) for v in runs], workers,
                       backend, address)
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
                    shutil.rmtree(Path(export_dir) / folder_name(variant.name), ignore_errors=True)
        raise
    finally:
        if export_dir is not None:
            remove_partial_folders(Path(export_dir))
    return [outcomes[i] for i in sorted(outcomes)]


def _execute(run: Callable[..., RunOutcome], args: list[tuple], workers: int, backend: str,
             address: str | None) -> Iterator[tuple[int, RunOutcome]]:
    if backend == "dask":
        yield from _dask(run, args, workers, address)
    elif workers <= 1:
        for index, arg in enumerate(args):
            yield index, run(*arg)
    else:
        yield from _pool(run, args, workers)


def _pool(run: Callable[..., RunOutcome], args: list[tuple], workers: int) -> Iterator[tuple[int, RunOutcome]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    others = set(multiprocessing.active_children())  # children that are not the pool's
    pool = ProcessPoolExecutor(max_workers=workers)
    futures = {pool.submit(run, *arg): i for i, arg in enumerate(args)}
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


def _dask(run: Callable[..., RunOutcome], args: list[tuple], workers: int, address: str | None) -> Iterator[tuple[int, RunOutcome]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError([problem("--backend dask", "err_dask")]) from None
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {client.submit(run, *arg, pure=False): i for i, arg in enumerate(args)}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def remove_partial_folders(export_dir: Path) -> None:
    """Temporary folders of runs that were interrupted never survive a sweep (see allocator.output.transaction)."""
    if export_dir.is_dir():
        for pattern in (".*.new-*", ".*.old-*"):
            for leftover in export_dir.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)


def default_workers() -> int:
    """One run per core: HiGHS searches with one thread, so cores are not oversubscribed."""
    return max(1, os.cpu_count() or 1)


