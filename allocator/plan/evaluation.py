"""A week's plan and its evaluation, independent of any solver.

:func:`evaluate` recomputes, from the integer decisions alone, every daily store, every
day's seat count, each c_id, each link's recovery per day and the three stage values,
and lists every violated rule of the SPEC's "A week's plan".  Every figure the tool
reports about a plan comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.plan.problem import Horizon, Levels
from allocator.problem import capacity, mask_cap, recovery


@dataclass(frozen=True, eq=False)
class Plan:
    """Cumulative decisions per day of the horizon (row k = after day first + k) and buses per day."""

    boxes: np.ndarray  # (days, firms): B_id, boxes received up to and including day d
    passes: np.ndarray  # (days, firms): Pi_id
    returned: np.ndarray  # (days, firms): R_id
    buses: np.ndarray  # (days, groups): y_okd, the day's charter trips per (origin, park)

    @classmethod
    def nothing(cls, horizon: Horizon) -> Plan:
        """Nothing handed out over the horizon: every day holds what the firms held before it."""
        s, days = horizon.start, horizon.days
        return cls(*(np.tile(x, (days, 1)) for x in (s.boxes, s.passes, s.returned)),
                   np.zeros((days, horizon.groups), dtype=np.int64))

    @classmethod
    def initial(cls, horizon: Horizon) -> Plan:
        """Nothing handed out, except that each tier's reserve of each day is met (in input order)
        from what its eligible members hold before: the first plan every search can start from."""
        plan = cls.nothing(horizon)
        p = horizon.problem
        cap = mask_cap(p, horizon.start.returned)
        for tier in horizon.reserved_tiers():
            members = np.flatnonzero((p.instance.tier == tier) & p.eligible)
            held = horizon.start.boxes[members]
            room = np.maximum(cap[members] - held, 0)
            before = np.concatenate([[0], np.cumsum(room)[:-1]])
            for k in range(horizon.days):
                need = min(int(horizon.reserve[tier][k]), int(cap[members].sum())) - int(held.sum())
                plan.boxes[k, members] = held + np.clip(need - before, 0, room)
        return plan

    def day(self, k: int) -> Levels:
        return Levels(self.boxes[k], self.passes[k], self.returned[k])

    def daily(self, start: Levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What each day hands out (boxes, passes, workers returned), from the cumulative amounts."""
        return tuple(np.diff(np.vstack([first, cum]), axis=0)
                     for first, cum in ((start.boxes, self.boxes), (start.passes, self.passes),
                                        (start.returned, self.returned)))

    def then(self, other: Plan) -> Plan:
        """This plan followed by ``other`` (the next days)."""
        return Plan(*(np.vstack([a, b]) for a, b in zip(self.arrays(), other.arrays(), strict=True)))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.boxes, self.passes, self.returned, self.buses


@dataclass(frozen=True, eq=False)
class PlanEvaluation:
    """Everything recomputed from a plan."""

    c: np.ndarray  # (days, firms): c_id
    links: dict[str, np.ndarray]  # listed link with members -> R_Ld per day
    lowest: np.ndarray | None  # per day: the lowest listed link (None without stage 1)
    output: np.ndarray  # per day: sum w v c_id
    min_link: float | None  # stage 1: sum over days of the lowest link
    weighted_output: float  # stage 2: weighted output-days
    resources_used: int  # stage 3: boxes + passes + buses over the horizon
    used: dict[str, np.ndarray]  # boxes / passes / buses / seats handed out per day
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(horizon: Horizon, plan: Plan) -> PlanEvaluation:
    """Recompute the stage values and check every rule of the week's plan."""
    p = horizon.problem
    c = np.vstack([capacity(p, plan.boxes[k], plan.passes[k], plan.returned[k]) for k in range(horizon.days)])
    links = {link: np.array([recovery(p, link, c[k]) for k in range(horizon.days)]) for link in p.links}
    lowest = np.min(np.vstack(list(links.values())), axis=0) if p.stage1_active else None
    output = c @ (p.weight * p.instance.output_value)
    boxes, passes, riders = plan.daily(horizon.start)
    used = {"boxes": boxes.sum(axis=1), "passes": passes.sum(axis=1), "buses": plan.buses.sum(axis=1),
            "seats": riders.sum(axis=1)}
    units = int(used["boxes"].sum() + used["passes"].sum() + used["buses"].sum())
    return PlanEvaluation(c, links, lowest, output, float(lowest.sum()) if lowest is not None else None,
                          float(output.sum()), units, used, tuple(_violations(horizon, plan)))


