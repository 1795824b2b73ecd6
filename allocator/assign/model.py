"""Stages 1 and 2 of the assignment on classes of firms: the CP-SAT model.

Stages 1 and 2 do not depend on parks (a commissioner may serve any park; parks only
cost in stage 3) nor on which person of a field serves (any split of a field's load
among its people within their capacities exists), so they are posed on classes:

Data
    F           fields; K_f the capacity of field f's non-leaders, L_f its number of leaders
    k           kinds of firms: the fields C_k allowed to serve them, key or not
    g in k      groups of firms of kind k with equal pi (exactly): n_g firms of priority pi_g
Variables
    x[f,k] >= 0   firms of kind k served by field f's non-leaders          (f in C_k)
    l[f,k] >= 0   key firms of kind k served one to one by field f's leaders (k key, f in C_k)
    s[g] in [0, n_g]  firms of group g served
Model
    (1) sum_k x[f,k] <= K_f                        a non-leader serves at most its capacity
    (2) sum_k l[f,k] <= L_f                        a leader serves exactly one firm, a key firm
    (3) sum_{g in k} s[g] = sum_f x[f,k] + sum_f l[f,k]   a firm gets at most one commissioner
    stage 1   max sum l[f,k]
    stage 2   (4) sum l[f,k] >= z1 (stage 1's value, a whole count: held exactly)
              max sum_g W_g s[g],  W_g = round(pi_g * SCALE)

CP-SAT needs integer coefficients, pi_g is a fraction: W_g rounds it to 1e-9.  The
rounding can only matter between plans whose sums of pi differ by less than n / SCALE; the
plan CP-SAT returns is therefore checked, and if need be improved, exactly (in fractions)
by :mod:`allocator.assign.certificate`, which also proves its optimality without rounding.

The model is a transportation problem (its matrix is totally unimodular), so its LP
relaxation is integral; on Keqiao CP-SAT solves each stage in about a second or less.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.assign.cpsat import Limits, Run, run
from allocator.assign.structure import Structure

SCALE = 10**9


@dataclass
class ClassPlan:
    """Served counts per group and the split of each kind among fields and leaders."""

    x: dict[tuple[str, int], int]
    l: dict[tuple[str, int], int]
    s: list[list[int]]  # per kind, per group

    def leaders_serving(self) -> int:
        return sum(self.l.values())

    def served(self, st: Structure, k: int) -> list[int]:
        """The firms of kind k this plan serves: the first s of each group (equal pi: interchangeable)."""
        out = []
        for (start, _), count in zip(st.groups[k], self.s[k]):
            out += st.members[k][start:start + count]
        return out


def weights(st: Structure) -> list[list[int]]:
    """W_g = round(pi_g * SCALE) per kind and group (exact rounding of the fraction)."""
    return [[round(st.group_pi(k, g) * SCALE) for g in range(len(st.groups[k]))] for k in range(len(st.kinds))]


def solve_stage(st: Structure, stage: int, limits: Limits, z1: int | None = None,
                hint: ClassPlan | None = None) -> tuple[Run, ClassPlan | None]:
    """Stage 1 (max leaders on key firms) or stage 2 (max sum of pi, holding stage 1)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    xs, ls, ss = _variables(st, m)
    for f in st.fields:  # (1), (2)
        m.add(sum(v for (g, _), v in xs.items() if g == f) <= st.capacity.get(f, 0))
        m.add(sum(v for (g, _), v in ls.items() if g == f) <= st.leaders.get(f, 0))
    for k in range(len(st.kinds)):  # (3)
        m.add(sum(ss[k, g] for g in range(len(st.groups[k])))
              == sum(v for (_, kk), v in xs.items() if kk == k) + sum(v for (_, kk), v in ls.items() if kk == k))
    if stage == 1:
        m.maximize(sum(ls.values()))
    else:
        m.add(sum(ls.values()) >= (z1 or 0))  # (4)
        w = weights(st)
        m.maximize(sum(w[k][g] * v for (k, g), v in ss.items()))
    names = {("x",) + key: v for key, v in xs.items()} | {("l",) + key: v for key, v in ls.items()}
    names |= {("s",) + key: v for key, v in ss.items()}
    outcome = run(m, names, limits, _hint(hint) if hint is not None else None)
    if not outcome.found:
        return outcome, None
    values = outcome.values
    plan = ClassPlan({key: values[("x",) + key] for key in xs}, {key: values[("l",) + key] for key in ls},
                     [[values["s", k, g] for g in range(len(st.groups[k]))] for k in range(len(st.kinds))])
    return outcome, plan


def _variables(st: Structure, m) -> tuple[dict, dict, dict]:
    xs, ls, ss = {}, {}, {}
    for k, kind in enumerate(st.kinds):
        size = len(st.members[k])
        for f in kind.fields:
            if st.serves(f, k):
                xs[f, k] = m.new_int_var(0, min(size, st.capacity[f]), f"x[{f},{k}]")
            if st.serves(f, k, leader=True):
                ls[f, k] = m.new_int_var(0, min(size, st.leaders[f]), f"l[{f},{k}]")
        for g, (start, end) in enumerate(st.groups[k]):
            ss[k, g] = m.new_int_var(0, end - start, f"s[{k},{g}]")
    return xs, ls, ss


def _hint(plan: ClassPlan) -> dict:
    out = {("x",) + key: v for key, v in plan.x.items()} | {("l",) + key: v for key, v in plan.l.items()}
    for k, counts in enumerate(plan.s):
        out |= {("s", k, g): v for g, v in enumerate(counts)}
    return out
