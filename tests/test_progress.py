"""allocator.progress: events as a solve goes, and a stop honoured like a time limit."""

from __future__ import annotations

import time

import numpy as np

from allocator.data.loading import load_problem
from allocator.progress import Watch, watching
from allocator.stages.claims import Status
from allocator.stages.driver import solve
from tests.conftest import KEQIAO


def test_a_stop_at_stage_two_keeps_stage_one_plan_verified(small_instance):
    events = []

    def listen(event):
        events.append(event)
        if event.kind == "stage" and event.stage == 2:
            watch.stop()

    watch = Watch(listen)
    # five buses: the store does not cover every firm's most, so stages 2 and 3 search (allocator.stages.served)
    result = solve(load_problem(small_instance, None, ["supply.buses=5"]), watch=watch)
    assert [s.status for s in result.stages[1:]] == [Status.INTERRUPTED, Status.INTERRUPTED]
    assert result.interrupted and result.evaluation.violations == ()
    assert result.stages[0].status in (Status.OPTIMAL, Status.WITHIN_GAP)  # stage 1 finished before the stop
    # stage 1's plan is what remains: it holds itself, and the figures are recomputed from it
    assert result.evaluation.min_link >= result.stages[0].value - 1e-6
    assert result.stages[1].value == result.evaluation.weighted_output
    kinds = [(e.kind, e.stage) for e in events]
    assert kinds[0] == ("stage", 1) and ("claim", 1) in kinds and ("stage", 3) in kinds


def test_highs_stops_mid_search_and_returns_its_best_point():
    from allocator.backends.highs import HighsModel
    from allocator.model.columns import output_costs
    from allocator.model.formulation import build

    problem = load_problem(KEQIAO, None, ["rules.chain_balance=false"])
    f = build(problem)
    began = time.perf_counter()

    def listen(event):
        if time.perf_counter() - began > 0.5:  # Keqiao's stage 2 without links takes seconds
            watch.stop()

    watch = Watch(listen)
    with watching(watch):
        model = HighsModel(f)
        model.set_objective(output_costs(f), f.constant_output, maximize=True)
        run = model.run(time_limit=60, rel_gap=1e-9, node_limit=None)
        again = model.run(time_limit=60, rel_gap=1e-9, node_limit=None)
    assert run.outcome == "interrupted" and run.seconds < 10
    assert run.values is not None and np.isfinite(run.bound)
    assert again.outcome == "interrupted" and again.values is None  # no new search after a stop


def test_without_a_watch_nothing_is_reported_or_stopped(small_instance):
    result = solve(load_problem(small_instance))
    assert not result.interrupted
