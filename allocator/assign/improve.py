"""A local search on stage 3's plans: fewer parks per person, the same firms served.

Every move keeps who is served (so stages 1 and 2 hold exactly) and every rule (fields,
capacities, leaders untouched); it only changes who serves them:

* absorb: the firms one person serves in a park are taken over by people already serving
  that park who have room (that person's piece of the park disappears);
* move: the piece goes whole to someone for whom the park costs less (their home park, or a
  district-wide person), with room for it.

It is a heuristic that gives stage 3's search a good start; the proof is the model's.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from allocator.assign.plan import Plan
from allocator.assign.problem import AssignProblem


def improve(problem: AssignProblem, plan: Plan, seconds: float = 2.0) -> Plan:
    """Apply absorb and move until none helps or ``seconds`` have passed."""
    staff, park = problem.staff, problem.instance.park
    server = plan.server.copy()
    pieces: dict[tuple[int, str], list[int]] = defaultdict(list)  # (person, park) -> firms
    for i in np.flatnonzero(server >= 0).tolist():
        pieces[int(server[i]), park[i]].append(i)
    room = {j: p.most_firms for j, p in enumerate(staff)}
    at: dict[str, set[int]] = defaultdict(set)  # park -> people serving it
    for (j, p), firms in pieces.items():
        room[j] -= len(firms)
        at[p].add(j)
    cheap: dict[str, list[int]] = defaultdict(list)  # park -> non-leaders for whom it costs 1
    district = [j for j, w in enumerate(staff) if not w.leader and w.district_wide]
    for j, w in enumerate(staff):
        if not w.leader and not w.district_wide:
            cheap[w.park].append(j)

    def cost(j: int, p: str) -> int:
        w = staff[j]
        return 1 if w.district_wide or w.park == p else 2

    def give(i: int, k: int) -> None:
        server[i] = k
        pieces[k, park[i]].append(i)
        room[k] -= 1
        at[park[i]].add(k)

    deadline = time.perf_counter() + seconds
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for (j, p) in sorted(pieces, key=lambda jp: (len(pieces[jp]), jp)):
            firms = pieces.get((j, p))
            if not firms or staff[j].leader:
                continue
            plan_of = _absorb(problem, firms, [k for k in at[p] if k != j and not staff[k].leader], room)
            if plan_of is None:
                gain, target = 0, None
                for k in cheap.get(p, []) + district:
                    if k != j and (k, p) not in pieces and room[k] >= len(firms) and cost(j, p) - cost(k, p) > gain \
                            and all(problem.can_serve(staff[k], i) for i in firms):
                        gain, target = cost(j, p) - cost(k, p), k
                        break
                if target is None:
                    continue
                plan_of = {i: target for i in firms}
            del pieces[j, p]
            at[p].discard(j)
            room[j] += len(firms)
            for i, k in plan_of.items():
                give(i, k)
            improved = True
    for key in [key for key, firms in pieces.items() if not firms]:
        del pieces[key]
    return Plan(server)


def _absorb(problem: AssignProblem, firms: list[int], others: list[int], room: dict[int, int]) -> dict[int, int] | None:
    """Firms -> people already in the park with room for them, or None if some firm finds nobody."""
    left = dict(room)
    out = {}
    staff = problem.staff
    for i in firms:
        k = next((k for k in sorted(others, key=lambda k: -left[k]) if left[k] > 0 and problem.can_serve(staff[k], i)),
                 None)
        if k is None:
            return None
        out[i] = k
        left[k] -= 1
    return out
