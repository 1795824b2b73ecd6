"""Realistic sizes: the small preset in the default suite, the bundled Keqiao files behind -m slow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.assign.helpers import run_assign

ROOT = Path(__file__).parents[2]


def test_small_preset_with_generated_commissioners(small_instance, tmp_path):
    from allocator.assign.generate import commissioners_csv

    people = tmp_path / "people.csv"
    people.write_bytes(commissioners_csv(40, 2, str(small_instance)))  # about 300 firms, people short
    out = tmp_path / "out"
    result = run_assign(["assign", str(small_instance), str(people), "--export", str(out), "-q", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in summary["stages"]] == ["optimal"] * 3, summary["stages"]
    assert summary["firms"]["unserved"]["no_capacity_in_reach"] > 0  # 40 people cannot serve 300 firms


@pytest.mark.slow
def test_keqiao_bundled(tmp_path):
    out = tmp_path / "out"
    result = run_assign(["assign", str(ROOT / "instances" / "keqiao-2020.csv"),
                         str(ROOT / "instances" / "keqiao-2020-commissioners.csv"), "--export", str(out), "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in summary["stages"]] == ["optimal"] * 3, summary["stages"]
    assert summary["key_firms"]["by_leader"] == 60 and summary["firms"]["served"] == 9924


def test_a_tight_time_limit_still_gives_a_checked_plan(small_instance, tmp_path):
    from allocator.assign.generate import MIXED, commissioners_csv

    people = tmp_path / "people.csv"
    people.write_bytes(commissioners_csv(60, 4, str(small_instance), capacities=MIXED))
    out = tmp_path / "out"
    result = run_assign(["assign", str(small_instance), str(people), "--export", str(out), "-q", "--time-limit", "0.2"])
    assert result.exit_code == 0, result.output  # whatever each stage could prove, the checker passed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert all(s["status"] in ("optimal", "within gap", "time limit", "feasible") for s in summary["stages"])
