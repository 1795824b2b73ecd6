"""The figures of a week's plan as plain data: summary.json, the report, the HTML page and what-if KPIs.

The totals over the week are shown as ``solve`` shows a day (recovery before -> after,
per tier, link and park; reasons; warnings), through the one-day summary of a view of
the plan at the end of the week; the week adds the days (arrivals, stores, what each day
hands out, recoveries per day), deliveries by park and day, the day-by-day baseline and
the week's gain over it.  Everything is recomputed from the plan's integer decisions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.allocation import Allocation, Evaluation
from allocator.analysis.summary import summarize
from allocator.plan.evaluation import Plan, PlanEvaluation
from allocator.plan.result import PlanResult
from allocator.problem import recovery
from allocator.result import Result


def exported_plan(result: PlanResult, day_by_day: bool) -> tuple[Plan, PlanEvaluation]:
    """The plan an export carries: the week's, or with --day-by-day the baseline."""
    if day_by_day and result.baseline is not None:
        return result.baseline.plan, result.baseline.evaluation
    return result.plan, result.evaluation


def end_of_week(result: PlanResult, plan: Plan, check: PlanEvaluation) -> Result:
    """The plan seen as ``solve`` sees a day: what each firm holds at the end, capacity then."""
    h = result.horizon
    p = h.problem
    last = plan.day(-1)
    start = h.start
    totals = Allocation(last.boxes - start.boxes, last.passes - start.passes, last.returned - start.returned,
                        plan.buses.sum(axis=0))
    links_after = {link: float(values[-1]) for link, values in check.links.items()}
    evaluation = Evaluation(p.c_before, check.c[-1], {link: recovery(p, link, p.c_before) for link in p.links},
                            links_after, float(check.lowest[-1]) if check.lowest is not None else None,
                            float(check.output[-1]), check.resources_used, check.violations)
    seated = result.seats_filled if plan is result.plan else 0
    return Result(p, result.options, totals, evaluation, result.stages, result.timings, result.notes, seated)


def summarize_plan(result: PlanResult, day_by_day: bool = False) -> dict[str, Any]:
    plan, check = exported_plan(result, day_by_day)
    h = result.horizon
    p = h.problem
    out = summarize(end_of_week(result, plan, check))
    out["command"] = "plan"
    out["days"] = h.days
    out["arrivals"] = h.arrivals.to_dict()
    out["exported"] = "day-by-day" if day_by_day else "week"
    out["values"] = _values(check)
    out["supplies"] = _supplies(result, plan, check)
    weights = p.weight * p.instance.output_value
    out["weighted_output"] = {"before": float(h.days * (weights @ p.c_before)), "after": check.weighted_output}
    out["daily"] = daily(result, plan, check)
    out["parks_by_day"] = parks_by_day(result, plan)
    out["baseline"] = _baseline(result)
    out["gain"] = _gain(result)
    out["interrupted"] = result.interrupted
    return out


def _values(check: PlanEvaluation) -> dict[str, Any]:
    return {"1": check.min_link, "2": check.weighted_output, "3": check.resources_used}


def _supplies(result: PlanResult, plan: Plan, check: PlanEvaluation) -> dict[str, Any]:
    h = result.horizon
    sup = h.problem.scenario.supply
    boxes = int(check.used["boxes"].sum())
    masks = int(h.masks[-1])
    passes, buses, seats = int(check.used["passes"].sum()), int(check.used["buses"].sum()), int(check.used["seats"].sum())
    return {
        "boxes": {"supply": int(h.boxes[-1]), "used": boxes, "left": int(h.boxes[-1]) - boxes},
        "masks": {"supply": masks, "used": boxes * sup.mask_pack, "left": masks - boxes * sup.mask_pack},
        "passes": {"supply": int(h.passes[-1]), "used": passes, "left": int(h.passes[-1]) - passes},
        "buses": {"supply": int(h.buses.sum()), "used": buses, "left": int(h.buses.sum()) - buses},
        "seats": {"offered": buses * sup.bus_seats, "used": seats, "empty": buses * sup.bus_seats - seats},
    }


