"""``allocator plan`` through typer's CliRunner: the report (en, zh), the export, --day-by-day, --days 1 = solve."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, run_cli

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
WEEK = ["plan", str(DATA / "week_chain.csv"), "--days", "2", "--arrivals", str(DATA / "week_chain_arrivals.csv"),
        "-s", str(DATA / "week_chain.toml")]


def test_plan_prints_the_week_and_exports_a_checked_plan(tmp_path):
    out = tmp_path / "out"
    result = run_cli(runner, [*WEEK, "--export", str(out)])
    assert result.exit_code == 0, result.output
    for words in ("Stages over the week", "against day by day", "The week, day by day", "Deliveries by park",
                  "optimal", "1.200000", "1.000000", "+0.200000"):
        assert words in result.output, words
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "buses.csv", "daily.csv", "deliveries.csv",
                                                     "manifest.json", "summary.json", "week.xlsx"]
    lines = (out / "deliveries.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["day,enterprise_id,name,tier,chain_link,park,boxes,masks,passes,workers_returned",
                     "1,D1,印染厂,A,dyeing,K1,4,40,0,0", "2,M1,布市,B,market,K2,1,10,0,5"]
    assert (out / "buses.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == ["2,BUS001,O,K2,M1,布市,5,5,5"]
    header = (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(",binding,reason,c_day1,c_day2")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["days"] == 2 and manifest["arrivals"]["file"].endswith("week_chain_arrivals.csv")
    assert len(manifest["arrivals"]["sha256"]) == 64


def test_chinese_report_and_headers(tmp_path):
    out = tmp_path / "zh"
    result = run_cli(runner, [*WEEK, "--lang", "zh", "--export", str(out)])
    assert result.exit_code == 0, result.output
    for words in ("全周求解阶段", "逐日方案", "全周逐日情况", "各园区逐日配送"):
        assert words in result.output, words
    daily = (out / "daily.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert daily.startswith("天,到货口罩") and "最低环节恢复率" in daily
    assert (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()[0].endswith("第1天恢复率,第2天恢复率")


def test_day_by_day_exports_the_baseline_and_json_goes_to_stdout(tmp_path):
    out = tmp_path / "by-day"
    result = run_cli(runner, [*WEEK, "--day-by-day", "--export", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["exported"] == "day-by-day" and summary["values"]["1"] == pytest.approx(1.0)
    assert summary["gain"]["lowest_link_days"] == pytest.approx(0.2)
    assert "1,D1,印染厂,A,dyeing,K1,5,50,0,0" in (out / "deliveries.csv").read_text(encoding="utf-8-sig")


def test_days_1_without_arrivals_is_solve(small_instance, tmp_path):
    """The same stage values and the same allocation (deterministic, so both runs search the same way)."""
    common = [str(small_instance), "--deterministic", "--format", "json", "--time-limit", "60"]
    solved = json.loads(run_cli(runner, ["solve", *common, "--export", str(tmp_path / "solve")]).output)
    planned = json.loads(run_cli(runner, ["plan", *common, "--days", "1", "--export", str(tmp_path / "plan")]).output)
    assert [s["value"] for s in planned["stages"]] == [s["value"] for s in solved["stages"]]
    assert [s["bound"] for s in planned["stages"]] == [s["bound"] for s in solved["stages"]]
    assert [s["status"] for s in planned["stages"]] == [s["status"] for s in solved["stages"]]
    assert planned["gain"] == {"lowest_link_days": 0.0, "weighted_output_days": 0.0, "units": 0}

    def amounts(folder):  # boxes, masks, passes, workers_returned of every enterprise
        rows = (tmp_path / folder / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
        return [row.split(",")[14:18] for row in rows]

    assert amounts("plan") == amounts("solve")


def test_an_export_that_cannot_be_written_is_exit_2_and_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli(runner, [*WEEK, "--export", str(blocker / "out")])
    assert result.exit_code == 2 and "nothing was written" in result.output.lower()


def test_a_bad_target_is_refused_before_the_week_is_solved(tmp_path, monkeypatch):
    """An export folder holding someone's files, an --html that is a folder: exit 2 before the
    week's search (it was found only after it), nothing written."""
    import allocator.plan.week as week

    def no_plan(*args, **kwargs):
        raise AssertionError("the week was solved before the output targets were checked")

    monkeypatch.setattr(week, "plan", no_plan)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("an officer's note", encoding="utf-8")
    for bad in (["--export", str(busy)], ["--html", str(busy)]):
        result = run_cli(runner, [*WEEK, *bad])
        assert result.exit_code == 2 and "nothing was written" in result.output.lower(), result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["busy", "mine.txt"]


