"""Tiny assignment problems built in memory (no allocation solve: nothing is handed out, so
c_after = c_before), and the three stages found by enumerating every assignment."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
from hypothesis import strategies as hs

from allocator.allocation import Allocation, evaluate
from allocator.assign.problem import AssignProblem
from allocator.assign.staff import parse_staff
from allocator.data.reading import parse_records
from allocator.data.scenario import load_scenario
from allocator.options import SolveOptions
from allocator.problem import Problem
from allocator.result import Result

FIRM_HEADER = ["enterprise_id", "park", "chain_link", "tier", "employees", "on_post", "electricity_recovery",
               "masks_in_stock", "output_value"]
STAFF_HEADER = ["commissioner_id", "field", "park", "capacity", "leader"]


def build(firms: list[tuple], people: list[tuple], key_firms: int) -> AssignProblem:
    """firms: (park, link, tier, employees, on_post, output); people: (field, park, capacity, leader)."""
    records = [[f"F{k}", p, link, tier, str(e), str(on), "0.5", str(14 * e), str(v)]
               for k, (p, link, tier, e, on, v) in enumerate(firms)]
    inst = parse_records(FIRM_HEADER, records, list(range(2, len(records) + 2)), "tiny.csv")
    scenario = load_scenario(None, [f"assign.key_firms={key_firms}"])
    problem = Problem(inst, scenario)
    empty = Allocation.empty(problem)
    result = Result(problem, SolveOptions(), empty, evaluate(problem, empty), ())
    rows = [[f"C{k}", f, p, str(c), "yes" if lead else "no"] for k, (f, p, c, lead) in enumerate(people)]
    staff = parse_staff(STAFF_HEADER, rows, list(range(2, len(rows) + 2)), "people.csv")
    return AssignProblem(result, staff, np.zeros(len(firms), dtype=bool))


def brute_force(problem: AssignProblem) -> tuple[int, Fraction, int]:
    """The lexicographic optimum (stage 1 max, stage 2 max, stage 3 min) over every assignment."""
    staff, park = problem.staff, problem.instance.park
    options = [[-1] + [j for j, w in enumerate(staff) if problem.can_serve(w, i)] for i in range(len(problem))]
    best = None
    for choice in itertools.product(*options):
        load: dict[int, list[int]] = {}
        for i, j in enumerate(choice):
            if j >= 0:
                load.setdefault(j, []).append(i)
        if any(len(firms) > staff[j].most_firms for j, firms in load.items()):
            continue
        z1 = sum(1 for j, firms in load.items() if staff[j].leader for i in firms if problem.key[i])
        z2 = sum((problem.pi[i] for firms in load.values() for i in firms), Fraction(0))
        z3 = sum(1 if staff[j].district_wide or p == staff[j].park else 2
                 for j, firms in load.items() for p in {park[i] for i in firms})
        score = (z1, z2, -z3)
        if best is None or score > best:
            best = score
    return best[0], best[1], -best[2]


PARKS = ["P1", "P2", "P3"]
firm_strategy = hs.tuples(hs.sampled_from(PARKS), hs.sampled_from(["fibre", "market", "trade"]),
                          hs.sampled_from("ABC"), hs.integers(2, 4), hs.integers(0, 4), hs.integers(1, 5))
person_strategy = hs.tuples(hs.sampled_from(["industry", "commerce", "trade"]), hs.sampled_from(["", *PARKS, "P4"]),
                            hs.integers(1, 3), hs.booleans())


def fix(firm: tuple) -> tuple:
    park, link, tier, e, on, v = firm
    return park, link, tier, e, min(on, e), v