def daily(result: PlanResult, plan: Plan, check: PlanEvaluation) -> list[dict[str, Any]]:
    """One entry per day: arrivals, what is in store, handed out, left, recoveries and output."""
    h = result.horizon
    p = h.problem
    pack = p.scenario.supply.mask_pack
    values = p.instance.output_value
    out = []
    for k, day in enumerate(h.day_numbers):
        held_boxes, held_passes = int(plan.boxes[k].sum()), int(plan.passes[k].sum())
        out.append({
            "day": day,
            "arrived": {kind: int(h.arrived[kind][k]) for kind in ("masks", "passes", "buses")},
            "store": {"masks": int(h.masks[k]), "boxes": int(h.boxes[k]), "passes": int(h.passes[k]),
                      "buses": int(h.buses[k])},
            "handed_out": {"boxes": int(check.used["boxes"][k]), "masks": int(check.used["boxes"][k]) * pack,
                           "passes": int(check.used["passes"][k]), "buses": int(check.used["buses"][k]),
                           "workers": int(check.used["seats"][k])},
            "left": {"masks": int(h.masks[k]) - pack * held_boxes, "boxes": int(h.boxes[k]) - held_boxes,
                     "passes": int(h.passes[k]) - held_passes, "buses": int(h.buses[k] - check.used["buses"][k])},
            "recovery": float(values @ check.c[k] / values.sum()),
            "links": {link: float(v[k]) for link, v in check.links.items()},
            "lowest_link": float(check.lowest[k]) if check.lowest is not None else None,
            "weighted_output": float(check.output[k]),
        })
    return out


def parks_by_day(result: PlanResult, plan: Plan) -> list[dict[str, Any]]:
    """Per day, each park that receives something: enterprises served, boxes, passes, workers back."""
    h = result.horizon
    inst = h.problem.instance
    boxes, passes, riders = plan.daily(h.start)
    names, park = np.unique(inst.park.astype(str), return_inverse=True)
    out = []
    for k, day in enumerate(h.day_numbers):
        served = (boxes[k] > 0) | (passes[k] > 0) | (riders[k] > 0)
        sums = [np.bincount(park, weights=x, minlength=len(names)) for x in (served, boxes[k], passes[k], riders[k])]
        for j in np.flatnonzero(sums[0] > 0):
            out.append({"day": day, "park": str(names[j]), "enterprises": int(sums[0][j]), "boxes": int(sums[1][j]),
                        "passes": int(sums[2][j]), "workers": int(sums[3][j])})
    return out


def _baseline(result: PlanResult) -> dict[str, Any] | None:
    base = result.baseline
    if base is None:
        return None
    return {"values": _values(base.evaluation), "proven": base.proven, "worst_gap": base.worst_gap,
            "days": [{"day": run.day, "seconds": round(run.seconds, 3), "stages": [stage_fields(s) for s in run.stages]}
                     for run in base.days]}


def stage_fields(stage) -> dict[str, Any]:
    """One stage's claim as summary.json writes it (the same fields as ``solve``'s)."""
    return {"stage": stage.stage, "objective": stage.name, "sense": stage.sense, "status": stage.status.value,
            "value": stage.value, "bound": stage.bound, "gap": stage.gap, "nodes": stage.nodes,
            "seconds": round(stage.seconds, 3), "note": stage.note}


def _gain(result: PlanResult) -> dict[str, Any] | None:
    """What the week's plan gains over day by day, in each stage's own terms."""
    base = result.baseline
    if base is None:
        return None
    week, by_day = result.evaluation, base.evaluation
    lowest = None if week.min_link is None else week.min_link - by_day.min_link
    return {"lowest_link_days": lowest, "weighted_output_days": week.weighted_output - by_day.weighted_output,
            "units": week.resources_used - by_day.resources_used}
