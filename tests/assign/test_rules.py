"""Hand-checked cases, one per rule of SPEC "Commissioners"; each optimum derived in the comment.

Every firm here has a mask stock that covers its staff and nothing to receive, so c_after =
on_post / employees and pi = 1 + w_t (1 - c_after) with w = 3, 2, 1 for tiers A, B, C.
"""

from __future__ import annotations

from tests.assign.helpers import case, firm, person, statuses, values


def test_a_leader_serves_one_key_firm_and_never_a_non_key_one(tmp_path):
    # key_firms = 1: K1 (A, output 100) is the key firm; K2 (A, output 90) is not.
    # N1 (tier B, c = 0) has pi = 3, far above K1's 1 + 3 (1 - 0.9) = 1.3, but the only person is a
    # leader: stage 1 = 1 (L serves K1), nobody else may serve K2 or N1 (leaders serve key firms only).
    # Stage 2 = 1.3; stage 3: L is district-wide, 1 park = 1.
    firms = [firm("K1", "P1", tier="A", on_post=9, output=100), firm("K2", "P2", tier="A", output=90),
             firm("N1", "P1", tier="B")]
    summary, who, out = case(tmp_path, firms, [person("L", leader=True)], "--set", "assign.key_firms=1")
    assert who == {"K1": "L"}
    assert values(summary) == (1, 1.3, 1) and statuses(summary) == ("optimal",) * 3
    unserved = (out / "unserved.csv").read_text(encoding="utf-8-sig")
    assert "K2" in unserved and "N1" in unserved and "no_compatible_field" in unserved


def test_a_field_never_serves_an_incompatible_chain_link(tmp_path):
    # market -> commerce; trade -> trade or commerce; fibre -> industry (nobody here).
    # C (commerce, cap 3) may serve M1 and T1, T (trade, cap 1) only T1, nobody F1.
    # Stage 2: M1 and T1 both served (pi 2 + 2 = 4); F1 unserved, no compatible field.
    # Stage 3: C serving both in P1 costs 1 (T idle); C + T cost 2.  Optimum 1.
    firms = [firm("M1", "P1", "market"), firm("T1", "P1", "trade"), firm("F1", "P1", "fibre")]
    people = [person("C", "commerce", "P1", 3), person("T", "trade", "P1", 1)]
    summary, who, out = case(tmp_path, firms, people, "--set", "assign.key_firms=0")
    assert who == {"M1": "C", "T1": "C"}
    assert values(summary) == (0, 4, 1) and statuses(summary) == ("optimal",) * 3
    assert summary["firms"]["unserved"] == {"no_compatible_field": 1, "no_capacity_in_reach": 0}


def test_scenario_fields_decide_who_may_serve(tmp_path):
    # With [assign.fields] market = ["industry"], the industry person may serve M1 and the
    # commerce person may not: I serves M1 (pi 2), C serves nobody.
    firms = [firm("M1", "P1", "market")]
    people = [person("C", "commerce", "P1", 3), person("I", "industry", "P1", 3)]
    summary, who, _ = case(tmp_path, firms, people, "--set", "assign.key_firms=0", "--set", 'assign.fields.market=["industry"]')
    assert who == {"M1": "I"} and values(summary) == (0, 2, 1)


def test_capacity_and_pain_first_when_people_are_short(tmp_path):
    # One person, capacity 2, three industry firms: pi(Fa) = 1 + 2 (1 - 0) = 3 (tier B),
    # pi(Fb) = 1 + 1 (1 - 0) = 2 (tier C), pi(Fc) = 1 + 3 (1 - 0.9) = 1.3 (tier A, key_firms = 0).
    # Stage 2 serves the two largest: 3 + 2 = 5; Fc has no capacity left in reach.
    firms = [firm("Fa", "P1", tier="B"), firm("Fb", "P1"), firm("Fc", "P1", tier="A", on_post=9)]
    summary, who, _ = case(tmp_path, firms, [person("X", park="P1", capacity=2)], "--set", "assign.key_firms=0")
    assert who == {"Fa": "X", "Fb": "X"}
    assert values(summary) == (0, 5, 1)
    assert summary["firms"]["unserved"] == {"no_compatible_field": 0, "no_capacity_in_reach": 1}


