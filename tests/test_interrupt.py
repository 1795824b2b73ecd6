"""Ctrl-C in solve: the first keeps the best plan (verified, exported, exit 130), the second quits
writing nothing.  A Keqiao-size solve runs long enough to be interrupted after a few seconds."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import KEQIAO
from tests.spec_check import check_export


def _solve(out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "allocator", "solve", str(KEQIAO), "--time-limit", "60", "--export",
                             str(out), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_the_search(process: subprocess.Popen, seconds: float = 4.0) -> None:
    time.sleep(seconds)  # reading and building take about 1.5 s; stage 1 runs for several seconds after
    assert process.poll() is None, "the solve ended before it could be interrupted"


def _line_with(process: subprocess.Popen, text: str) -> str:
    """Read stderr up to the first line holding ``text``; returns what was read."""
    seen = ""
    while text not in seen:
        line = process.stderr.readline()
        assert line, f"stderr ended before {text!r}: {seen!r}"
        seen += line
    return seen


def test_first_ctrl_c_keeps_the_best_plan_verified_and_exported(tmp_path):
    out = tmp_path / "export"
    began = time.perf_counter()
    process = _solve(out)
    _wait_for_the_search(process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert time.perf_counter() - began < 40  # stopped like a time limit, not run on to the 60 s limit
    assert "stopping: the best plan so far is verified and kept" in stderr and "interrupted:" in stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True and summary["status"] == "interrupted" and summary["plan"] is True
    assert "interrupted" in {s["status"] for s in summary["stages"]}
    check = check_export(KEQIAO, out)  # the export holds a plan that breaks no rule, with honest claims
    assert check["violations"] == []
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["interrupted"] is True
    assert (out / "allocation.xlsx").exists()


def test_second_ctrl_c_quits_at_once_writing_nothing(tmp_path):
    out = tmp_path / "export"
    process = _solve(out)
    _wait_for_the_search(process)
    process.send_signal(signal.SIGINT)
    # Two SIGINTs that arrive while the main thread is inside HiGHS are one pending signal to Python:
    # press again only once the first press has been heard (its line on stderr), as an officer would.
    first = _line_with(process, "stopping:")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    stderr = first + stderr
    assert process.returncode == 130, stderr
    assert "quit: nothing was written" in stderr and stdout == ""
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no folder, no temporary files


def test_ctrl_c_in_assign_keeps_the_plan_so_far_checked_and_exported(tmp_path):
    from tests.assign_check import check_assign

    staff = KEQIAO.parent / "keqiao-2020-commissioners.csv"
    out = tmp_path / "visits"
    process = subprocess.Popen([sys.executable, "-m", "allocator", "assign", str(KEQIAO), str(staff), "--time-limit", "60",
                                "--export", str(out), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    _wait_for_the_search(process)  # the allocation's stage 1 is running
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=90)
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["allocation"]["status"] == "interrupted" and summary["allocation"]["plan"] is True
    check = check_assign(KEQIAO, staff, out)
    assert check["violations"] == [], check["violations"]
    # the assignment still runs its stages 1 and 2: firms are served (it once exported none)
    assert len((out / "assignment.csv").read_text(encoding="utf-8-sig").splitlines()) > 1000


def test_ctrl_c_in_plan_keeps_the_week_so_far_checked_and_exported(tmp_path):
    from tests.plan_check import check_plan_export

    week = KEQIAO.parent / "keqiao-2020-week.csv"
    out = tmp_path / "week"
    process = subprocess.Popen([sys.executable, "-m", "allocator", "plan", str(KEQIAO), "--days", "7", "--arrivals",
                                str(week), "--export", str(out), "--format", "json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _wait_for_the_search(process)  # the day-by-day baseline is running
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True and {s["status"] for s in summary["stages"]} == {"interrupted"}
    check = check_plan_export(KEQIAO, out, 7, week)
    assert check["violations"] == [], check["violations"]
