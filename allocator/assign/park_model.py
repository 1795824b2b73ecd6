"""Stage 3 of the assignment: fewest parks per person, as an exact aggregated CP-SAT model.

Among the plans that keep stages 1 and 2 (allocator.assign.certificate.Fixings: which firms
must, may or must not be served, which fields are full), minimise the parks each person
serves, a park other than the home park counting 2, a district-wide person 1 per park.

Data
    p parks; k kinds; fixed[p,k] firms served in every optimal plan, free[p,k] firms at the
    kind's threshold pi (any number of them may be served, as the totals allow)
    home groups (f, h, c): N people of field f, home park h, capacity c (non-leaders)
    district groups (f, c): N district-wide non-leaders; leader groups (f, h): N leaders
    K_f the largest capacity in field f; a person of capacity c who serves l firms at home
    enters the away graph of field f at node K_f - c + l (what is left: c - l)
Variables
    sigma[p,k]     free firms served                  x[f,p,k]  firms of (p,k) served by field f's non-leaders
    y[f,h,p,k]     key firms of (p,k) served by leaders of group (f,h)
    u[f,h,c,l]     people of home group (f,h,c) who serve l firms at home (l = 0..c)
    g[f,a,s]       away pieces of s firms taken at node a (arc a -> a+s), e[f,a] leaving at a (the rest unused)
    m[f,p,s]       away pieces of s firms at park p;  gz, ez, mz the same for district-wide people
Model
    (1) sum_f x[f,p,k] + sum_(f,h) y[f,h,p,k] = fixed[p,k] + sigma[p,k]
    (2) sum_k x[f,p,k] = sum_(c,l) l u[f,p,c,l] + sum_s s m[f,p,s] + sum_s s mz[f,p,s]
    (3) sum_l u[f,h,c,l] = N(f,h,c)
    (4) flow conservation in field f's away graph: in(a) + arcs into a = arcs out of a, a < K_f,
        in(a) = the people entering at a
    (5) sum_a g[f,a,s] = sum_p m[f,p,s]          pieces taken by people = pieces placed in parks
    (6), (7) the same for district-wide people (entering at K_f - c)
    (8) sum_(p,k) y[f,h,p,k] <= N(f,h)            a leader serves one firm
    (9) the fixings: full fields use all their capacity, full leader fields all their leaders,
        the leaders serve z1 (or all of them) as stage 2's prices say
    min  sum_(l >= 1) u + 2 sum g + sum gz + sum_(f,h,p,k) cost(h,p) y,  cost 1 at home or
         district-wide, 2 elsewhere

Why it is exact.  It is a relaxation: a plan gives each person a home load l and a set of
away pieces at distinct parks other than home (a path of the arc-flow graph), and counts
the same cost.  Conversely, any solution is a plan of no greater cost: decompose each
field's flow into one path per person (flow is conserved), give each person the pieces on
their path, and match pieces to parks size by size (5); a person who receives two pieces in
one park, or a piece in their own home park, merges them, which only lowers the cost.
Hence the two optima are equal and the model's bound is a bound for the plans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from allocator.assign.certificate import Fixings
from allocator.assign.cpsat import Limits, Run, run
from allocator.assign.structure import DISTRICT, Structure


@dataclass
class ParkData:
    """Stage 3's index sets, from the structure and the fixings."""

    fixed: dict[tuple[str, int], int] = field(default_factory=dict)
    free: dict[tuple[str, int], int] = field(default_factory=dict)
    home: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)  # (f, h, c) -> people
    district: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (f, c) -> people
    leaders: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (f, h) -> people
    open: set[tuple[str, int]] = field(default_factory=set)  # (f, k) a non-leader may serve
    open_leaders: set[tuple[str, int]] = field(default_factory=set)
    potential: dict[tuple[str, str], int] = field(default_factory=dict)  # (f, p) -> most firms f may serve at p
    top: dict[str, int] = field(default_factory=dict)  # K_f: largest non-leader capacity of field f
    top_district: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, st: Structure, fx: Fixings, fields: frozenset[str]) -> ParkData:
        """The part of stage 3 that concerns ``fields`` (a component: no kind links it to another field)."""
        d = cls()
        problem = st.problem
        park = problem.instance.park
        for i, k in enumerate(st.kind_of):
            if k < 0 or fx.state[i] < 0 or not set(st.kinds[k].fields) <= fields:
                continue
            target = d.fixed if fx.state[i] > 0 else d.free
            target[park[i], k] = target.get((park[i], k), 0) + 1
        for j, person in enumerate(problem.staff):
            if person.field not in fields:
                continue
            if person.leader:
                d.leaders.setdefault((person.field, person.park), []).append(j)
            elif person.district_wide:
                d.district.setdefault((person.field, person.capacity), []).append(j)
            else:
                d.home.setdefault((person.field, person.park, person.capacity), []).append(j)
        for k in range(len(st.kinds)):
            if not set(st.kinds[k].fields) <= fields:
                continue
            for f in st.kinds[k].fields:
                if st.serves(f, k) and (f, k) not in fx.closed and f not in fx.empty:
                    d.open.add((f, k))
                if st.serves(f, k, leader=True) and (f, k) not in fx.closed_leaders and f not in fx.leaders_empty:
                    d.open_leaders.add((f, k))
        for (p, k) in set(d.fixed) | set(d.free):
            total = d.fixed.get((p, k), 0) + d.free.get((p, k), 0)
            for f in st.kinds[k].fields:
                if (f, k) in d.open:
                    d.potential[f, p] = d.potential.get((f, p), 0) + total
        for (f, _, c) in d.home:
            d.top[f] = max(d.top.get(f, 0), c)
        for (f, c) in d.district:
            d.top_district[f] = max(d.top_district.get(f, 0), c)
        return d

    def cells(self) -> list[tuple[str, int]]:
        return sorted(set(self.fixed) | set(self.free), key=lambda pk: (pk[0], pk[1]))

    def largest_piece(self, f: str, top: int) -> int:
        return min(top, max((v for (g, _), v in self.potential.items() if g == f), default=0))