def test_park_spread_counts_home_1_away_2_district_1(tmp_path):
    # P1 has 3 firms, P2 has 2.  H: home P1, cap 4; W: home P3 (no firm there), cap 4.
    # H on P1 (1) + W on P2 (away: 2) = 3; H on P1 plus one of P2 (1 + 2) with W on the other (2) = 5.
    # Optimum 3.  Every firm is tier C with nobody on post: pi = 2 each, stage 2 = 10.
    firms = [firm(f"a{k}", "P1") for k in range(3)] + [firm(f"b{k}", "P2") for k in range(2)]
    people = [person("H", park="P1", capacity=4), person("W", park="P3", capacity=4)]
    summary, who, _ = case(tmp_path, firms, people, "--set", "assign.key_firms=0")
    assert values(summary) == (0, 10, 3) and statuses(summary) == ("optimal",) * 3
    assert {who[f"a{k}"] for k in range(3)} == {"H"} and {who[f"b{k}"] for k in range(2)} == {"W"}
    assert any(w["code"] == "warn_home_absent" for w in summary["warnings"])
    # A district-wide person counts 1 for each park: D alone (cap 5) serves both parks for 2.
    summary, who, _ = case(tmp_path, firms, [person("D", capacity=5)], "--set", "assign.key_firms=0")
    assert values(summary) == (0, 10, 2) and set(who.values()) == {"D"}


def test_fewest_parks_splits_no_one_needlessly(tmp_path):
    # Two home people in P1 (cap 3 each) and 3 + 3 firms in P1 and P2: each person takes one park
    # whole: 1 (home) + 2 (away) = 3; splitting either park between them costs more.
    firms = [firm(f"a{k}", "P1") for k in range(3)] + [firm(f"b{k}", "P2") for k in range(3)]
    people = [person("X", park="P1", capacity=3), person("Y", park="P1", capacity=3)]
    summary, who, _ = case(tmp_path, firms, people, "--set", "assign.key_firms=0")
    assert values(summary)[2] == 3
    assert len({who[f"a{k}"] for k in range(3)}) == 1 and len({who[f"b{k}"] for k in range(3)}) == 1


def test_projects_serve_firms_whose_project_column_is_yes(tmp_path):
    # X (market, project yes) may be served by the projects person; Y (market, project no) may not.
    firms = [firm("X", "P1", "market", project="yes"), firm("Y", "P1", "market", project="no")]
    summary, who, _ = case(tmp_path, firms, [person("P", "projects", "P1", 2)], "--set", "assign.key_firms=0")
    assert who == {"X": "P"} and summary["firms"]["unserved"]["no_compatible_field"] == 1


def test_stage_1_before_pain(tmp_path):
    # A leader and one industry person (cap 1); two key firms K1, K2 (tier A), one tier-B firm N with the
    # highest pi.  Stage 1 = 1 (the leader takes a key firm); stage 2 then gives the non-leader N
    # (pi 3) rather than the other key firm (pi 1 + 3 (1 - 0.8) = 1.6): the leader takes the key firm
    # with the higher pi, K1 (1 + 3 (1 - 0.5) = 2.5).  Stage 2 = 2.5 + 3 = 5.5.
    firms = [firm("K1", "P1", tier="A", on_post=5, output=100), firm("K2", "P1", tier="A", on_post=8, output=90),
             firm("N", "P1", tier="B")]
    people = [person("L", leader=True), person("X", park="P1", capacity=1)]
    summary, who, _ = case(tmp_path, firms, people, "--set", "assign.key_firms=2")
    assert who == {"K1": "L", "N": "X"} and values(summary) == (1, 5.5, 2)
