"""Hand-checked instances: each optimum is derived in the header of tests/data/<name>.toml."""

from __future__ import annotations

import pytest

from allocator.options import SOLVERS

from allocator.stages.claims import Status
from tests.conftest import DATA, solve_case


@pytest.fixture(params=SOLVERS)
def solver(request) -> str:
    """Every hand-checked optimum must come out of both solvers."""
    return request.param


def amounts(result, column: str) -> list[int]:
    return getattr(result.allocation, column).tolist()


def test_eligibility_and_whole_boxes(tmp_path, solver):
    result, summary, check, out = solve_case("boxes", tmp_path, solver=solver)
    assert amounts(result, "boxes") == [2, 0, 0]
    assert summary["supplies"]["boxes"] == {"supply": 2, "used": 2, "left": 0}
    assert result.stages[1].value == pytest.approx(8.0, abs=1e-9)
    assert result.stages[2].value == 2
    assert [s.status for s in result.stages] == [Status.SKIPPED, Status.OPTIMAL, Status.OPTIMAL]
    # the spreadsheet contract, cell by cell: counts as integers, recoveries with six
    # decimals, input reals as written, eligibility as yes/no (E1: 2 boxes = 20 masks for
    # 10 workers needing 5 x 10 = 50 masks over the 5 mask days: c = 20 / 50 = 0.4)
    rows = (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1:] == [
        "E1,东方印染,B,dyeing,P1,,10,10,0,0.9,0,0,10,yes,2,20,0,0,,0.000000,0.400000,masks,allocated",
        "E2,南方印染,B,dyeing,P1,,10,10,0,0.5,0,0,100,no,0,0,0,0,,0.000000,0.000000,masks,ineligible",
        "E3,西方织造,C,weaving,P1,,10,10,0,0.85,0,0,10,yes,0,0,0,0,,0.000000,0.000000,masks,outranked",
    ]


def test_no_waste_cap_leaves_masks_in_stock(tmp_path, solver):
    result, summary, _, _ = solve_case("no_waste", tmp_path, solver=solver)
    assert amounts(result, "boxes") == [2, 0, 3]
    assert summary["supplies"]["masks"]["left"] == 50
    assert result.stages[1].value == pytest.approx(33.0, abs=1e-9)
    assert result.stages[2].value == 5


def test_carpool_bus_is_point_to_point(tmp_path, solver):
    result, _, _, out = solve_case("carpool", tmp_path, solver=solver)
    assert amounts(result, "returned") == [4, 5, 0]
    assert result.stages[1].value == pytest.approx(53.0, abs=1e-9)
    assert result.stages[2].value == 1
    lines = (out / "buses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == ["BUS001,O,K,G1,一厂,4,9,10", "BUS001,O,K,G2,二厂,5,9,10"]


def test_freight_passes_go_where_they_lift_most(tmp_path, solver):
    result, _, _, _ = solve_case("freight", tmp_path, solver=solver)
    assert amounts(result, "passes") == [1, 1, 0]
    assert result.stages[1].value == pytest.approx(40.0, abs=1e-9)


def test_chain_balance_lifts_the_lowest_link_first(tmp_path, solver):
    result, summary, check, _ = solve_case("chain", tmp_path, solver=solver)
    assert result.stages[0].value == pytest.approx(0.2, abs=1e-9)
    assert amounts(result, "boxes") == [1, 2, 0, 0]
    assert result.stages[1].value == pytest.approx(10.0, abs=1e-9)
    assert check["links"] == pytest.approx({"dyeing": 0.2, "market": 0.2})


def test_without_chain_balance_the_value_wins(tmp_path, solver):
    result, _, _, _ = solve_case("chain", tmp_path, ["rules.chain_balance=false"], solver=solver)
    assert result.stages[0].status is Status.SKIPPED
    assert result.stages[1].value == pytest.approx(18.0, abs=1e-9)
    assert result.allocation.boxes[1] == 0


def test_reserve_is_met(tmp_path, solver):
    result, _, _, _ = solve_case("reserve", tmp_path, solver=solver)
    assert amounts(result, "boxes") == [2, 2]
    assert result.stages[1].value == pytest.approx(16.0, abs=1e-9)


def test_reserve_trimmed_to_what_the_tier_can_use(tmp_path, solver):
    instance = tmp_path / "reserve.csv"
    source = (DATA / "reserve.csv").read_text(encoding="utf-8")
    instance.write_text(source.replace("K2,小微,P1,weaving,C,10,10", "K2,小微,P1,weaving,C,10,2"), encoding="utf-8")
    result, _, _, _ = solve_case("reserve", tmp_path, instance=instance, solver=solver)
    assert amounts(result, "boxes") == [3, 1]
    assert result.stages[1].value == pytest.approx(20.0, abs=1e-9)


def test_stock_covering_staff_gets_masks_only_with_returning_workers(tmp_path, solver):
    result, _, _, _ = solve_case("return_for_masks", tmp_path, solver=solver)
    assert (amounts(result, "boxes"), amounts(result, "returned")) == ([4], [10])
    assert result.stages[1].value == pytest.approx(40.0, abs=1e-9)
    assert result.stages[2].value == 5
    no_bus, _, _, _ = solve_case("return_for_masks", tmp_path, ["supply.buses=0"], solver=solver)
    assert amounts(no_bus, "boxes") == [0]
    assert no_bus.stages[1].value == pytest.approx(20.0, abs=1e-9)
