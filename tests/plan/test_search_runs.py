"""How the week's engine runs its branch and bound: stage 2 offered no start, and a search never
leaves a plan worse than the one it started from."""

from __future__ import annotations

from allocator.plan import solve
from allocator.stages.claims import Status
from tests.conftest import plan_case


def test_stage_2s_branch_and_bound_is_offered_no_start(tmp_path, monkeypatch):
    """A run given a start goes without HiGHS's presolve dual-fixing probing (allocator.backends.
    highs.STARTED_RULES_OFF); offered none, Keqiao's baseline days proved stage 2 to 1.7e-4 - 4.2e-4
    where they stopped at 8.6e-4 - 1.2e-3.  Here the LP's box search is taken away so that each
    stage runs its branch and bound: every stage-2 run is offered None, every stage-3 run a plan."""
    offered: list[tuple[int, bool]] = []
    stage = {"now": 1}
    real_run, real_stage2, real_stage3 = solve.Window.run, solve._stage2, solve._stage3

    def run(self, start, limit, rel_gap):
        offered.append((stage["now"], start is None))
        return real_run(self, start, limit, rel_gap)

    def stage2(w, start):
        stage["now"] = 2
        return real_stage2(w, start)

    def stage3(w, start):
        stage["now"] = 3
        return real_stage3(w, start)

    monkeypatch.setattr(solve.Window, "run", run)
    monkeypatch.setattr(solve, "_stage2", stage2)
    monkeypatch.setattr(solve, "_stage3", stage3)
    monkeypatch.setattr(solve, "_around_lp", lambda w, start, stage, limit, sense: (None, start))
    result, _, _, _ = plan_case("week_masks", 2, tmp_path)
    assert result.stages[1].value == 450.0 and result.stages[1].status is Status.OPTIMAL  # the optimum still found
    assert {none for s, none in offered if s == 2} == {True}
    assert {none for s, none in offered if s == 3} == {False}


def test_the_better_of_the_start_and_the_search_is_kept():
    """HiGHS may drop a start it finds infeasible at its own tolerance and stop on a worse plan; a
    run offered no start may too.  On a tie the search's plan is kept."""
    value = {"a": 10.0, "b": 12.0, "c": 10.0}.get
    assert solve._better("max", value, "a", "b") == "b"
    assert solve._better("max", value, "b", "a") == "b"
    assert solve._better("max", value, "a", "c") == "c"
    assert solve._better("min", value, "a", "b") == "a"
    assert solve._better("min", value, "b", "a") == "a"
    assert solve._better("max", value, None, "a") == "a" and solve._better("max", value, "a", None) == "a"
