"""Stage 2, exactly: an optimality certificate in fractions, and what it says about stage 3.

Stage 2 on classes (allocator.assign.model) is a maximum-weight flow:

    S -> N_f (field f's non-leaders, capacity K_f)   -> K_k (kind k, f in C_k)  -> T
    S -> H (the leaders: at least z1, at most L)      -> L_f (capacity L_f) -> K_k (k key)
    K_k -> T: one arc per firm of kind k, capacity 1, weight pi_i;   T -> S free

A flow is optimal if and only if its residual graph has no cycle of positive weight (the
firm arcs of one kind collapse to two: serve its best unserved firm, drop its worst
served one).  :func:`certify` looks for such cycles with Bellman-Ford in exact fractions and
pushes one unit round each until none is left, so the plan it returns is optimal without
any rounding (CP-SAT's integer weights only had to get it close).  The final longest-path
distances d are optimal dual prices, and complementary slackness with them describes
**every** optimal plan: an arc of reduced weight w + d(u) - d(v) > 0 is full in every
optimal plan, one < 0 is empty, one = 0 is free.  Stage 3 must keep stage 2's value, so it
may only choose among optimal plans: :class:`Fixings` is that set, exactly, with no pi in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from allocator.assign.model import ClassPlan
from allocator.assign.structure import Structure

S, T, H = "S", "T", "H"


@dataclass
class _Arc:
    tail: object
    head: object
    lower: int
    upper: int | None  # None: unbounded
    weight: Fraction
    flow: int
    tag: tuple


@dataclass
class Fixings:
    """Every plan that keeps stage 2's value (and stage 1's): what each firm, field and arc must do."""

    state: list[int]  # per firm: 1 served in every optimal plan, -1 in none, 0 free
    full: set[str] = field(default_factory=set)  # fields whose non-leaders' capacity is all used
    empty: set[str] = field(default_factory=set)  # fields whose non-leaders serve nobody
    leaders_full: set[str] = field(default_factory=set)
    leaders_empty: set[str] = field(default_factory=set)
    closed: set[tuple[str, int]] = field(default_factory=set)  # (field, kind) a non-leader never serves
    closed_leaders: set[tuple[str, int]] = field(default_factory=set)
    hub: str | None = None  # "max": every leader serves; "min": exactly z1 leaders serve
    nobody: bool = False  # no firm is served in any optimal plan


@dataclass
class Certificate:
    plan: ClassPlan
    value: Fraction  # sum of pi over the served firms, exact
    pushes: int  # units pushed round positive cycles (0: CP-SAT's plan was already optimal)
    fixings: Fixings


def certify(st: Structure, plan: ClassPlan, z1: int) -> Certificate:
    """Make ``plan`` exactly optimal for stage 2 (it must be feasible and hold z1) and prove it."""
    plan = ClassPlan(dict(plan.x), dict(plan.l), [list(c) for c in plan.s])
    pushes = 0
    while True:
        arcs = _arcs(st, plan, z1)
        cycle, distance = _positive_cycle(st, plan, arcs)
        if cycle is None:
            break
        for arc, direction in cycle:
            _push(st, plan, arc, direction)
        pushes += 1
    value = sum((st.group_pi(k, g) * c for k, counts in enumerate(plan.s) for g, c in enumerate(counts)), Fraction(0))
    return Certificate(plan, value, pushes, _fixings(st, arcs, distance))


def _arcs(st: Structure, plan: ClassPlan, z1: int) -> list[_Arc]:
    zero = Fraction(0)
    arcs = []
    for f in st.fields:
        load = sum(v for (g, _), v in plan.x.items() if g == f)
        arcs.append(_Arc(S, ("N", f), 0, st.capacity.get(f, 0), zero, load, ("field", f)))
        led = sum(v for (g, _), v in plan.l.items() if g == f)
        arcs.append(_Arc(H, ("L", f), 0, st.leaders.get(f, 0), zero, led, ("leaders", f)))
    arcs.append(_Arc(S, H, z1, sum(st.leaders.values()), zero, plan.leaders_serving(), ("hub",)))
    for (f, k), v in plan.x.items():
        arcs.append(_Arc(("N", f), ("K", k), 0, None, zero, v, ("x", f, k)))
    for (f, k), v in plan.l.items():
        arcs.append(_Arc(("L", f), ("K", k), 0, None, zero, v, ("l", f, k)))
    served = sum(sum(c) for c in plan.s)
    arcs.append(_Arc(T, S, 0, None, zero, served, ("return",)))
    return arcs


def _residual(st: Structure, plan: ClassPlan, arcs: list[_Arc]) -> list[tuple]:
    edges = []
    for arc in arcs:
        if arc.upper is None or arc.flow < arc.upper:
            edges.append((arc.tail, arc.head, arc.weight, arc, +1))
        if arc.flow > arc.lower:
            edges.append((arc.head, arc.tail, -arc.weight, arc, -1))
    for k, counts in enumerate(plan.s):
        runs = st.groups[k]
        best = next((g for g, c in enumerate(counts) if c < runs[g][1] - runs[g][0]), None)
        worst = next((g for g in reversed(range(len(counts))) if counts[g] > 0), None)
        if best is not None:
            edges.append((("K", k), T, st.group_pi(k, best), ("firm", k), +1))
        if worst is not None:
            edges.append((T, ("K", k), -st.group_pi(k, worst), ("firm", k), -1))
    return edges


def _positive_cycle(st: Structure, plan: ClassPlan, arcs: list[_Arc]):
    """Bellman-Ford for longest paths from a virtual root: a positive cycle, or the distances.

    From the |V|-th pass on, the predecessor graph is searched for a cycle after each pass
    (a cycle there has positive weight); a pass that changes nothing proves there is none."""
    edges = _residual(st, plan, arcs)
    nodes = {u for u, *_ in edges} | {v for _, v, *_ in edges} | {S, T, H}
    distance = {v: Fraction(0) for v in nodes}
    before: dict = {}
    for rounds in range(1, 20 * len(nodes) + 1):
        changed = False
        for edge in edges:
            u, v, w = edge[0], edge[1], edge[2]
            if distance[u] + w > distance[v]:
                distance[v] = distance[u] + w
                before[v] = edge
                changed = True
        if not changed:
            return None, distance
        if rounds >= len(nodes):
            cycle = _predecessor_cycle(before)
            if cycle is not None:
                assert sum((e[2] for e in cycle), Fraction(0)) > 0, "a predecessor cycle of non-positive weight"
                return [(e[3], e[4]) for e in cycle], distance
    raise AssertionError("Bellman-Ford did not settle")


def _predecessor_cycle(before: dict) -> list | None:
    done: set = set()
    for start in before:
        path, seen, at = [], {}, start
        while at in before and at not in done and at not in seen:
            seen[at] = len(path)
            path.append(before[at])
            at = before[at][0]
        done |= set(seen)
        if at in seen:  # the walk closed on itself: the edges from there on form the cycle
            return list(reversed(path[seen[at]:]))
    return None


def _push(st: Structure, plan: ClassPlan, arc, direction: int) -> None:
    if isinstance(arc, tuple):  # a firm arc of kind k: serve the best unserved, or drop the worst served
        k = arc[1]
        counts, runs = plan.s[k], st.groups[k]
        if direction > 0:
            g = next(g for g, c in enumerate(counts) if c < runs[g][1] - runs[g][0])
        else:
            g = next(g for g in reversed(range(len(counts))) if counts[g] > 0)
        counts[g] += direction
        return
    arc.flow += direction
    if arc.tag[0] == "x":
        plan.x[arc.tag[1], arc.tag[2]] += direction
    elif arc.tag[0] == "l":
        plan.l[arc.tag[1], arc.tag[2]] += direction


def _fixings(st: Structure, arcs: list[_Arc], d: dict) -> Fixings:
    def reduced(arc: _Arc) -> Fraction:
        return arc.weight + d.get(arc.tail, Fraction(0)) - d.get(arc.head, Fraction(0))

    out = Fixings(state=[-1] * len(st.problem))
    for arc in arcs:
        rc = reduced(arc)
        kind = arc.tag[0]
        if kind == "field":
            (out.full if rc > 0 else out.empty if rc < 0 else set()).add(arc.tag[1])
        elif kind == "leaders":
            (out.leaders_full if rc > 0 else out.leaders_empty if rc < 0 else set()).add(arc.tag[1])
        elif kind == "hub":
            out.hub = "max" if rc > 0 else "min" if rc < 0 else None
        elif kind == "x" and rc < 0:
            out.closed.add((arc.tag[1], arc.tag[2]))
        elif kind == "l" and rc < 0:
            out.closed_leaders.add((arc.tag[1], arc.tag[2]))
        elif kind == "return":
            out.nobody = rc < 0
    pi = st.problem.pi
    for k, firms in enumerate(st.members):
        node = d.get(("K", k), Fraction(0)) - d.get(T, Fraction(0))
        for i in firms:
            rc = pi[i] + node
            out.state[i] = 1 if rc > 0 else -1 if rc < 0 else 0
    return out
