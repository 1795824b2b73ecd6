"""The bundled Keqiao-size instance end to end: a plan within the time limit, checked independently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import run_cli
from tests.spec_check import check_export

KEQIAO = Path(__file__).parent.parent / "instances" / "keqiao-2020.csv"
runner = CliRunner()


def _gap(stage: dict) -> float:
    value, bound = stage["value"], stage["bound"]
    distance = bound - value if stage["sense"] == "max" else value - bound
    return max(0.0, distance / abs(value))


def test_park_recovery_is_each_parks_output_weighted_mean(keqiao_result):
    # summary computes all 110 parks in one pass (bincount); here, one park at a time
    from allocator.analysis.summary import summarize

    inst, ev = keqiao_result.problem.instance, keqiao_result.evaluation
    parks = summarize(keqiao_result)["recovery"]["parks"]
    assert list(parks) == sorted(set(inst.park.tolist()))
    for name, figures in parks.items():
        members = inst.park == name
        weights = inst.output_value[members] / inst.output_value[members].sum()
        assert figures["enterprises"] == int(members.sum())
        assert figures["before"] == pytest.approx(float(weights @ ev.c_before[members]), abs=1e-12)
        assert figures["after"] == pytest.approx(float(weights @ ev.c_after[members]), abs=1e-12)


def test_keqiao_plan_is_feasible_and_reports_honest_gaps(tmp_path):
    out = tmp_path / "keqiao"
    result = run_cli(runner, ["solve", str(KEQIAO), "--export", str(out), "--time-limit", "60", "-q"])
    assert result.exit_code == 0, result.output
    check = check_export(KEQIAO, out)
    assert check["violations"] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for stage in summary["stages"]:
        assert stage["bound"] is not None and stage["value"] is not None
        assert stage["gap"] == pytest.approx(_gap(stage), abs=1e-12)  # the gap printed is the gap of value and bound
        if stage["status"] in ("optimal", "within gap"):
            assert stage["gap"] <= 1e-4
    # the figures reported are those of the exported allocation
    assert summary["weighted_output"]["after"] == pytest.approx(check["weighted"], rel=1e-12)
    assert summary["recovery"]["lowest_listed_link"]["after"] == pytest.approx(check["min_link"], abs=1e-12)
    assert check["min_link"] >= summary["stages"][0]["value"] - 1e-6
