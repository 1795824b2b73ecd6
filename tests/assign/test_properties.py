"""Properties of the assignment on random tiny instances, and the stop flag."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from allocator.assign.plan import evaluate
from allocator.assign.solve import AssignOptions, solve_assignment
from allocator.stages.claims import Status
from tests.assign.tiny import build, firm_strategy, fix, person_strategy

OPTIONS = AssignOptions(time_limit=20, workers=1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(firm_strategy, min_size=1, max_size=8), hs.lists(person_strategy, min_size=1, max_size=3),
       person_strategy, hs.integers(0, 2))
def test_more_commissioners_never_serve_fewer_firms(firms, people, extra, key_firms):
    firms = [fix(f) for f in firms]
    before = solve_assignment(build(firms, people, key_firms), OPTIONS)
    after = solve_assignment(build(firms, people + [extra], key_firms), OPTIONS)
    assert (after.plan.server >= 0).sum() >= (before.plan.server >= 0).sum()
    # and never a lower stage 1 or stage 2 (more people only widen the choice)
    assert after.values.leaders_on_key >= before.values.leaders_on_key
    if after.values.leaders_on_key == before.values.leaders_on_key:
        assert after.values.priority >= before.values.priority


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(firm_strategy, min_size=1, max_size=10), hs.lists(person_strategy, min_size=1, max_size=5),
       hs.integers(0, 3))
def test_stage_values_are_recomputed_from_the_plan(firms, people, key_firms):
    problem = build([fix(f) for f in firms], people, key_firms)
    result = solve_assignment(problem, OPTIONS)
    values = evaluate(problem, result.plan)
    assert values.violations == ()
    assert [s.value for s in result.stages] == [values.leaders_on_key, float(values.priority), values.parks]
    for s in result.stages:  # bounds on the right side; "optimal" only when they meet
        assert s.bound is None or (s.bound >= s.value if s.sense == "max" else s.bound <= s.value)
        assert s.status is not Status.OPTIMAL or s.bound == s.value


def test_a_stop_skips_stage_3s_search_only():
    """A stop from the start (a Ctrl-C during the allocation) still serves the firms: stages 1 and
    2 run as without it, and stage 3 keeps its first plan (it once returned an empty assignment,
    every firm unserved)."""
    firms = [fix(("P1", "fibre", "B", 4, 1, 3)), fix(("P2", "market", "A", 3, 0, 9)), fix(("P2", "fibre", "C", 2, 0, 1))]
    people = [("industry", "P1", 2, False), ("commerce", "", 1, True)]
    problem = build(firms, people, 1)
    stopped = solve_assignment(problem, OPTIONS, should_stop=lambda: True)
    free = solve_assignment(problem, OPTIONS)
    assert [s.status for s in stopped.stages] == [Status.OPTIMAL, Status.OPTIMAL, Status.TIME_LIMIT]
    assert [s.value for s in stopped.stages[:2]] == [s.value for s in free.stages[:2]]
    assert stopped.values.violations == () and stopped.values.priority == free.values.priority > 0
    assert "stopped before stage 3's search" in stopped.stages[2].note


def test_a_stop_inside_stage_3_keeps_the_first_plan_for_the_rest():
    firms = [fix(("P1", "fibre", "B", 4, 1, 3)), fix(("P2", "market", "A", 3, 0, 9)), fix(("P2", "trade", "C", 2, 0, 1))]
    people = [("industry", "P1", 2, False), ("commerce", "", 2, False)]
    calls = []

    def stop() -> bool:  # asked by stages 1 and 2's limits, the first plan's polish, before stage 3's
        calls.append(1)  # search and before each part: let the first part run
        return len(calls) > 5

    result = solve_assignment(build(firms, people, 1), OPTIONS, should_stop=stop)
    assert result.stages[2].status is Status.TIME_LIMIT and result.stages[2].bound is None
    assert result.values.violations == () and any("stopped after 1 of 2" in note for note in result.notes)


def test_after_a_stop_stages_1_and_2_get_a_few_seconds_each(monkeypatch):
    """CP-SAT cannot be interrupted here, so after a stop stages 1 and 2 run for at most
    AFTER_STOP seconds each, not their share of --time-limit (a review found a Ctrl-C could
    wait 0.3 x the limit + 3 s)."""
    import allocator.assign.solve as solving

    given_seconds = []
    real = solving.solve_stage

    def spy(st, stage, limits, **kwargs):
        given_seconds.append(limits.seconds)
        return real(st, stage, limits, **kwargs)

    monkeypatch.setattr(solving, "solve_stage", spy)
    firms = [fix(("P1", "fibre", "B", 4, 1, 3)), fix(("P2", "market", "A", 3, 0, 9))]
    long = AssignOptions(time_limit=600, workers=1)
    solve_assignment(build(firms, [("industry", "P1", 2, False)], 1), long, should_stop=lambda: True)
    assert given_seconds == [solving.AFTER_STOP] * 2
    given_seconds.clear()
    solve_assignment(build(firms, [("industry", "P1", 2, False)], 1), long)
    assert given_seconds[0] == solving.SMALL_SHARE * 600 > solving.AFTER_STOP
