"""What-if sweeps: grids, named scenarios, equality with single solves, backends, failures, audit."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from allocator import sweep as wi
from allocator.cli import app
from tests.conftest import run_cli
from allocator.errors import InputError
from allocator.data.loading import load_problem
from allocator.options import SolveOptions
from allocator.stages.driver import solve
from allocator.analysis.summary import summarize

runner = CliRunner(env={"COLUMNS": "120"})
DETERMINISTIC = SolveOptions(deterministic=True, seed=0)


def test_grid_is_the_full_cartesian_product_in_order():
    variants = wi.grid(["supply.masks=300000,380000,650000", "rules.electricity_threshold=0.7,0.8"])
    assert len(variants) == 6
    assert variants[0].overrides == {"supply.masks": 300000, "rules.electricity_threshold": 0.7}
    assert variants[-1].overrides == {"supply.masks": 650000, "rules.electricity_threshold": 0.8}
    assert variants[1].name == "masks=300000 electricity_threshold=0.8"


def test_grid_keeps_list_values_whole():
    variants = wi.grid(['rules.chain_links=["dyeing","market"],["fibre"]'])
    assert [v.overrides["rules.chain_links"] for v in variants] == [["dyeing", "market"], ["fibre"]]


@pytest.mark.parametrize("bad", ["supply.masks", "=1,2", "supply.masks="])
def test_grid_syntax_errors(bad):
    with pytest.raises(InputError, match="--vary"):
        wi.grid([bad])


def test_named_scenarios(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario.more-masks]\nsupply.masks = 480000\n[scenario."低门槛"]\nrules.electricity_threshold = 0.7\ntiers.C.weight = 1.5\n', encoding="utf-8")
    variants = wi.named(path)
    assert [v.name for v in variants] == ["more-masks", "低门槛"]
    assert variants[1].overrides == {"rules.electricity_threshold": 0.7, "tiers.C.weight": 1.5}
    path.write_text("[supply]\nmasks = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[scenario.NAME\]"):
        wi.named(path)


def test_comparison_values_equal_single_solves(small_instance):
    problem = load_problem(small_instance)
    variants = wi.grid(["supply.buses=30,90"])
    outcomes = wi.run_sweep(problem.instance, problem.scenario, variants, DETERMINISTIC)
    assert [o.variant.name for o in outcomes] == ["base", "buses=30", "buses=90"]
    for outcome in outcomes:
        alone = summarize(solve(load_problem(small_instance, sets=[f"{k}={v}" for k, v in outcome.variant.overrides.items()]), DETERMINISTIC))
        assert wi.kpis(outcome.summary) == wi.kpis(alone)
    columns, rows = wi.comparison(outcomes)
    base, more = rows[0], rows[2]
    at = columns.index
    assert more[at("change_weighted_output")] == pytest.approx(more[at("weighted_output")] - base[at("weighted_output")])
    assert more[at("buses_used")] + more[at("buses_left")] == 90


def _sweep_cli(instance, out, *extra):
    args = ["whatif", str(instance), "--vary", "supply.masks=200000,500000", "--vary", "supply.passes=50,94",
            "--deterministic", "--out", str(out), "-q", *extra]
    return run_cli(runner, args)


def test_backends_and_worker_counts_give_identical_comparisons(small_instance, tmp_path):
    runs = {"serial": ["--workers", "1"], "pool": ["--workers", "2"], "dask": ["--backend", "dask", "--workers", "2"]}
    texts = {}
    for name, extra in runs.items():
        result = _sweep_cli(small_instance, tmp_path / name, *extra)
        assert result.exit_code == 0, result.output
        texts[name] = (tmp_path / name / "comparison.csv").read_bytes()
        assert sorted(p.name for p in (tmp_path / name).iterdir() if p.is_dir()) == sorted(
            ["base", "masks=200000 passes=50", "masks=200000 passes=94", "masks=500000 passes=50", "masks=500000 passes=94"])
    assert texts["serial"] == texts["pool"] == texts["dask"]


def test_a_failing_scenario_does_not_stop_the_others(small_instance, tmp_path):
    scenarios = tmp_path / "s.toml"
    scenarios.write_text("[scenario.ok]\nsupply.buses = 10\n[scenario.broken]\ntiers.A.mask_reserve = 0.7\ntiers.B.mask_reserve = 0.7\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(runner, ["whatif", str(small_instance), "--scenarios", str(scenarios), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 1
    text = (out / "comparison.csv").read_text(encoding="utf-8-sig")
    broken = next(line for line in text.splitlines() if line.startswith("broken,"))
    assert ",failed," in broken and "add up to 1.4" in broken
    assert (out / "ok" / "allocation.csv").exists() and not (out / "broken").exists()


def test_manifest_records_everything_needed_to_reproduce(small_instance, tmp_path):
    out = tmp_path / "out"
    assert _sweep_cli(small_instance, out, "--seed", "4").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    assert manifest["input"]["sha256"] == hashlib.sha256(small_instance.read_bytes()).hexdigest()
    assert manifest["seed"] == 4 and manifest["deterministic"] is True
    assert manifest["started"] <= manifest["finished"]
    assert {"allocator", "ortools", "highspy"} <= set(manifest["versions"])
    assert len(manifest["runs"]) == 5
    for run in manifest["runs"]:
        assert run["status"] in ("optimal", "within gap")
        assert run["resolved"]["supply"]["masks"] == run["overrides"].get("supply.masks", 380000)
        assert len(run["stages"]) == 3


def test_interrupted_sweep_keeps_finished_runs_and_no_partial_folders(small_instance, tmp_path, monkeypatch):
    real = wi.solve_variant
    calls = []

    def interrupt_third(*args):
        calls.append(args[2].name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr("allocator.sweep.runner.solve_variant", interrupt_third)
    out = tmp_path / "out"
    result = _sweep_cli(small_instance, out, "--workers", "1")
    assert result.exit_code == 130
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["base", "masks=200000 passes=50"]
    rows = (out / "comparison.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 3  # header + the two finished runs


def test_dask_missing_gives_a_clear_message(small_instance, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    result = run_cli(runner, ["whatif", str(small_instance), "--vary", "supply.buses=1", "--backend", "dask", "-q"])
    assert result.exit_code == 2
    assert "pip install 'allocator[dask]'" in result.stderr


def test_interrupt_during_progress_stops_the_pool_and_keeps_only_reported_runs(small_instance, tmp_path):
    # Ctrl-C may arrive while the main process updates the progress bar (on_done), not only
    # while it waits for workers: the pool must still stop, and only reported runs keep folders.
    import multiprocessing

    problem = load_problem(small_instance)
    out = tmp_path / "out"

    def interrupt(outcome):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wi.run_sweep(problem.instance, problem.scenario, wi.grid(["supply.buses=10,20,30,40"]), DETERMINISTIC,
                     workers=2, export_dir=out, on_done=interrupt)
    assert [p for p in multiprocessing.active_children() if p.name.startswith("ForkProcess")] == []
    assert len([p for p in out.iterdir()]) == 1  # the one run that reported back, no partial folders


def _one_firm(tmp_path):
    from tests.conftest import write_rows

    rows = [{"enterprise_id": "E1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": 10, "on_post": 5,
             "electricity_recovery": 0.9}]
    return write_rows(tmp_path / "one.csv", rows)


def _tiny_sweep(instance, out, *extra):
    return run_cli(runner, ["whatif", str(instance), "--vary", "supply.masks=1,2", "--out", str(out), "--workers", "1",
                            "-q", *extra])


@pytest.mark.parametrize("target", ["html", "plots"])
def test_a_bad_visual_target_stops_the_sweep_before_any_run(tmp_path, target):
    """The runs' folders used to be written before the --html or --plots target was found bad."""
    instance, out = _one_firm(tmp_path), tmp_path / "out"
    blocker = tmp_path / "blocker"
    blocker.mkdir() if target == "html" else blocker.write_text("a file", encoding="utf-8")
    result = _tiny_sweep(instance, out, f"--{target}", str(blocker))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "is a folder, not a file" in result.output if target == "html" else "is a file, not a folder" in result.output
    assert not out.exists()


def test_out_holding_other_files_is_refused_as_solve_refuses_it(tmp_path):
    """whatif --out used to write beside someone's files, where solve, plan and assign refuse the folder."""
    instance, out = _one_firm(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    swept = _tiny_sweep(instance, out)
    solved = runner.invoke(app, ["solve", str(instance), "--export", str(out), "-q"])
    assert swept.exit_code == solved.exit_code == 2
    assert swept.stderr == solved.stderr and "holds files this command did not write (notes.txt)" in swept.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_sweep_may_run_again_into_its_own_out_folder(tmp_path):
    """What a sweep wrote (its runs, comparison, manifest, a page and charts inside --out) is its own."""
    instance, out = _one_firm(tmp_path), tmp_path / "out"
    extra = ["--html", str(out / "sweep.html"), "--plots", str(out / "charts")]
    assert _tiny_sweep(instance, out, *extra).exit_code == 0
    again = _tiny_sweep(instance, out, *extra)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == ["base", "charts", "comparison.csv", "comparison.xlsx",
                                                     "manifest.json", "masks=1", "masks=2", "sweep.html"]
