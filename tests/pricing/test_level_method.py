"""The level method: finds the minimum of a convex piecewise-linear function, reports only what it evaluated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from allocator.pricing.level_method import _solve, minimise


def _oracle(calls: list):
    # f(x) = 2 |x0 - 3| + |x1 - 40| + max(0, 5 - x0 - x1): minimum 0 at (3, 40), a corner of
    # two valleys of different steepness and scale, like prices of boxes and of a link
    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        value = 2 * abs(x[0] - 3) + abs(x[1] - 40) + max(0.0, 5 - x[0] - x[1])
        slope = np.array([2 * np.sign(x[0] - 3), np.sign(x[1] - 40)])
        if x[0] + x[1] < 5:
            slope -= 1
        calls.append(value)
        return value, slope
    return f


def test_it_finds_the_minimum_from_a_poor_start():
    calls: list[float] = []
    best, where = minimise(_oracle(calls), np.array([1.0, 10.0]), evaluations=60)
    assert best <= 1e-4
    assert np.allclose(where, [3, 40], atol=1e-3)
    assert best in calls  # a value it evaluated, never the cuts' estimate
    assert len(calls) <= 60


def test_it_stops_at_the_budget_and_at_enough():
    calls: list[float] = []
    minimise(_oracle(calls), np.array([1.0, 10.0]), evaluations=5)
    assert len(calls) == 5
    calls.clear()
    best, _ = minimise(_oracle(calls), np.array([1.0, 10.0]), evaluations=60, enough=10.0)
    assert best <= 10.0 and len(calls) < 20


def test_prices_that_start_at_zero_stay_there():
    calls: list[float] = []
    best, where = minimise(_oracle(calls), np.array([0.0, 10.0]), evaluations=40)
    assert where[0] == 0.0
    assert best == min(calls)
    assert abs(where[1] - 40) < 1e-3  # the best with x0 = 0: 6 + |x1 - 40|


def test_it_runs_beside_a_model_on_two_threads():
    # HiGHS keeps one scheduler per process: after the model ran on --threads 2, a search
    # whose LPs asked for one thread failed at its first step and reported the start.
    # A fresh interpreter, so that this test's scheduler does not leak into the others.
    code = """
import numpy as np
from allocator.backends.highs import HighsModel
from allocator.pricing.level_method import minimise
from allocator.data.loading import load_problem
from allocator.model.formulation import build
from tests.pricing.test_level_method import _oracle
f = build(load_problem("tests/cases/carpool.csv", "tests/cases/carpool.toml", None))
model = HighsModel(f, threads=2)
model.set_objective(np.ones(f.num_cols), 0.0, True)
assert model.relaxation(None).outcome == "optimal"
best, _ = minimise(_oracle([]), np.array([1.0, 10.0]), evaluations=60, threads=2)
print(best)
"""
    root = Path(__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) <= 1e-4


def test_it_prints_nothing_on_stdout():
    # the first HiGHS of a process prints a banner on stdout; with --solver scip the level
    # method's LPs were that first one, and `--format json` got the banner before its JSON
    code = """
import numpy as np
from allocator.pricing.level_method import minimise
from tests.pricing.test_level_method import _oracle
minimise(_oracle([]), np.array([1.0, 10.0]), evaluations=5)
"""
    root = Path(__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_a_step_from_a_large_value_is_the_nearest_point_of_the_level():
    # The province's first step: one cut at 1,262,727 with slopes (25.5, -49.6, 555, -3073),
    # aiming 126 lower. Fed raw to HiGHS's QP, it came back as a corner of the box (0, 3.9, 0,
    # 30) reported optimal, and the search gained nothing for 20 evaluations. Shifted and
    # scaled (the frame), the step is the short one along the slope.
    slope, value, centre = np.array([25.5, -49.6, 555.0, -3073.0]), 1262727.0, np.ones(4)
    step = _solve([(centre, value, slope)], value - 126.0, centre, 1, (value, 126.0))
    assert np.allclose(step[:-1], centre - 126.0 / (slope @ slope) * slope, atol=1e-6)


def test_it_stops_rather_than_evaluate_a_point_twice(monkeypatch):
    """A projection that does not move (HiGHS's QP within its tolerance of the level: seen on
    one machine) hands back the best point, evaluated already; nothing changes, and each step
    after would evaluate it again (35 times there): the search stops instead, its best value
    still one it evaluated."""
    from allocator.pricing import level_method

    original = level_method._solve

    def unmoved(cuts, level, centre, *rest):
        found = original(cuts, level, centre, *rest)
        return found if level is None or len(cuts) < 5 else np.r_[centre, found[-1]]

    monkeypatch.setattr(level_method, "_solve", unmoved)
    points: list[tuple] = []
    oracle = _oracle([])

    def recording(x):
        points.append(tuple(x))
        return oracle(x)

    best, _ = minimise(recording, np.array([1.0, 10.0]), evaluations=60)
    assert len(points) < 60 and len(set(points)) == len(points)
    assert best == min(oracle(np.array(p))[0] for p in points)
