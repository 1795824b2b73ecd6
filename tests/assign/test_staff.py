"""The commissioners file: reading rules, Chinese headers and fields, and every bad input (exit 2,
file, row and column named, nothing written)."""

from __future__ import annotations

import pytest

from allocator.assign.staff import read_staff
from allocator.errors import InputError
from tests.assign.helpers import firm, person, run_assign, write


def test_defaults_chinese_headers_and_fields(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("专员编号,姓名,领域,驻点园区,局领导,备注\n"
                    "Z1,王芳,工业监管,P1,否,x\n\n"
                    "Z2,李强,商贸,,是,\n"
                    "Z3,张伟,外贸,P2,,\n"
                    "Z4,刘洋,重大项目,P1,no,\n", encoding="gb18030")
    staff = read_staff(path)
    assert [p.field for p in staff] == ["industry", "commerce", "trade", "projects"]
    assert [p.capacity for p in staff] == [6, 6, 6, 6]  # no capacity column: the default
    assert [p.leader for p in staff] == [False, True, False, False]
    assert staff[1].district_wide and staff[1].most_firms == 1 and staff[0].park == "P1"
    assert [p.row for p in staff] == [2, 4, 5, 6]  # the blank line is skipped, rows as an editor shows them


@pytest.mark.parametrize("cells, row, column, words", [
    # an unknown field
    ({"field": "finance"}, 2, "field", "unknown field 'finance'"),
    # capacity 0
    ({"capacity": "0"}, 2, "capacity", "at least 1"),
    # capacity not whole
    ({"capacity": "2.5"}, 2, "capacity", "whole number"),
    # a negative capacity
    ({"capacity": "-3"}, 2, "capacity", "whole number"),
    # an exponent
    ({"capacity": "1e3"}, 2, "capacity", "whole number"),
    # leader neither yes nor no
    ({"leader": "maybe"}, 2, "leader", "yes or no"),
    # a blank id
    ({"commissioner_id": ""}, 2, "commissioner_id", "blank"),
    # a blank field
    ({"field": ""}, 2, "field", "blank"),
])
def test_bad_cell(tmp_path, cells, row, column, words):
    rows = [{**person("A", park="P1"), **cells}, person("B", park="P1")]
    with pytest.raises(InputError) as caught:
        read_staff(write(tmp_path / "people.csv", rows))
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (row, column) and words in problem.message
    assert str(tmp_path / "people.csv") in str(problem)


def test_duplicate_id_names_the_first_row(tmp_path):
    rows = [person("A"), person("B"), person("A")]
    with pytest.raises(InputError) as caught:
        read_staff(write(tmp_path / "people.csv", rows))
    (problem,) = caught.value.problems
    assert problem.row == 4 and problem.column == "commissioner_id" and "first used at row 2" in problem.message


def test_missing_column_and_empty_file(tmp_path):
    with pytest.raises(InputError) as caught:
        read_staff(write(tmp_path / "a.csv", [{"commissioner_id": "A", "park": "P1"}]))
    assert (caught.value.problems[0].row, caught.value.problems[0].column) == (1, "field")
    (tmp_path / "b.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_staff(tmp_path / "b.csv")
    (tmp_path / "c.csv").write_text("commissioner_id,field\n", encoding="utf-8")
    with pytest.raises(InputError, match="a header but no commissioner rows"):
        read_staff(tmp_path / "c.csv")


@pytest.mark.parametrize("people, args, words", [
    # an unknown field: exit 2, file, row and column, nothing written
    ([{**person("A"), "field": "finance"}], [], "row 2, column 'field'"),
    # a capacity of 0
    ([{**person("A"), "capacity": "0"}], [], "row 2, column 'capacity'"),
    # a duplicate id
    ([person("A"), person("A")], [], "row 3, column 'commissioner_id'"),
    # a bad [assign.fields] value in the scenario
    ([person("A")], ["--set", 'assign.fields.market=["finance"]'], "assign.fields.market"),
    # an unknown assign key
    ([person("A")], ["--set", "assign.key_firm=3"], "unknown scenario key"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, people, args, words):
    inst = write(tmp_path / "firms.csv", [firm("F1", "P1")])
    staff = write(tmp_path / "people.csv", people)
    out, page = tmp_path / "out", tmp_path / "page.html"
    result = run_assign(["assign", str(inst), str(staff), "--export", str(out), "--html", str(page), *args])
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not out.exists() and not page.exists()


def test_bad_instance_and_bad_people_are_reported_together(tmp_path):
    inst = write(tmp_path / "firms.csv", [{**firm("F1", "P1"), "tier": "Z"}])
    staff = write(tmp_path / "people.csv", [{**person("A"), "capacity": "x"}])
    result = run_assign(["assign", str(inst), str(staff)])
    assert result.exit_code == 2 and "firms.csv, row 2, column 'tier'" in result.output
    assert "people.csv, row 2, column 'capacity'" in result.output


def test_bad_project_column(tmp_path):
    inst = write(tmp_path / "firms.csv", [{**firm("F1", "P1"), "project": "perhaps"}])
    staff = write(tmp_path / "people.csv", [person("A")])
    result = run_assign(["assign", str(inst), str(staff)])
    assert result.exit_code == 2 and "row 2, column 'project'" in result.output


def test_a_leader_without_key_firms_is_a_warning(tmp_path):
    inst = write(tmp_path / "firms.csv", [firm("F1", "P1", "market", tier="A", output=5)])
    staff = write(tmp_path / "people.csv", [person("L", "industry", leader=True), person("C", "commerce", "P1")])
    result = run_assign(["assign", str(inst), str(staff), "--export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "leader L (industry) has no key firm to serve" in result.output
