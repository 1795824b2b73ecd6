"""Every claim true to the last unit (issue 14): each stage's value, bound and status, judged
by the exact brute-force oracle of tests/oracle.py on tiny instances.

The holds are the SPEC's: stage 2's feasible set is {z1 >= z1_plan - 1e-6}, stage 3's adds
{z2 >= z2_plan (1 - 1e-6)}, where z1_plan, z2_plan are the values the TOOL reported for its
earlier stages.  A double may round a value within 1e-12 (relative) of a hold boundary
either way, so the oracle computes each optimum with the hold tightened and loosened by
that much and a claim stands if it is consistent with either.

Run: ``pytest tests/test_oracle_claims.py`` (default profile, about half a minute);
``ORACLE_EXAMPLES=1000 pytest tests/test_oracle_claims.py`` for more examples per search
mode, ``HYPOTHESIS_PROFILE=ci`` for the derandomized examples, ``-m slow`` for the long run.
"""

from __future__ import annotations

import json
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from allocator.data.loading import load_problem
from allocator.options import SolveOptions
from allocator.stages.driver import solve
from tests.oracle import HOLD_LINK_ABS, HOLD_OUTPUT_REL, Oracle, TooLarge
from tests.oracle_strategies import cases, write_case

#: Float noise accepted between a double and the exact rational: 1e-12 relative (absolute below 1).
NOISE = Fraction(1, 10**12)
#: Stage 1 is "optimal" within 1e-8 absolute, stage 2 within 1e-7 relative, stage 3 exactly.
OPT1_ABS = Fraction(1, 10**8)
OPT2_REL = Fraction(1, 10**7)

EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "120"))
SCIP_EXAMPLES = int(os.environ.get("ORACLE_SCIP_EXAMPLES", str(max(1, EXAMPLES // 4))))
SLOW_EXAMPLES = 1500
GAPS = st.sampled_from([1e-9, 1e-4, 1e-2])


def _tol(*xs: Fraction) -> Fraction:
    return NOISE * max([Fraction(1)] + [abs(x) for x in xs])


def final_plan(result) -> dict:
    alloc = result.allocation
    return {
        "boxes": [int(x) for x in alloc.boxes],
        "passes": [int(x) for x in alloc.passes],
        "returned": [int(x) for x in alloc.returned],
        "buses": {tuple(k): int(y) for k, y in zip(result.problem.group_keys, alloc.buses, strict=True)},
    }


def _max_stage(name, stage, opt_tight, opt_loose, rel_gap, optimal_slack) -> list[str]:
    """A maximising stage: value reachable, bound valid, status earned. ``optimal_slack(x)``: how
    far below the optimum an "optimal" value may sit."""
    out = []
    status = stage.status.value
    if opt_loose is None:
        return [f"{name}: reports {status} {stage.value!r} but no plan holds the earlier stages' values"]
    if stage.bound is not None and Fraction(stage.bound) < opt_tight[0] - _tol(opt_tight[0]):
        out.append(f"{name}: bound {stage.bound!r} below the true optimum {float(opt_tight[0])!r} "
                   f"(e.g. {opt_tight[1]})")
    if stage.value is None:
        return out
    x = Fraction(stage.value)
    if x > opt_loose[0] + _tol(x):
        out.append(f"{name}: value {stage.value!r} above the true optimum {float(opt_loose[0])!r}: no plan has it")
    short = opt_tight[0] - x
    if status == "optimal" and short > optimal_slack(x) + _tol(x):
        out.append(f"{name}: 'optimal' {stage.value!r} but the optimum is {float(opt_tight[0])!r} "
                   f"({float(short):.3g} short; e.g. {opt_tight[1]})")
    if status == "within gap" and short > Fraction(rel_gap) * abs(x) + _tol(x):
        out.append(f"{name}: 'within gap' {rel_gap:g} but the true gap is {float(short / abs(x)) if x else 'inf'}")
    return out


def judge(o: Oracle, result, rel_gap: float) -> list[str]:
    """Every claim of ``result`` the oracle refutes (empty: all true)."""
    broken = []
    plan = final_plan(result)
    bad = o.violations(plan)
    if bad:
        broken.append(f"final plan breaks the SPEC: {bad}")
    final = o.plan_values(plan)
    s1, s2, s3 = result.stages
    if (s1.status.value != "skipped") != o.stage1_active:
        broken.append(f"stage 1 is {s1.status.value} but chain balance {'applies' if o.stage1_active else 'does not'}")

    z1 = None
    if o.stage1_active and s1.status.value != "skipped":
        opt1 = o.stage1_optimum()
        broken += _max_stage("stage 1", s1, opt1, opt1, rel_gap, lambda x: OPT1_ABS)
        z1 = s1.value
        if z1 is not None and not bad and final["min_link"] < Fraction(z1) - HOLD_LINK_ABS - _tol(Fraction(z1)):
            broken.append(f"final plan's lowest link {float(final['min_link'])!r} does not hold stage 1's {z1!r}")

    z2 = None
    if s2.status.value != "skipped":
        tight, loose = o.stage2_optimum(z1, slack=+1), o.stage2_optimum(z1, slack=-1)
        if tight is None:
            tight = loose
        broken += _max_stage("stage 2", s2, tight, loose, rel_gap, lambda x: OPT2_REL * abs(x))
        z2 = s2.value
        if z2 is not None and not bad:
            hold = Fraction(z2) * (1 - HOLD_OUTPUT_REL)
            if final["weighted_output"] < hold - _tol(hold):
                broken.append(f"final plan's weighted output {float(final['weighted_output'])!r} "
                              f"does not hold stage 2's {z2!r}")

    if s3.status.value == "skipped" and z2 is not None and not bad:  # stage 2 is the last: its plan is the export
        if abs(final["weighted_output"] - Fraction(z2)) > _tol(Fraction(z2)):
            broken.append(f"stage 2 is the last stage: value {z2!r} but the exported plan has "
                          f"{float(final['weighted_output'])!r}")
    if s3.status.value != "skipped":
        tight, loose = o.stage3_optimum(z1, z2, slack=+1), o.stage3_optimum(z1, z2, slack=-1)
        if loose is None:
            broken.append(f"stage 3: reports {s3.status.value} {s3.value!r} but no plan holds stages 1 and 2")
        else:
            tight = tight or loose
            if s3.bound is not None and Fraction(s3.bound) > tight[0] + _tol(Fraction(tight[0])):
                broken.append(f"stage 3: bound {s3.bound!r} above the true optimum {tight[0]} (e.g. {tight[1]})")
            if s3.value is not None:
                if s3.value != final["units"]:
                    broken.append(f"stage 3: value {s3.value!r} but the exported plan uses {final['units']} units")
                x = Fraction(s3.value)
                if s3.status.value == "optimal" and x > tight[0]:
                    broken.append(f"stage 3: 'optimal' {s3.value!r} but the optimum is {tight[0]} (e.g. {tight[1]})")
                if s3.status.value == "within gap" and x - tight[0] > Fraction(rel_gap) * x:
                    broken.append(f"stage 3: 'within gap' {rel_gap:g} but {s3.value!r} vs optimum {tight[0]}")
    return broken


def describe(rows, scenario, options, result) -> str:
    stages = [(s.status.value, s.value, s.bound) for s in result.stages]
    return json.dumps({"rows": rows, "scenario": scenario, "options": options, "stages": stages,
                       "plan": {k: (v if k != "buses" else {"/".join(g): y for g, y in v.items()})
                                for k, v in final_plan(result).items()}}, ensure_ascii=False)


def solve_case(rows, scenario, directory: Path, **options):
    csv_path, toml_path = write_case(directory, rows, scenario)
    return solve(load_problem(csv_path, toml_path, None), SolveOptions(time_limit=20, **options))


def check_case(rows, scenario, search: str, solver: str, rel_gap: float) -> list[str]:
    """Solve with the tool, judge with the oracle; the list of refuted claims (or an AssertionError)."""
    try:
        o = Oracle(rows, scenario)
    except TooLarge:
        assume(False)
    options = dict(rel_gap=rel_gap, search=search, solver=solver)
    with tempfile.TemporaryDirectory() as tmp:
        result = solve_case(rows, scenario, Path(tmp), **options)
    broken = judge(o, result, rel_gap)
    if broken:
        note(describe(rows, scenario, options, result))
    return broken


def _run(search: str, solver: str, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=cases(), rel_gap=GAPS)
    def claims_hold(case, rel_gap):
        broken = check_case(*case, search, solver, rel_gap)
        assert not broken, "\n".join(broken)

    claims_hold()


MODES = [pytest.param(s, "highs", EXAMPLES, id=f"{s}-highs") for s in ("full", "auto", "guided")] + [
    pytest.param(s, "scip", SCIP_EXAMPLES, id=f"{s}-scip") for s in ("full", "auto", "guided")]


@pytest.mark.parametrize(("search", "solver", "examples"), MODES)
def test_every_claim_is_true(search, solver, examples):
    _run(search, solver, examples)


@pytest.mark.slow
@pytest.mark.parametrize(("search", "solver", "examples"), MODES)
def test_every_claim_is_true_many(search, solver, examples):
    _run(search, solver, SLOW_EXAMPLES if solver == "highs" else SLOW_EXAMPLES // 3)


# ---------------------------------------------------------------- hand-checked cases
FIRM = dict(park="P1", tier="C", employees="10", on_post="10", electricity_recovery="0.9")


@pytest.mark.parametrize("search", ["full", "auto", "guided"])
def test_stage3_gives_no_pass_that_the_output_hold_does_not_need(search, tmp_path):
    """Expected to FAIL on today's code (the tool hands B1 a pass and says "stage 3 optimal 1,
    bound 1"); it passes after the fix of issue 14.  Do not xfail it.

    Chain balance off, q = 0, one pass; both firms tier C (weight 1), all staff on post.
    A1: output 1,000,000, no trucks: c = 1 whatever happens.
    B1: output 1.4, one truck: freight 0.5 without a pass, 1 with it.
    Stage 2: with the pass 1,000,000 + 1.4 = 1,000,001.4, without it 1,000,000.7.
    Stage 3 holds z2 >= z2_plan (1 - 1e-6): for z2_plan = 1,000,001.4 that is
    1,000,000.3999986 <= 1,000,000.7, so the plan without the pass holds it (and it holds the
    smaller hold of z2_plan = 1,000,000.7 too): stage 3's optimum is 0 units, whatever
    stage 2 keeps.
    """
    rows = [dict(FIRM, enterprise_id="A1", chain_link="other", output_value="1000000"),
            dict(FIRM, enterprise_id="B1", chain_link="other", trucks_needed="1", output_value="1.4")]
    scenario = {"supply": {"masks": 0, "passes": 1, "buses": 0},
                "rules": {"masks_per_worker_day": 0, "chain_balance": False}}
    o = Oracle(rows, scenario)
    assert o.stage2_optimum()[0] == Fraction("1000001.4")
    assert o.stage3_optimum(None, 1000001.4)[0] == 0 and o.stage3_optimum(None, 1000000.7)[0] == 0
    result = solve_case(rows, scenario, tmp_path, rel_gap=1e-9, search=search)
    broken = judge(o, result, 1e-9)
    assert not broken, "\n".join(broken)
    assert result.stages[2].value == 0


@pytest.mark.parametrize("search", ["full", "auto", "guided"])
def test_stage1_optimal_means_within_1e_8(search, tmp_path):
    """Expected to FAIL on today's code (HiGHS stops at 0.9999992 and calls it optimal, with
    bound 0.9999992 under full/auto search); it passes after the fix of issue 14.  Do not xfail it.

    Chain balance on, chain_links = ["fibre"], q = 0, one pass; both firms tier C, all on post.
    F1: output 1, one truck: c = 0.5 without a pass, 1 with it.  F2: output 624,999, no trucks: c = 1.
    R_fibre = (1 c_F1 + 624,999) / 625,000: 1 - 0.5 / 625,000 = 0.9999992 without the pass,
    1.0 with it.  Stage 1's optimum is 1.0 (F1 gets the pass); 0.9999992 is 8e-7 short, more
    than the 1e-8 absolute that "optimal" allows in stage 1.
    """
    rows = [dict(FIRM, enterprise_id="F1", chain_link="fibre", trucks_needed="1", output_value="1"),
            dict(FIRM, enterprise_id="F2", chain_link="fibre", output_value="624999")]
    scenario = {"supply": {"masks": 0, "passes": 1, "buses": 0},
                "rules": {"masks_per_worker_day": 0, "chain_balance": True, "chain_links": ["fibre"]}}
    o = Oracle(rows, scenario)
    assert o.stage1_optimum()[0] == 1
    result = solve_case(rows, scenario, tmp_path, rel_gap=1e-9, search=search)
    broken = judge(o, result, 1e-9)
    assert not broken, "\n".join(broken)
    assert result.stages[0].value == 1.0


# ---------------------------------------------------------------- minimised counterexamples
# Found by the property above on the code of b145f2c, then reduced by hand.  Each is expected
# to FAIL on that code in the modes named (it passes after the fix of issue 14); do not xfail.
# The firms' common fields: tier C (weight 1), electricity 0.9 (eligible), no stock, no trucks.
def _firm(fid, link, employees, on_post, away=0, origin="", output="1", **more):
    row = dict(enterprise_id=fid, park="P1", chain_link=link, tier="C", employees=str(employees), on_post=str(on_post),
               workers_away=str(away), origin=origin, electricity_recovery="0.9", masks_in_stock="0",
               trucks_needed="0", output_value=output)
    row.update({k: str(v) for k, v in more.items()})
    return row


def _scenario(masks=0, passes=0, buses=0, seats=1, q=0, links=None):
    rules = {"masks_per_worker_day": q, "mask_days": 1, "chain_balance": links is not None}
    if links is not None:
        rules["chain_links"] = links
    return {"supply": {"masks": masks, "mask_pack": 10, "passes": passes, "buses": buses, "bus_seats": seats},
            "rules": rules}


KNOWN = {
    # Stage 3 proves against z2 >= z2_plan (1 - 6e-7), not (1 - 1e-6).  A1 gives 1,000,000 whatever
    # happens; B1 (output 7, 9 of 10 on post) reaches c = 1 with its one worker back on the only bus:
    # 1,000,007 with the bus, 1,000,006.3 without it >= 1,000,007 (1 - 1e-6) = 1,000,006.000007.
    # Stage 3's optimum is 0 units; the tool (full/auto, HiGHS and SCIP) says "optimal 1, bound 1".
    "stage3-bus": ([_firm("A1", "other", 10, 10, output="1000000"),
                    _firm("B1", "other", 10, 9, away=1, origin="O1", output="7")],
                   _scenario(buses=1)),
    # The same with a box: q = 1, A1 holds 10 masks for its 10 staff (c = 1); B1 (output 1.4) holds 5
    # (c = 0.5) and one box of 10 brings it to 1: 1,000,001.4 with it, 1,000,000.7 without, above the
    # hold 1,000,000.3999986.  Optimum 0 units; the tool (every mode) says "optimal 1, bound 1".
    "stage3-box": ([_firm("A1", "other", 10, 10, output="1000000", masks_in_stock=10, electricity_recovery="0.5"),
                    _firm("B1", "other", 10, 10, output="1.4", masks_in_stock=5)],
                   _scenario(masks=10, q=1)),
    # Stage 1 accepts 1e-6 absolute as "optimal" (the SPEC: 1e-8) and reports the plan's value as
    # its bound.  dyeing = {F1} (c = r/1), fibre = {F2: c = 0 forever (nobody on post), output 10**7;
    # F3: c = 1, output 7}: fibre = 7 / 10,000,007 = 6.99999510e-7 whatever happens, dyeing = 1 with
    # F1's worker on the bus, 0 without.  Optimum 6.99999510e-7; the tool (HiGHS, every mode) says
    # "optimal 0.0, bound -0.0".
    "stage1-bus": ([_firm("F1", "dyeing", 1, 0, away=1, origin="O1"),
                    _firm("F2", "fibre", 1, 0, output="10000000"),
                    _firm("F3", "fibre", 1, 1, output="7")],
                   _scenario(buses=1, links=["dyeing", "fibre"])),
    # Stage 2 proves against z1 >= z1_plan - 7e-7, not - 1e-6.  dyeing = (7 r2/12) / 625,006 (F3's
    # 624,999 never runs: nobody on post); stage 1 puts both buses on F2: 14/12/625,006 = 1.8666e-6.
    # The SPEC's hold 8.666e-7 admits one bus each for F1 and F2 (dyeing 9.333e-7): output 7 * 1/2 +
    # 7/12 = 49/12 = 4.0833, against 14/12 = 1.1667 with both on F2.  The tool (full/auto, HiGHS and
    # SCIP) says "optimal 1.1667, bound 1.1667"; guided says "feasible" with bound 3.354 < 4.0833.
    "stage2-bus": ([_firm("F1", "other", 2, 0, away=2, origin="O1", output="7"),
                    _firm("F2", "dyeing", 12, 0, away=4, origin="O1", output="7"),
                    _firm("F3", "dyeing", 1, 0, output="624999")],
                   _scenario(buses=2, links=["dyeing"])),
    # A guided stage 1 bound below a plan's value (no "optimal" claimed, but the bound is false).
    # q = 3, three boxes, two buses of one seat.  dyeing = {F1}: one worker back and one box
    # (3 masks needed) -> 1.  fibre = {F2: c = 0, output 10**7; F3: 5 of 7 on post, output 7}: F3's
    # second bus brings 6/7 on post and two boxes (18 masks) -> c = 6/7, fibre = 6 / 10,000,007 =
    # 5.9999958e-7: the optimum.  Guided HiGHS reports "feasible 0.0" with bound 4.9999965e-7.
    "stage1-guided-bound": ([_firm("F1", "dyeing", 1, 0, away=1, origin="O1"),
                             _firm("F2", "fibre", 1, 0, output="10000000"),
                             _firm("F3", "fibre", 7, 5, away=2, origin="O2", output="7")],
                            _scenario(masks=36, buses=2, q=3, links=["dyeing", "fibre"])),
}


@pytest.mark.parametrize("solver", ["highs", "scip"])
@pytest.mark.parametrize("search", ["full", "auto", "guided"])
@pytest.mark.parametrize("name", list(KNOWN))
def test_known_counterexamples(name, search, solver, tmp_path):
    rows, scenario = KNOWN[name]
    o = Oracle(rows, scenario)
    result = solve_case(rows, scenario, tmp_path, rel_gap=1e-9, search=search, solver=solver)
    broken = judge(o, result, 1e-9)
    assert not broken, "\n".join(broken)


def test_known_counterexamples_are_what_the_comments_say():
    """The oracle agrees with the hand derivations above."""
    o = Oracle(*KNOWN["stage3-bus"])
    assert o.stage2_optimum()[0] == 1000007 and o.stage3_optimum(None, 1000007.0)[0] == 0
    o = Oracle(*KNOWN["stage3-box"])
    assert o.stage2_optimum()[0] == Fraction("1000001.4") and o.stage3_optimum(None, 1000001.4)[0] == 0
    o = Oracle(*KNOWN["stage1-bus"])
    assert o.stage1_optimum()[0] == Fraction(7, 10000007)
    o = Oracle(*KNOWN["stage2-bus"])
    z1 = o.stage1_optimum()[0]
    assert z1 == Fraction(14, 12 * 625006)
    assert o.stage2_optimum(float(z1))[0] == Fraction(49, 12)
    o = Oracle(*KNOWN["stage1-guided-bound"])
    assert o.stage1_optimum()[0] == Fraction(6, 10000007)
