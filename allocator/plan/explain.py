"""Why did my enterprise get it on that day: a firm's week, and why nothing came earlier.

For every day the firm receives something after the plan's first day, each kind is
explained by the first of these that holds (all recomputed from the plan):

    workers   boxes on the day its workers came back, which its cap did not allow before
              (its stock already covered the staff on post: the no-waste rule);
    store     every box (pass) in store was handed out on the day before;
    no bus    workers: no charter bus ran on any earlier day;
    ranked    otherwise the earlier store (or buses) went where the rules valued it more
              over the week (chain balance first, then weighted output-days).

Counterfactuals (re-solving with one thing changed) are ``solve``'s explain; a week's
explanation reads the plan only.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.analysis.reasons import reasons
from allocator.data.instance import Enterprise
from allocator.plan.export import day_stops
from allocator.plan.result import PlanResult
from allocator.plan.summary import end_of_week
from allocator.problem import mask_cap


@dataclass(frozen=True)
class Day:
    """What the firm receives on one day, and its capacity at the end of it."""

    day: int
    boxes: int
    passes: int
    returned: int
    bus_ids: tuple[str, ...]
    c: float


@dataclass(frozen=True)
class Why:
    """One reason something came on ``day`` and not earlier: a code and its fields."""

    code: str  # first | workers | store | ranked | no_bus | bus_elsewhere | nothing
    day: int
    what: str = ""  # boxes | passes | workers
    before: int = 0
    reason: str = ""  # the week's reason code when the firm received nothing


@dataclass(frozen=True)
class PlanExplanation:
    enterprise: Enterprise
    eligible: bool
    threshold: float
    c_before: float
    c_best: float
    days: tuple[Day, ...]
    why: tuple[Why, ...]


def explain_plan(result: PlanResult, enterprise_id: str) -> PlanExplanation:
    """One firm's week; KeyError if the id is not in the instance."""
    h, plan = result.horizon, result.plan
    p = h.problem
    i = p.instance.index_of(enterprise_id)
    boxes, passes, riders = plan.daily(h.start)
    buses = {day: sorted({stop.bus_id for stop in stops if stop.enterprise == i}) for day, stops in day_stops(result, plan)}
    days = tuple(Day(day, int(boxes[k][i]), int(passes[k][i]), int(riders[k][i]), tuple(buses[day]),
                     float(result.evaluation.c[k][i])) for k, day in enumerate(h.day_numbers))
    tier = str(p.instance.tier[i])
    return PlanExplanation(p.instance.enterprise(i), bool(p.eligible[i]), p.scenario.threshold(tier),
                           float(p.c_before[i]), float(p.c_max[i]), days, tuple(_why(result, i, days)))


def _why(result: PlanResult, i: int, days: tuple[Day, ...]) -> list[Why]:
    h, plan = result.horizon, result.plan
    p = h.problem
    received = [d for d in days if d.boxes or d.passes or d.returned]
    if not received:
        code = str(reasons(p, end_of_week(result, plan, result.evaluation).allocation)[i])
        return [Why("nothing", h.first, reason=code)]
    if all(d.day == h.first for d in received):
        return [Why("first", h.first)]
    out = []
    for d in received:
        if d.day == h.first:
            continue
        k = d.day - h.first
        if d.boxes:
            out.append(_why_stored(h, plan, "boxes", d.day, k, plan.boxes[k - 1][i] >= mask_cap(p, plan.returned[k - 1])[i]))
        if d.passes:
            out.append(_why_stored(h, plan, "passes", d.day, k, False))
        if d.returned:
            earlier = h.buses[:k]
            out.append(Why("no_bus" if not earlier.any() else "bus_elsewhere", d.day, "workers"))
    return out


def _why_stored(h, plan, kind: str, day: int, k: int, capped: bool) -> Why:
    """Boxes or passes on day ``day`` (position k): the cap, an empty store the day before, or the ranking."""
    if capped:
        return Why("workers", day, kind)
    held = getattr(plan, kind)[k - 1].sum()
    store = getattr(h, kind)[k - 1]
    if held >= store:
        return Why("store", day, kind, before=day - 1)
    return Why("ranked", day, kind)