def _violations(horizon: Horizon, plan: Plan) -> list[str]:
    p = horizon.problem
    inst, sc = p.instance, p.scenario
    out: list[str] = []

    def firms(mask: np.ndarray) -> str:
        ids = inst.enterprise_id[np.flatnonzero(mask)[:5]].tolist()
        return ", ".join(ids) + (" ..." if mask.sum() > 5 else "")

    shapes = {"boxes": (horizon.days, len(p)), "passes": (horizon.days, len(p)), "returned": (horizon.days, len(p)),
              "buses": (horizon.days, horizon.groups)}
    for name, shape in shapes.items():
        if getattr(plan, name).shape != shape:
            return [f"{name} has shape {getattr(plan, name).shape}, not {shape}"]
    daily = dict(zip(("boxes", "passes", "returned workers"), plan.daily(horizon.start), strict=True))
    for label, amounts in daily.items():
        if (amounts < 0).any():
            k, _ = np.argwhere(amounts < 0)[0]
            out.append(f"{label} taken back on day {horizon.first + k}: {firms((amounts < 0).any(axis=0))}")
    if (plan.buses < 0).any():
        out.append("negative buses")
    for k, day in enumerate(horizon.day_numbers):
        b, pi, r = plan.boxes[k], plan.passes[k], plan.returned[k]
        if (b[~p.eligible] > 0).any():
            out.append(f"day {day}: masks to ineligible enterprises: {firms((b > 0) & ~p.eligible)}")
        cap = mask_cap(p, r)
        over = b > cap
        if over.any():
            out.append(f"day {day}: boxes above the no-waste cap: {firms(over)}")
        for label, used, store in (("boxes", int(b.sum()), horizon.boxes[k]), ("passes", int(pi.sum()), horizon.passes[k]),
                                   ("buses", int(plan.buses[k].sum()), horizon.buses[k])):
            if used > store:
                out.append(f"day {day}: {label} handed out {used} > {store} in store")
        out.extend(_seat_violations(horizon, plan, k, daily["returned workers"][k]))
        out.extend(_reserve_violations(horizon, b, cap, k))
    if (plan.passes[-1] > inst.trucks_needed).any():
        out.append(f"more passes than trucks: {firms(plan.passes[-1] > inst.trucks_needed)}")
    if (plan.returned[-1] > inst.workers_away).any():
        out.append(f"more workers returned than away: {firms(plan.returned[-1] > inst.workers_away)}")
    return out


def _seat_violations(horizon: Horizon, plan: Plan, k: int, riders: np.ndarray) -> list[str]:
    """The day's riders of each (origin, park) fit the day's buses of that group."""
    p, out = horizon.problem, []
    day = horizon.first + k
    away = riders > 0
    if (away & (p.group < 0)).any():
        out.append(f"day {day}: workers returned by enterprises with nobody away")
    seated = np.bincount(p.group[away & (p.group >= 0)], weights=riders[away & (p.group >= 0)],
                         minlength=horizon.groups)
    over = seated > p.scenario.supply.bus_seats * plan.buses[k]
    for g in np.flatnonzero(over):
        origin, park = p.group_keys[g]
        out.append(f"day {day}: {int(seated[g])} workers from {origin} to {park} but only {int(plan.buses[k][g])} buses")
    return out


def _reserve_violations(horizon: Horizon, boxes: np.ndarray, cap: np.ndarray, k: int) -> list[str]:
    """Each reserved tier holds its reserve of the day, or every eligible member is at its cap."""
    p, out = horizon.problem, []
    for tier in horizon.reserved_tiers():
        reserve = int(horizon.reserve[tier][k])
        members = (p.instance.tier == tier) & p.eligible
        usable = int(cap[members].sum())
        got = int(boxes[members].sum())
        if got < min(reserve, usable):
            out.append(f"day {horizon.first + k}: tier {tier} reserve: {got} boxes < min(reserve {reserve}, "
                       f"usable {usable})")
    return out
