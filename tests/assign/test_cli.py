"""``allocator assign`` and ``allocator generate --commissioners`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from allocator.assign.export import ASSIGNMENT_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS
from tests.assign.helpers import PEOPLE_COLUMNS, firm, person, run_assign, runner, write

ROOT = Path(__file__).parents[2]


def _files(tmp_path):
    firms = [firm("K1", "P1", tier="A", output=100), firm("F2", "P1"), firm("F3", "P2", "market"),
             firm("F4", "P2", "trade", tier="B", on_post=5), firm("F5", "P3", "weaving")]
    people = [person("L1", leader=True), person("A", park="P1", capacity=2), person("B", "commerce", "P2", 1)]
    return write(tmp_path / "firms.csv", firms), write(tmp_path / "people.csv", people, PEOPLE_COLUMNS)


def test_report_export_and_html(tmp_path):
    inst, staff = _files(tmp_path)
    out, page = tmp_path / "out", tmp_path / "visits.html"
    result = run_assign(["assign", str(inst), str(staff), "--export", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    for words in ("Commissioners", "Assignment stages", "People and firms per field", "key firms: 1 of 1",
                  "Enterprises without a commissioner", "Parks per person", "Visit list", "optimal"):
        assert words in result.output, words
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "assignment.csv", "manifest.json",
                                                     "summary.json", "unserved.csv", "visits.csv", "visits.xlsx"]
    for name, columns in (("assignment.csv", ASSIGNMENT_COLUMNS), ("visits.csv", VISIT_COLUMNS),
                          ("unserved.csv", UNSERVED_COLUMNS)):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").splitlines()[0] == ",".join(columns)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert summary["commissioners"]["people"] == 3 and manifest["commissioners"]["sha256"] == summary["commissioners"]["sha256"]
    assert [s["status"] for s in manifest["stages"]] == ["optimal"] * 3
    html = page.read_text(encoding="utf-8")
    assert html.count('<section class="field"') == 2 and "break-before: page" in html and "L1" in html
    documented = (ROOT / "docs" / "commissioners.md").read_text(encoding="utf-8")  # README links it
    for column in ASSIGNMENT_COLUMNS + VISIT_COLUMNS + UNSERVED_COLUMNS:
        assert f"`{column}`" in documented, f"docs/commissioners.md does not document {column}"


def test_chinese_report_headers_and_json(tmp_path):
    inst, staff = _files(tmp_path)
    out = tmp_path / "out"
    result = run_assign(["assign", str(inst), str(staff), "--lang", "zh", "--export", str(out)])
    assert result.exit_code == 0 and "驻企服务专员" in result.output and "每人负责园区数" in result.output
    assert (out / "assignment.csv").read_text(encoding="utf-8-sig").startswith("专员编号,专员姓名,领域,驻点园区")
    result = run_assign(["assign", str(inst), str(staff), "--format", "json"])
    assert json.loads(result.output)["command"] == "assign"


def test_allocation_csv_is_exactly_solves(tmp_path):
    inst, staff = _files(tmp_path)
    assert run_assign(["assign", str(inst), str(staff), "--export", str(tmp_path / "a"), "-q"]).exit_code == 0
    from allocator.cli import app

    assert runner.invoke(app, ["solve", str(inst), "--export", str(tmp_path / "s"), "-q"]).exit_code == 0
    assert (tmp_path / "a" / "allocation.csv").read_bytes() == (tmp_path / "s" / "allocation.csv").read_bytes()


def test_an_export_folder_of_someone_else_is_refused(tmp_path):
    inst, staff = _files(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    result = run_assign(["assign", str(inst), str(staff), "--export", str(out)])
    assert result.exit_code == 2 and "mine.txt" in result.output and sorted(p.name for p in out.iterdir()) == ["mine.txt"]


def test_a_bad_target_is_refused_before_the_searches(tmp_path, monkeypatch):
    """As solve and plan: the export folder and --html are checked before the allocation and the
    assignment are searched (they were checked after both), exit 2, nothing written."""
    import allocator.assign as assign

    def no_search(*args, **kwargs):
        raise AssertionError("searched before the output targets were checked")

    monkeypatch.setattr(assign, "assign_files", no_search)
    inst, staff = _files(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep", encoding="utf-8")
    for bad in (["--export", str(busy)], ["--html", str(busy)]):
        result = run_assign(["assign", str(inst), str(staff), *bad])
        assert result.exit_code == 2 and "nothing was written" in result.output.lower(), result.output
    assert sorted(p.name for p in busy.iterdir()) == ["mine.txt"]


def test_generate_reproduces_the_bundled_commissioners(tmp_path):
    from allocator.cli import app

    target = tmp_path / "people.csv"
    result = runner.invoke(app, ["generate", "--commissioners", "1842", "--instance", str(ROOT / "instances" / "keqiao-2020.csv"),
                                 "--seed", "1", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (ROOT / "instances" / "keqiao-2020-commissioners.csv").read_bytes()
    rows = target.read_text(encoding="utf-8-sig").splitlines()[1:]
    fields = [r.split(",")[2] for r in rows]
    leaders = [r for r in rows if r.endswith(",yes")]
    assert len(rows) == 1842 and len(leaders) >= 60 and all(",," in r for r in leaders)  # leaders district-wide
    # fields in proportion to the firms they serve: 4,998 industry, 2,870 market, 2,056 trade firms
    staff = [r for r in rows if r.endswith(",no")]
    shares = {f: sum(1 for r in staff if r.split(",")[2] == f) / len(staff) for f in ("industry", "commerce", "trade")}
    assert abs(shares["industry"] - 4998 / 9924) < 0.01 and abs(shares["commerce"] - 2870 / 9924) < 0.01
    assert set(fields) <= {"industry", "commerce", "trade"}


def test_generate_for_a_preset(tmp_path):
    from allocator.cli import app

    result = runner.invoke(app, ["generate", "--commissioners", "50", "--preset", "small", "--seed", "3", "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 0 and len((tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()) == 51


def test_visits_workbook_holds_the_csv_files_cell_by_cell(tmp_path):
    import openpyxl

    from tests.output.test_workbook import _csv, _same

    inst, staff = _files(tmp_path)
    out = tmp_path / "out"
    result = run_assign(["assign", str(inst), str(staff), "--export", str(out), "--lang", "zh", "-q"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "visits.xlsx")
    assert book.sheetnames == ["专员分派", "走访清单", "未覆盖企业"]
    for file, sheet_name in zip(("assignment", "visits", "unserved"), book.sheetnames):
        rows, sheet = _csv(out / f"{file}.csv"), book[sheet_name]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert len(cells) == len(rows) and len(rows) > 1, file
        for want, got in zip(rows, cells):
            assert len(got) == len(want) and all(_same(a, b) for a, b in zip(want, got)), (file, want, got)
    visits = book["走访清单"]
    firms = _csv(out / "visits.csv")[0].index("企业数") + 1
    assert isinstance(visits.cell(2, firms).value, int)