def test_generate_writes_a_calibrated_week_of_arrivals(tmp_path):
    from allocator.cli import app
    from allocator.plan.arrivals import read_arrivals

    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path in paths:
        assert runner.invoke(app, ["generate", "--arrivals", str(path), "--seed", "3"]).exit_code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    week = read_arrivals(paths[0], 7)
    assert 260_000 <= week.masks.sum() <= 280_000 and week.masks[0] == 0  # the scenario's store is day 1's
    assert (week.buses > 0).all() and week.passes.sum() > 0
    bundled = tmp_path / "bundled.csv"
    assert runner.invoke(app, ["generate", "--arrivals", str(bundled), "--seed", "1"]).exit_code == 0
    assert bundled.read_bytes() == (DATA.parent.parent / "instances" / "keqiao-2020-week.csv").read_bytes()
    assert runner.invoke(app, ["generate"]).exit_code == 2


def test_html_draws_the_week_offline(tmp_path):
    page = tmp_path / "week.html"
    result = run_cli(runner, [*WEEK, "--html", str(page), "-q", "--export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 2 and 'id="chart-links"' in text and 'id="chart-stores"' in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # no CDN, no network
    for words in ("A week&#39;s plan", "Stages over the week", "The week, day by day", 'id="parks"'):
        assert words in text, words
    chinese = tmp_path / "zh.html"
    assert run_cli(runner, [*WEEK, "--html", str(chinese), "-q", "--lang", "zh"]).exit_code == 0
    assert "全周复工物资分配方案" in chinese.read_text(encoding="utf-8")


def test_solve_and_plan_may_take_turns_in_one_export_folder(tmp_path):
    out = tmp_path / "out"
    assert run_cli(runner, [*WEEK, "--export", str(out), "-q"]).exit_code == 0
    solved = run_cli(runner, ["solve", str(DATA / "week_chain.csv"), "-s", str(DATA / "week_chain.toml"),
                              "--export", str(out), "-q"])
    assert solved.exit_code == 0, solved.output
    assert not (out / "deliveries.csv").exists() and (out / "masks.csv").exists()  # replaced as a whole
    assert run_cli(runner, [*WEEK, "--export", str(out), "-q"]).exit_code == 0
    assert not (out / "masks.csv").exists() and (out / "daily.csv").exists()


def test_deterministic_weeks_are_byte_identical(small_instance, tmp_path):
    from allocator.cli import app

    week = tmp_path / "week.csv"
    assert runner.invoke(app, ["generate", "--preset", "small", "--arrivals", str(week), "--days", "3"]).exit_code == 0
    folders = [tmp_path / "a", tmp_path / "b"]
    for out in folders:
        result = run_cli(runner, ["plan", str(small_instance), "--days", "3", "--arrivals", str(week), "--deterministic",
                                  "--export", str(out), "-q"])
        assert result.exit_code == 0, result.output
    for name in ("deliveries.csv", "buses.csv", "daily.csv", "allocation.csv"):
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_week_workbook_holds_the_csv_files_cell_by_cell(tmp_path, lang):
    import openpyxl

    from tests.output.test_workbook import _csv, _same

    out = tmp_path / "out"
    result = run_cli(runner, [*WEEK, "--export", str(out), "-q", "--lang", lang])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "week.xlsx")
    names = {"en": ["deliveries", "buses", "daily", "allocation", "summary"],
             "zh": ["逐日配送", "包车", "逐日汇总", "分配方案", "汇总"]}[lang]
    assert book.sheetnames == names
    for file, sheet_name in zip(("deliveries", "buses", "daily", "allocation"), names):
        rows, sheet = _csv(out / f"{file}.csv"), book[sheet_name]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert len(cells) == len(rows) and len(rows) > 1, file
        for want, got in zip(rows, cells):
            assert len(got) == len(want) and all(_same(a, b) for a, b in zip(want, got)), (file, want, got)
        assert sheet.freeze_panes == "A2", file
    daily = book[names[2]]
    recovery = _csv(out / "daily.csv")[0].index("recovery" if lang == "en" else "产能恢复率") + 1
    assert daily.cell(2, recovery).number_format == "0.00%" and isinstance(daily.cell(2, recovery).value, float)


def _headline(output: str) -> list[str]:
    """The headline panel's lines, without the box around them."""
    panel = output.split("╰")[0]
    return [line.strip("│╭─ ").strip() for line in panel.splitlines()[1:]]


@pytest.mark.parametrize("lang, one, plan", [("en", "  ·  1 day  ·  ", "Plan: "), ("zh", "  ·  1 天  ·  ", "方案：")])
def test_the_headline_says_1_day_and_puts_the_plan_on_a_line_of_its_own(lang, one, plan):
    """It read '… 32.47% → 47.77%Plan: optimal' and '1 days'."""
    result = run_cli(runner, ["plan", str(DATA / "week_chain.csv"), "--days", "1", "-s", str(DATA / "week_chain.toml"),
                              "--lang", lang])
    assert result.exit_code == 0, result.output
    lines = _headline(result.output)
    assert one in lines[0] and "days" not in lines[0]
    assert lines[1].endswith("%") and lines[2].startswith(plan), lines
