"""The command line through typer's CliRunner: solve, validate, generate, exit codes, exports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.output.export import ALLOCATION_COLUMNS, BUS_COLUMNS, MASK_COLUMNS, PASS_COLUMNS
from tests.conftest import DATA, write_rows, run_cli
from tests.spec_check import check_export

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_help_and_version():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "solve" in result.output and "validate" in result.output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("allocator ")


def test_solve_prints_the_report_and_exports_a_checked_plan(small_instance, tmp_path):
    out = tmp_path / "out"
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out), "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    for words in ("Solver stages", "Capacity recovery", "Supplies", "received nothing", "tier A", "link dyeing"):
        assert words in result.output
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "allocation.xlsx", "buses.csv", "manifest.json", "masks.csv",
                                                     "passes.csv", "summary.json"]
    check = check_export(small_instance, out)
    assert check["violations"] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["plan"] is True
    for stage in summary["stages"]:
        assert stage["status"] in ("optimal", "within gap", "skipped")
        if stage["status"] != "skipped":
            assert stage["gap"] <= 1e-4 and stage["bound"] is not None
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    assert manifest["input"]["sha256"] == hashlib.sha256(small_instance.read_bytes()).hexdigest()
    assert manifest["scenario"]["supply"]["masks"] == 380000
    assert {"allocator", "ortools", "highspy"} <= set(manifest["versions"])


def test_search_option_reaches_the_solver_and_the_manifest(small_instance, tmp_path):
    out = tmp_path / "guided"
    result = run_cli(runner, ["solve", str(small_instance), "--search", "guided", "--export", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert check_export(small_instance, out)["violations"] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert any("LP relaxation" in note for note in summary["notes"])
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["search"] == "guided"
    bad = run_cli(runner, ["solve", str(small_instance), "--search", "fast"])
    assert bad.exit_code == 2 and "--search" in bad.output and "Traceback" not in bad.output


def test_export_columns_are_the_documented_contract(small_instance, tmp_path):
    out = tmp_path / "out"
    assert run_cli(runner, ["solve", str(small_instance), "--export", str(out), "-q"]).exit_code == 0
    for name, columns in (("allocation.csv", ALLOCATION_COLUMNS), ("buses.csv", BUS_COLUMNS), ("masks.csv", MASK_COLUMNS), ("passes.csv", PASS_COLUMNS)):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # BOM for Excel
        assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(columns)
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    for column in ALLOCATION_COLUMNS + BUS_COLUMNS:
        assert f"`{column}`" in readme, f"README does not document {column}"


def test_formula_like_text_is_neutralised(tmp_path):
    rows = [
        {"enterprise_id": "=1+1", "name": "@SUM(A1)", "park": "-P", "chain_link": "dyeing", "tier": "A",
         "employees": 10, "on_post": 5, "electricity_recovery": 0.9, "output_value": 1},
        {"enterprise_id": "+E2", "name": "\t制表", "park": "P", "chain_link": "dyeing", "tier": "B",
         "employees": 10, "on_post": 5, "electricity_recovery": 0.9, "output_value": 1},
    ]
    instance = write_rows(tmp_path / "evil.csv", rows)
    out = tmp_path / "out"
    assert run_cli(runner, ["solve", str(instance), "--export", str(out), "-q"]).exit_code == 0
    text = (out / "allocation.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1,'@SUM(A1),A,dyeing,'-P" in text
    assert "'+E2,制表" in text  # the reader trims cells, so a leading tab cannot reach the export...


@pytest.mark.parametrize("text", ["=cmd", "+1", "-1", "@x", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(text):
    from allocator.output.export import csv_bytes

    assert csv_bytes(["a"], [[text]]).decode("utf-8-sig").splitlines()[1].lstrip('"').startswith("'")  # ...but is still covered


def test_json_format_prints_summary_only(small_instance):
    result = run_cli(runner, ["solve", str(small_instance), "--format", "json", "--time-limit", "20"])
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert [s["stage"] for s in summary["stages"]] == [1, 2, 3]
    assert summary["supplies"]["boxes"]["supply"] == 7600


@pytest.mark.parametrize("search", ["auto", "guided"])  # guided: the filled start too
def test_deterministic_runs_give_byte_identical_exports(small_instance, tmp_path, search):
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        args = ["solve", str(small_instance), "--export", str(out), "--deterministic", "--seed", "3", "-q",
                "--search", search]
        assert run_cli(runner, args).exit_code == 0
        outs.append(out)
    for name in ("allocation.csv", "buses.csv", "masks.csv", "passes.csv", "allocation.xlsx"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    first, second = (json.loads((o / "summary.json").read_text(encoding="utf-8")) for o in outs)
    for summary in (first, second):
        summary.pop("timings")
        for stage in summary["stages"]:
            stage.pop("seconds")
    assert first == second  # timings are the only difference


def test_locked_file_leaves_the_previous_export_untouched(small_instance, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_cli(runner, ["solve", str(small_instance), "--export", str(out), "-q"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def locked(target):
        if target.name == "buses.csv":
            raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr("allocator.output.transaction._check_replaceable", locked)
    result = run_cli(runner, ["solve", str(small_instance), "--export", str(out), "-q", "--set", "supply.masks=1000"])
    assert result.exit_code == 2
    assert "buses.csv" in result.stderr and "Excel" in result.stderr and "Nothing was written" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files, nothing replaced


def test_plots_inside_the_export_folder_are_written_with_it(tmp_path):
    """--plots e/p inside --export e used to fail: the charts were staged in e/p, then moved aside
    with the old e before their own rename ("cannot write e/p/.links.png...tmp"). New-user trial."""
    out, case = tmp_path / "e", ["solve", str(DATA / "chain.csv"), "-s", str(DATA / "chain.toml")]
    args = [*case, "--export", str(out), "--plots", str(out / "p"), "-q"]
    first = run_cli(runner, args)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in (out / "p").iterdir()) == ["links.png", "supplies.png", "tiers.png"]
    assert "p" in {p.name for p in out.iterdir()} and (out / "summary.json").exists()
    assert run_cli(runner, args).exit_code == 0  # a second run replaces its own plots
    (out / "p" / "mine.txt").write_text("not the command's", encoding="utf-8")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    refused = run_cli(runner, args)
    assert refused.exit_code == 2 and "p/mine.txt" in refused.stderr and "Traceback" not in refused.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_exit_code_1_when_no_plan(small_instance, monkeypatch):
    import allocator.stages.driver as driver
    from allocator.allocation import Allocation

    real_run = driver.solve

    def broken(*args, **kwargs):
        import dataclasses

        result = real_run(*args, **kwargs)
        bad = Allocation(result.allocation.boxes + 10**6, result.allocation.passes, result.allocation.returned, result.allocation.buses)
        from allocator.allocation import evaluate

        return dataclasses.replace(result, allocation=bad, evaluation=evaluate(result.problem, bad))

    monkeypatch.setattr(driver, "solve", broken)
    result = run_cli(runner, ["solve", str(small_instance), "--time-limit", "5"])
    assert result.exit_code == 1
    assert "no plan" in result.output


def test_validate_ok_and_skipped_link_warning(tmp_path):
    """A one-row register read '1 enterprises' (found by a new-user trial): English says 1 enterprise."""
    rows = [{"enterprise_id": "E1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": 10, "on_post": 5,
             "workers_away": 2, "origin": "X", "electricity_recovery": 0.9}]
    instance = write_rows(tmp_path / "one.csv", rows)
    result = runner.invoke(app, ["validate", str(instance)])
    assert result.exit_code == 0
    assert f"ok: {instance}: 1 enterprise, 1 eligible for masks, " in result.stdout
    assert result.stdout.rstrip().endswith(", 1 (origin, park) bus group")
    two = write_rows(tmp_path / "two.csv", [rows[0], {**rows[0], "enterprise_id": "E2", "origin": "Y"}])
    said = runner.invoke(app, ["validate", str(two)]).stdout
    assert ": 2 enterprises, " in said and said.rstrip().endswith(", 2 (origin, park) bus groups")
    assert "'fibre' is listed in the scenario but has no enterprise" in result.stderr


def test_one_park_alone_solves_with_skipped_links_reported(tmp_path):
    rows = [{"enterprise_id": "E1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": 10, "on_post": 5, "electricity_recovery": 0.9}]
    instance = write_rows(tmp_path / "one.csv", rows)
    result = run_cli(runner, ["solve", str(instance), "--format", "json"])
    summary = json.loads(result.stdout)
    assert any("'market' is listed" in w["text"] for w in summary["warnings"])
    assert summary["stages"][0]["status"] != "skipped"  # dyeing is present, so stage 1 runs on it


def test_generate_is_reproducible_and_calibrated(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        result = runner.invoke(app, ["generate", "--preset", "keqiao", "--seed", "5", "-o", str(path)])
        assert result.exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    import pandas as pd

    frame = pd.read_csv(a, encoding="utf-8-sig")
    above = frame[frame.tier.isin(["A", "B"])]
    assert len(above) == 1224 and (frame.tier == "A").sum() == 150
    assert 8600 <= (frame.tier == "C").sum() <= 8800
    assert frame.park.nunique() == 110 and (frame.chain_link == "dyeing").sum() == 108
    assert 800 <= (frame.electricity_recovery >= 0.8).sum() <= 900
    assert 150 <= (frame.trucks_needed > 0).sum() <= 600
    assert frame.origin.dropna().nunique() == 25


def test_bundled_instance_is_what_generate_writes(tmp_path):
    out = tmp_path / "k.csv"
    assert runner.invoke(app, ["generate", "--preset", "keqiao", "--seed", "1", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == (DATA.parent.parent / "instances" / "keqiao-2020.csv").read_bytes()


@pytest.mark.parametrize("entry", [["-m", "allocator"]])
def test_python_dash_m_works_the_same(entry, small_instance):
    done = subprocess.run([sys.executable, *entry, "validate", str(small_instance)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("ok: ")


def test_readme_python_example_runs_as_written():
    # README's "Using it from Python" block, run in a fresh interpreter (on a small instance):
    # `from allocator import solve` once gave the module allocator.solve, not the function
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Using it from Python\s+```python\n(.*?)```", readme, re.S).group(1)
    code = block.replace("instances/keqiao-2020.csv", str(Path(__file__).parent / "cases" / "chain.csv"))
    code += "\nassert result.stages[1].status.value == 'optimal', result.stages\nprint(result.allocation.boxes.tolist())\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 4  # boxes per enterprise, in input order


def test_the_time_limit_counts_from_the_process_start(monkeypatch, tmp_path):
    """`--time-limit` is "seconds for the whole run": from the command line, the time before the
    command began (the interpreter, typer, rich) counts as read time and is not given to the stages."""
    import time

    from allocator.cli import common

    monkeypatch.setattr(common, "PROCESS_STARTED", time.perf_counter() - 5.0)  # as if start-up took 5 s
    result = CliRunner().invoke(app, ["solve", str(DATA / "carpool.csv"), "--scenario", str(DATA / "carpool.toml"),
                                      "--format", "json", "--time-limit", "30"])
    summary = json.loads(result.stdout)
    assert summary["timings"]["read"] >= 5.0
    monkeypatch.setattr(common, "PROCESS_STARTED", None)  # called from Python: the command's own start
    again = json.loads(CliRunner().invoke(app, ["solve", str(DATA / "carpool.csv"), "--scenario",
                                                str(DATA / "carpool.toml"), "--format", "json"]).stdout)
    assert again["timings"]["read"] < 5.0


def test_the_command_line_sets_the_process_start(monkeypatch):
    """`allocator` (the console script) and `python -m allocator` go through main(), which hands the
    commands the moment the command line's package was imported."""
    import allocator.cli as cli
    from allocator.cli import common

    monkeypatch.setattr(common, "PROCESS_STARTED", None)
    monkeypatch.setattr(sys, "argv", ["allocator", "--version"])
    with pytest.raises(SystemExit):
        cli.main()
    assert common.PROCESS_STARTED == cli._IMPORTED and common.run_began() == cli._IMPORTED


