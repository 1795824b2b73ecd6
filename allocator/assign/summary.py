"""The figures of an assignment as plain data: the source of summary.json and of both reports.

Everything is recomputed from the plan (allocator.assign.plan.evaluate), never copied from a
solver.  Unserved firms get a stable reason code:

    no_compatible_field    nobody in the file may serve it (no field of its chain link, or
                           only leaders of its field and it is not a key firm)
    no_capacity_in_reach   someone may serve it, but every such person's capacity went to
                           firms the rules put first (key firms, then pain and tier)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from allocator import __version__
from allocator.assign import Run
from allocator.data.scenario import ASSIGN_FIELDS

REASONS = ("no_compatible_field", "no_capacity_in_reach")


def unserved_reasons(run: Run) -> np.ndarray:
    """Per firm: '' when served, else its reason code."""
    problem, plan = run.assignment.problem, run.assignment.plan
    out = np.full(len(problem), "", dtype=object)
    unserved = plan.server < 0
    out[unserved & ~problem.servable] = "no_compatible_field"
    out[unserved & problem.servable] = "no_capacity_in_reach"
    return out


def parks_of(run: Run) -> list[list[str]]:
    """Per commissioner (file order), the parks they serve, sorted."""
    park = run.assignment.problem.instance.park
    firms = run.assignment.plan.firms_of()
    return [sorted({park[i] for i in firms.get(j, [])}) for j in range(len(run.assignment.problem.staff))]


def summarize(run: Run, allocation_summary: dict[str, Any]) -> dict[str, Any]:
    result = run.assignment
    problem, plan, values = result.problem, result.plan, result.values
    staff, inst = problem.staff, problem.instance
    firms_of = plan.firms_of()
    why = unserved_reasons(run)
    key = np.flatnonzero(problem.key)
    by_leader = sum(1 for i in key if plan.server[i] >= 0 and staff[int(plan.server[i])].leader)
    served_key = sum(1 for i in key if plan.server[i] >= 0)
    spread = Counter(len(p) for p in parks_of(run))
    return {
        "allocator_version": __version__,
        "command": "assign",
        "instance": {"file": inst.source, "sha256": inst.sha256, "enterprises": len(inst)},
        "commissioners": {"file": staff.source, "sha256": staff.sha256, "people": len(staff),
                          "leaders": sum(p.leader for p in staff), "district_wide": sum(p.district_wide for p in staff)},
        "scenario": problem.scenario.to_dict(),
        "allocation": {k: allocation_summary[k] for k in ("status", "proven", "solver", "plan", "stages",
                                                          "recovery", "weighted_output")},
        "status": overall_status(result),
        "proven": result.proven,
        "stages": [_stage(s) for s in result.stages],
        "values": {"leaders_on_key_firms": values.leaders_on_key, "priority": float(values.priority),
                   "priority_exact": f"{values.priority.numerator}/{values.priority.denominator}",
                   "parks": values.parks},
        "key_firms": {"total": int(len(key)), "by_leader": by_leader, "by_other": served_key - by_leader,
                      "unserved": int(len(key)) - served_key},
        "fields": _fields(run, firms_of),
        "firms": {"served": int((plan.server >= 0).sum()), "unserved": {code: int((why == code).sum()) for code in REASONS}},
        "parks_per_person": {str(k): spread[k] for k in sorted(spread)},
        "warnings": warnings(run),
        "notes": list(result.notes),
        "violations": list(values.violations),
        "timings": {"allocation": round(run.seconds, 3), **{k: round(v, 3) for k, v in result.timings.items()}},
    }


def overall_status(result) -> str:
    """The weakest stage status."""
    order = ["no solution", "time limit", "work limit", "feasible", "within gap", "optimal"]
    statuses = [s.status.value for s in result.stages if s.status.value in order]
    return min(statuses, key=order.index) if statuses else "optimal"


def warnings(run: Run) -> list[dict[str, Any]]:
    from allocator.output.words import t

    return [{**w, "text": t(w["code"], "en", **{k: v for k, v in w.items() if k != "code"})}
            for w in run.assignment.problem.warnings()]


def _stage(stage) -> dict[str, Any]:
    return {"stage": stage.stage, "objective": stage.name, "sense": stage.sense, "status": stage.status.value,
            "value": stage.value, "bound": stage.bound, "gap": stage.gap, "nodes": stage.nodes,
            "seconds": round(stage.seconds, 3), "note": stage.note}


def _fields(run: Run, firms_of: dict[int, list[int]]) -> dict[str, dict[str, int]]:
    problem = run.assignment.problem
    out = {}
    for f in ASSIGN_FIELDS:
        people = [j for j, p in enumerate(problem.staff) if p.field == f]
        compatible = sum(1 for fields in problem.fields if f in fields)
        if not people and not compatible:
            continue
        out[f] = {
            "people": len(people),
            "leaders": sum(problem.staff[j].leader for j in people),
            "capacity": sum(problem.staff[j].most_firms for j in people),
            "firms_compatible": compatible,
            "firms_served": sum(len(firms_of.get(j, [])) for j in people),
            "people_serving": sum(1 for j in people if firms_of.get(j)),
        }
    return out
