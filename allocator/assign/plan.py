"""An assignment plan (who serves which firm), its evaluation, and a first plan built by hand rules.

:func:`evaluate` recomputes the three stage values from the plan alone (exactly: stage 2 as
a fraction) and lists every broken rule of the SPEC; every figure the tool reports about
an assignment comes from here, never from a solver's objective.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from allocator.assign.model import ClassPlan
from allocator.assign.problem import AssignProblem
from allocator.assign.structure import Structure


@dataclass(frozen=True, eq=False)
class Plan:
    """Per firm (input order), the index of the commissioner serving it in the staff file, or -1."""

    server: np.ndarray

    @classmethod
    def empty(cls, problem: AssignProblem) -> Plan:
        return cls(np.full(len(problem), -1, dtype=np.int64))

    def firms_of(self) -> dict[int, list[int]]:
        """Per commissioner, the firms they serve (input order)."""
        out: dict[int, list[int]] = defaultdict(list)
        for i in np.flatnonzero(self.server >= 0).tolist():
            out[int(self.server[i])].append(i)
        return out


@dataclass(frozen=True)
class Values:
    """The three stage values of a plan, recomputed, and every rule it breaks."""

    leaders_on_key: int  # stage 1
    priority: Fraction  # stage 2: sum of pi over served firms, exact
    parks: int  # stage 3: sum over people of the parks they serve (away from home counting 2)
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def park_cost(problem: AssignProblem, person: int, parks: set[str]) -> int:
    """What one person's parks count in stage 3: 1 each at home or district-wide, 2 each away."""
    who = problem.staff[person]
    return sum(1 if who.district_wide or p == who.park else 2 for p in parks)


def evaluate(problem: AssignProblem, plan: Plan) -> Values:
    park, staff = problem.instance.park, problem.staff
    broken: list[str] = []
    leaders_on_key, priority, parks = 0, Fraction(0), 0
    for j, firms in sorted(plan.firms_of().items()):
        if not 0 <= j < len(staff):
            broken.append(f"firms assigned to commissioner #{j}, who is not in the file")
            continue
        who = staff[j]
        for i in firms:
            if who.field not in problem.fields[i]:
                broken.append(f"{who.commissioner_id} ({who.field}) serves {problem.instance.enterprise_id[i]}, "
                              f"whose chain link {problem.instance.chain_link[i]!r} that field may not serve")
            if who.leader and not problem.key[i]:
                broken.append(f"leader {who.commissioner_id} serves {problem.instance.enterprise_id[i]}, not a key firm")
        if len(firms) > who.most_firms:
            broken.append(f"{who.commissioner_id} serves {len(firms)} firms, more than {who.most_firms}")
        if who.leader:
            leaders_on_key += sum(1 for i in firms if problem.key[i])
        priority += sum((problem.pi[i] for i in firms), Fraction(0))
        parks += park_cost(problem, j, {park[i] for i in firms})
    return Values(leaders_on_key, priority, parks, tuple(broken))


def first_plan(st: Structure, plan: ClassPlan) -> Plan:
    """A plan with the class plan's counts, built by hand rules: leaders to key firms (at home
    first), each field's firms to the people of their park first, the rest to whoever has
    room (district-wide people first, then idle people, then leftovers).  Always feasible."""
    problem = st.problem
    park = problem.instance.park
    out = Plan.empty(problem)
    by_field: dict[str, list[int]] = defaultdict(list)
    by_leaders: dict[str, list[int]] = defaultdict(list)
    for k in range(len(st.kinds)):
        served = sorted(plan.served(st, k), key=lambda i: (park[i], i))
        quotas = [(f, v, True) for (f, kk), v in sorted(plan.l.items()) if kk == k and v]
        quotas += [(f, v, False) for (f, kk), v in sorted(plan.x.items()) if kk == k and v]
        at = 0
        for f, v, lead in quotas:
            (by_leaders if lead else by_field)[f] += served[at:at + v]
            at += v
    for f, firms in by_leaders.items():
        _seat_leaders(problem, out, f, firms)
    for f, firms in by_field.items():
        _seat_field(problem, out, f, firms)
    return out


def _seat_leaders(problem: AssignProblem, out: Plan, f: str, firms: list[int]) -> None:
    park = problem.instance.park
    free = [j for j, p in enumerate(problem.staff) if p.leader and p.field == f]
    for i in sorted(firms, key=lambda i: (park[i], i)):
        best = min(free, key=lambda j: (0 if problem.staff[j].park == park[i] else
                                        1 if problem.staff[j].district_wide else 2, j))
        free.remove(best)
        out.server[i] = best


def _seat_field(problem: AssignProblem, out: Plan, f: str, firms: list[int]) -> None:
    park, staff = problem.instance.park, problem.staff
    people = [j for j, p in enumerate(staff) if not p.leader and p.field == f]
    room = {j: staff[j].capacity for j in people}
    waiting: dict[str, list[int]] = defaultdict(list)
    for i in sorted(firms, key=lambda i: (park[i], i)):
        waiting[park[i]].append(i)
    for p, queue in waiting.items():  # home people first, the largest first
        for j in sorted((j for j in people if staff[j].park == p), key=lambda j: (-room[j], j)):
            take = min(room[j], len(queue))
            for i in queue[:take]:
                out.server[i] = j
            del queue[:take]
            room[j] -= take
    touched: dict[int, set[str]] = defaultdict(set)
    for p in sorted(waiting, key=lambda p: (-len(waiting[p]), p)):
        queue = waiting[p]
        while queue:
            j = min((j for j in people if room[j] > 0), key=lambda j: _preference(staff[j], room[j], len(queue), j))
            take = min(room[j], len(queue))
            for i in queue[:take]:
                out.server[i] = j
            del queue[:take]
            room[j] -= take
            touched[j].add(p)


def _preference(person, room: int, need: int, j: int) -> tuple:
    """District-wide people first (a park costs them 1), then idle people who can take it all."""
    fits = room >= need
    idle = room == person.capacity
    return (0 if person.district_wide else 1, 0 if fits else 1, 0 if idle else 1, room if fits else -room, j)
