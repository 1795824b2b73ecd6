"""Who is interchangeable with whom: the aggregation every model of the assignment works on.

For the rules and the three objectives, a firm is described by its park, its *kind* (the
set of fields that may serve it, and whether it is a key firm) and its priority pi; a
person by their field, home park (or district-wide), capacity and whether they lead.
Firms of one kind with equal pi (exactly, as fractions) are interchangeable in stages 1 and
2, and firms of one park and kind are interchangeable in stage 3 once the set of firms to
serve is fixed; persons of one field, home and capacity are interchangeable throughout.
The models count how many of each are used; :mod:`allocator.assign.plan` turns counts back
into names, exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from allocator.assign.problem import AssignProblem

DISTRICT = ""  # the home "park" of a district-wide person


@dataclass(frozen=True, order=True)
class Kind:
    """Firms the same people may serve: the fields allowed and whether it is a key firm."""

    fields: tuple[str, ...]
    key: bool


@dataclass
class Structure:
    """Index sets of one assignment problem (built once, read by every model)."""

    problem: AssignProblem
    kinds: list[Kind] = field(default_factory=list)
    kind_of: list[int] = field(default_factory=list)  # per firm; -1 when nobody may serve it
    members: list[list[int]] = field(default_factory=list)  # per kind: firms by pi descending, then input order
    groups: list[list[tuple[int, int]]] = field(default_factory=list)  # per kind: (start, end) runs of equal pi
    capacity: dict[str, int] = field(default_factory=dict)  # per field: capacity of its non-leaders
    leaders: dict[str, int] = field(default_factory=dict)  # per field: its leaders
    fields: list[str] = field(default_factory=list)  # fields with anyone in them

    @classmethod
    def build(cls, problem: AssignProblem) -> Structure:
        s = cls(problem)
        for person in problem.staff:
            if person.leader:
                s.leaders[person.field] = s.leaders.get(person.field, 0) + 1
            else:
                s.capacity[person.field] = s.capacity.get(person.field, 0) + person.capacity
        s.fields = [f for f in dict.fromkeys(p.field for p in problem.staff)]
        index: dict[Kind, int] = {}
        by_kind: dict[int, list[int]] = defaultdict(list)
        for i in range(len(problem)):
            if not problem.servable[i]:
                s.kind_of.append(-1)
                continue
            kind = Kind(problem.fields[i], bool(problem.key[i]))
            k = index.setdefault(kind, len(index))
            s.kind_of.append(k)
            by_kind[k].append(i)
        s.kinds = list(index)
        pi = problem.pi
        for k in range(len(s.kinds)):
            firms = sorted(by_kind[k], key=lambda i: (-pi[i], i))
            s.members.append(firms)
            runs, start = [], 0
            for pos in range(1, len(firms) + 1):
                if pos == len(firms) or pi[firms[pos]] != pi[firms[start]]:
                    runs.append((start, pos))
                    start = pos
            s.groups.append(runs)
        return s

    def serves(self, f: str, k: int, leader: bool = False) -> bool:
        """Field f's people (its leaders, when ``leader``) may serve firms of kind k."""
        kind = self.kinds[k]
        if leader:
            return kind.key and f in kind.fields and self.leaders.get(f, 0) > 0
        return f in kind.fields and self.capacity.get(f, 0) > 0

    def group_pi(self, k: int, g: int) -> Fraction:
        return self.problem.pi[self.members[k][self.groups[k][g][0]]]