class ParkModel:
    """The CP-SAT model of stage 3; variables are named by tuples (see the module docstring)."""

    def __init__(self, st: Structure, fx: Fixings, fields: frozenset[str], leading: int):
        """Stage 3 for one component of fields; its leaders serve at least ``leading`` key firms
        (what they serve in stage 2's plan: with every component at its most, z1 is their sum)."""
        from ortools.sat.python import cp_model

        from allocator.assign.park_cuts import add_cuts

        self.st, self.fx, self.fields, self.leading = st, fx, fields, leading
        self.data = d = ParkData.build(st, fx, fields)
        self.m = cp_model.CpModel()
        self.var: dict[tuple, object] = {}
        self.cost: list[tuple[int, object]] = []
        cells = d.cells()
        self._served(cells)  # (1)
        self._home()  # (3)
        for f in sorted({f for (f, _, _) in d.home}):
            people = sum(len(ps) for (g, _, _), ps in d.home.items() if g == f)
            self._graph(f, "g", "e", "m", d.top[f], self._home_inflow(f), people, 2)  # (4), (5)
        for f in sorted({f for (f, _) in d.district}):
            inflow: dict = defaultdict(int)
            for (g, c), people in d.district.items():
                if g == f:
                    inflow[d.top_district[f] - c] += len(people)
            people = sum(len(ps) for (g, _), ps in d.district.items() if g == f)
            self._graph(f, "gz", "ez", "mz", d.top_district[f], inflow, people, 1)  # (6), (7)
        self._loads()  # (2)
        self._leaders()  # (8)
        self._fixings()  # (9)
        add_cuts(self)  # (10), (11)
        self.m.minimize(sum(w * v for w, v in self.cost))

    def _new(self, name: tuple, low: int, high: int):
        v = self.m.new_int_var(low, high, str(name))
        self.var[name] = v
        return v

    def _served(self, cells) -> None:
        """(1) Each cell's served firms are split among the fields and leader groups that may serve it."""
        d, st = self.data, self.st
        for (p, k) in cells:
            total = d.fixed.get((p, k), 0) + d.free.get((p, k), 0)
            parts = [self._new(("x", f, p, k), 0, total) for f in st.kinds[k].fields if (f, k) in d.open]
            for (f, h), people in sorted(d.leaders.items()):
                if (f, k) in d.open_leaders:
                    v = self._new(("y", f, h, p, k), 0, min(total, len(people)))
                    parts.append(v)
                    self.cost.append((1 if h in (DISTRICT, p) else 2, v))
            served = d.fixed.get((p, k), 0)
            if d.free.get((p, k), 0):
                served = served + self._new(("sigma", p, k), 0, d.free[p, k])
            self.m.add(sum(parts) == served)

    def _home(self) -> None:
        """(3) Each person of a home group serves l firms at home, l = 0 .. min(capacity, what is there)."""
        for (f, h, c), people in sorted(self.data.home.items()):
            most = min(c, self.data.potential.get((f, h), 0))
            if most == 0:
                continue  # everyone enters the away graph with their whole capacity (a constant)
            us = [self._new(("u", f, h, c, load), 0, len(people)) for load in range(most + 1)]
            self.m.add(sum(us) == len(people))
            self.cost += [(1, v) for v in us[1:]]

    def _home_inflow(self, f: str) -> dict[int, object]:
        top, inflow = self.data.top[f], defaultdict(int)
        for (g, h, c), people in self.data.home.items():
            if g != f:
                continue
            most = min(c, self.data.potential.get((f, h), 0))
            if most == 0:
                inflow[top - c] += len(people)
            for load in range(1, most + 1) if most else ():
                inflow[top - c + load] += self.var["u", f, h, c, load]
            if most:
                inflow[top - c] += self.var["u", f, h, c, 0]
        return inflow

    def _graph(self, f: str, arc: str, loss: str, piece: str, top: int, inflow: dict, people: int, weight: int) -> None:
        """(4)-(7) One field's arc-flow graph: nodes 0..top, piece arcs of s firms, a way out at every node."""
        largest = self.data.largest_piece(f, top)
        if largest == 0:
            return  # nobody of this field can serve anyone: everyone's capacity is left unused
        into, out = defaultdict(list), defaultdict(list)
        for a in range(top):
            for s in range(1, min(largest, top - a) + 1):
                v = self._new((arc, f, a, s), 0, people)
                out[a].append(v)
                into[a + s].append(v)
                self.cost.append((weight, v))
            out[a].append(self._new((loss, f, a), 0, people))  # leave: the rest of the capacity stays unused
        for a in range(top):
            self.m.add(inflow.get(a, 0) + sum(into[a]) == sum(out[a]))
        for s in range(1, largest + 1):
            taken = [self.var[arc, f, a, s] for a in range(top - s + 1)]
            placed = [self._new((piece, f, p, s), 0, pot // s)
                      for (g, p), pot in sorted(self.data.potential.items()) if g == f and pot >= s]
            self.m.add(sum(taken) == sum(placed))

    def _loads(self) -> None:
        """(2) What field f serves at park p is served at home, by away pieces and by district-wide pieces."""
        d, var = self.data, self.var
        for (f, p), pot in sorted(d.potential.items()):
            served = [v for (kind, g, q, _), v in self._items("x", 4) if g == f and q == p]
            given = []
            for (g, h, c), _ in d.home.items():
                if g == f and h == p:
                    given += [load * var["u", f, p, c, load] for load in range(1, min(c, pot) + 1)]
            for prefix in ("m", "mz"):
                given += [s * var[prefix, f, p, s] for s in range(1, pot + 1) if (prefix, f, p, s) in var]
            self.m.add(sum(served) == sum(given))

    def _items(self, prefix: str, length: int):
        return [(name, v) for name, v in self.var.items() if name[0] == prefix and len(name) == length]

    def _leaders(self) -> None:
        """(8) A leader serves one key firm."""
        for (f, h), people in self.data.leaders.items():
            mine = [v for (_, g, q, _, _), v in self._items("y", 5) if g == f and q == h]
            if mine:
                self.m.add(sum(mine) <= len(people))

    def _fixings(self) -> None:
        """(9) Stage 2's complementary slackness: the totals every optimal plan shares."""
        st, fx = self.st, self.fx
        xs, ys = self._items("x", 4), self._items("y", 5)
        for f in sorted(fx.full & self.fields):
            self._total([v for name, v in xs if name[1] == f], st.capacity.get(f, 0))
        for f in sorted(fx.leaders_full & self.fields):
            self._total([v for name, v in ys if name[1] == f], st.leaders.get(f, 0))
        leading = [v for _, v in ys]
        if leading:
            self.m.add(sum(leading) >= self.leading)
        if fx.hub == "min" or not leading:
            self._total(leading, self.leading)
        elif fx.hub == "max":
            self._total(leading, sum(st.leaders.get(f, 0) for f in self.fields))
        if fx.nobody:
            for name, v in self.var.items():
                if name[0] in ("x", "y", "sigma"):
                    self.m.add(v == 0)

    def _total(self, parts: list, value: int) -> None:
        if parts:
            self.m.add(sum(parts) == value)
        elif value != 0:
            raise AssertionError(f"stage 2's fixings ask for {value} firms where the model has no variable")

    def solve(self, limits: Limits, hint: dict | None = None) -> Run:
        return run(self.m, self.var, limits, hint)