#: A register whose header names one column twice: as written, in Chinese, or with another case and a space.
_TWICE = {
    "tier twice": ("tier", "A", ["'tier' appears twice", "(as 'tier' and 'tier')"], ["“tier”列出现了两次"]),
    "员工数 beside employees": ("员工数", "100", ["'employees' appears twice", "'员工数'"],
                                 ["“employees”列出现了两次", "“员工数”"]),
    "Tier beside tier": ("Tier ", "A", ["'tier' appears twice", "'Tier'"], ["“tier”列出现了两次", "“Tier”"]),
}


def _register_with_a_column_twice(tmp_path, header: str, value: str):
    """A one-firm register plus a last column ``header`` that repeats one of its columns."""
    path = tmp_path / "twice.csv"
    path.write_text("enterprise_id,name,park,chain_link,tier,employees,on_post,electricity_recovery," + header + "\n"
                    "E1,甲,P1,dyeing,A,100,50,0.9," + value + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", list(_TWICE))
def test_a_register_column_twice_is_one_clear_message(tmp_path, case, lang):
    """It used to crash with KeyError 'column' (the wording's field collided with problem()'s own)."""
    header, value, english, chinese = _TWICE[case]
    path = _register_with_a_column_twice(tmp_path, header, value)
    result = runner.invoke(app, ["validate", str(path), "--lang", lang])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert str(path) in result.stderr and ("row 1" if lang == "en" else "第 1 行") in result.stderr
    for words in english if lang == "en" else chinese:
        assert words in result.stderr, result.stderr


def test_every_command_reports_a_register_column_twice(tmp_path):
    path = _register_with_a_column_twice(tmp_path, "tier", "A")
    people = tmp_path / "people.csv"
    people.write_text("commissioner_id,name,field,park,capacity,leader\nZ1,甲,industry,P1,6,no\n", encoding="utf-8")
    out = tmp_path / "out"
    commands = [["solve", str(path), "--export", str(out)], ["explain", str(path), "E1"],
                ["plan", str(path), "--days", "2", "--export", str(out)],
                ["assign", str(path), str(people), "--export", str(out)],
                ["whatif", str(path), "--vary", "supply.masks=1,2", "--out", str(out)],
                ["generate", "--commissioners", "3", "--instance", str(path), "-o", str(tmp_path / "made.csv")]]
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (args, result.output)
        assert "'tier' appears twice" in result.stderr, (args, result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv", "twice.csv"]  # nothing written


@pytest.mark.parametrize("limit", ["nan", "inf"])
@pytest.mark.parametrize("command", [["solve"], ["plan", "--days", "2"], ["whatif", "--vary", "supply.masks=1,2"],
                                     ["explain", "E1"]], ids=lambda command: command[0])
def test_a_time_limit_that_is_not_finite_is_refused(tmp_path, command, limit):
    """NaN passed the typer check min=0.1 (every comparison with NaN is false): an empty plan, exit 0,
    and NaN in manifest.json."""
    rows = [{"enterprise_id": "E1", "park": "P", "chain_link": "dyeing", "tier": "A", "employees": 10, "on_post": 5,
             "electricity_recovery": 0.9}]
    instance = write_rows(tmp_path / "one.csv", rows)
    out = tmp_path / "out"
    where = ["--out", str(out)] if command[0] == "whatif" else [] if command[0] == "explain" else ["--export", str(out)]
    args = [command[0], str(instance), *command[1:], "--time-limit", limit, *where]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "--time-limit" in result.output and "not a finite number of seconds" in result.output
    assert not out.exists()
@pytest.mark.parametrize("links", ['["印染","市场"]', '[" Dyeing ","MARKET"]'])
def test_scenario_links_may_be_written_as_the_register_writes_them(links):
    """chain.toml's optimum (stage 1 = 0.2 at b1 = 1, b2 = 2, derived there) must not change
    when its links are listed in Chinese or another case: the register's 印染 is read as
    dyeing, and a scenario listing 印染 once matched no enterprise and skipped stage 1."""
    result = runner.invoke(app, ["solve", str(DATA / "chain.csv"), "--scenario", str(DATA / "chain.toml"),
                                 "--set", f"rules.chain_links={links}", "--format", "json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)["stages"][0]
    assert first["status"] == "optimal" and first["value"] == pytest.approx(0.2)


@pytest.mark.parametrize("name, extra", [("x.ods", []), ("x.xls", []), ("people.xlsx", ["--commissioners", "3"])])
def test_generate_refuses_a_workbook_name_it_would_fill_with_csv(tmp_path, name, extra):
    """generate writes CSV, or .xlsx for a register: CSV text under x.ods read back as "cannot be
    read as a workbook", so such a name is refused (exit 2) and nothing is written."""
    result = runner.invoke(app, ["generate", "--preset", "small", "-o", str(tmp_path / name), *extra])
    assert result.exit_code == 2
    assert "nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["export", "html", "plots"])
def test_a_bad_output_target_is_refused_before_the_solve(tmp_path, monkeypatch, target):
    """A folder holding someone's files, an --html that is a folder, --plots that is a file:
    refused before the solve runs (it was refused after it, the whole run lost), exit 2."""
    from allocator.stages import driver

    def no_solve(*args, **kwargs):
        raise AssertionError("the solve ran before the output targets were checked")

    monkeypatch.setattr(driver, "solve", no_solve)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("an officer's note")
    bad = {"export": ["--export", str(busy)], "html": ["--html", str(busy)],
           "plots": ["--plots", str(busy / "mine.txt")]}[target]
    result = runner.invoke(app, ["solve", str(DATA / "chain.csv"), "-s", str(DATA / "chain.toml"), *bad])
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output.lower()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["busy", "mine.txt"]
