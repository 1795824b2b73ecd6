"""The three stages against every assignment of tiny instances: the CP-SAT models, the aggregation,
the exact certificate and the disaggregation together must find the lexicographic optimum."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from allocator.assign.plan import evaluate
from allocator.assign.solve import AssignOptions, solve_assignment
from allocator.stages.claims import Status
from tests.assign.tiny import brute_force, build, firm_strategy, fix, person_strategy

OPTIONS = AssignOptions(time_limit=20, workers=1)


def solved(problem):
    result = solve_assignment(problem, OPTIONS)
    values = evaluate(problem, result.plan)
    assert values.violations == ()
    assert all(s.status is Status.OPTIMAL for s in result.stages), result.stages
    return result, (values.leaders_on_key, values.priority, values.parks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(firm_strategy, min_size=1, max_size=6), hs.lists(person_strategy, min_size=1, max_size=3),
       hs.integers(0, 2))
def test_every_stage_matches_enumeration(firms, people, key_firms):
    problem = build([fix(f) for f in firms], people, key_firms)
    result, found = solved(problem)
    assert found == brute_force(problem)
    # each stage reports the value of the plan it kept, and stage 3 keeps stages 1 and 2 exactly
    assert [s.value for s in result.stages] == [found[0], float(found[1]), found[2]]
    assert [s.bound for s in result.stages] == [s.value for s in result.stages]


def test_a_hand_made_case_with_ties_and_two_components():
    # Equal pi in two parks (a tie stage 3 may break either way) and a trade firm commerce may take.
    firms = [("P1", "fibre", "C", 2, 0, 1), ("P2", "fibre", "C", 2, 0, 1), ("P1", "trade", "B", 4, 2, 3),
             ("P2", "market", "C", 2, 1, 1), ("P2", "trade", "A", 3, 0, 5)]
    people = [("industry", "P2", 1, False), ("commerce", "P2", 3, False), ("trade", "", 1, True)]
    problem = build(firms, people, 1)
    _, found = solved(problem)
    assert found == brute_force(problem)
    # stage 2: the industry person takes one of the two fibre firms (pi 2 each); commerce takes the
    # market (1 + 1/2) and the tier-B trade firm (1 + 2 (1 - 1/2) = 2); the trade leader the key
    # firm (tier A, pi 1 + 3 = 4).  Stage 3: the fibre firm in P2 (home, 1), commerce in P1 and P2
    # (2 + 1), the leader 1: 5.
    assert found == (1, Fraction(2) + Fraction(3, 2) + 2 + 4, 5)
