"""What-if sweeps: many scenarios derived from one base, solved in parallel, compared.

    variants    the scenarios: grids, named files, their export folders
    runner      solving them serially, on a process pool or on Dask
    comparison  the comparison table and the sweep's manifest
"""

from allocator.sweep.comparison import DELTA_KEYS, comparison, comparison_sheet, kpis, sweep_manifest
from allocator.sweep.runner import RunOutcome, default_workers, remove_partial_folders, run_sweep, solve_variant
from allocator.sweep.variants import BASE, Variant, check_names, folder_name, grid, named

__all__ = ["BASE", "DELTA_KEYS", "RunOutcome", "Variant", "check_names", "comparison", "comparison_sheet", "default_workers",
           "folder_name", "grid", "kpis", "named", "remove_partial_folders", "run_sweep", "solve_variant",
           "sweep_manifest"]
