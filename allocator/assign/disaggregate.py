"""Between plans and stage 3's counts: a plan as the park model's values (a hint), and back.

:func:`counts` maps a plan onto the variables of :class:`ParkModel` exactly (each person's
away pieces, largest first, are their path through the arc-flow graph), so a plan can start
the search.  :func:`names` turns a solution of the model into people and firms: one path
per person (flow conservation guarantees the walk never sticks), pieces matched to parks
size by size, avoiding a person's own home park and parks they already serve (where that
cannot be avoided the pieces merge, which only lowers the cost).
"""

from __future__ import annotations

from collections import defaultdict

from allocator.assign.park_model import ParkModel
from allocator.assign.plan import Plan


def counts(model: ParkModel, plan: Plan) -> dict[tuple, int]:
    """The model's variables for ``plan`` (which must keep stages 1 and 2 and serve only open cells)."""
    st, d = model.st, model.data
    problem = st.problem
    park, staff = problem.instance.park, problem.staff
    out: dict[tuple, int] = defaultdict(int)
    for i, j in enumerate(plan.server.tolist()):
        if j < 0 or staff[j].field not in model.fields:
            continue
        k, who = st.kind_of[i], staff[j]
        if model.fx.state[i] == 0:
            out["sigma", park[i], k] += 1
        if who.leader:
            out["y", who.field, who.park, park[i], k] += 1
        else:
            out["x", who.field, park[i], k] += 1
    served = plan.firms_of()
    for j, who in enumerate(staff):  # every person, idle ones too: they enter the graph and leave it unused
        firms = served.get(j, [])
        if who.leader or who.field not in model.fields or (who.field not in d.top and who.field not in d.top_district):
            continue
        per_park: dict[str, int] = defaultdict(int)
        for i in firms:
            per_park[park[i]] += 1
        if who.district_wide:
            entry, top, prefix = d.top_district[who.field] - who.capacity, d.top_district[who.field], ("gz", "ez", "mz")
        else:
            load = per_park.pop(who.park, 0)
            if ("u", who.field, who.park, who.capacity, 0) in model.var:
                out["u", who.field, who.park, who.capacity, load] += 1
            entry, top, prefix = d.top[who.field] - who.capacity + load, d.top[who.field], ("g", "e", "m")
        at = entry
        for p, size in sorted(per_park.items(), key=lambda ps: (-ps[1], ps[0])):
            out[prefix[0], who.field, at, size] += 1
            out[prefix[2], who.field, p, size] += 1
            at += size
        if at < top:
            out[prefix[1], who.field, at] += 1
    for name in model.var:  # the cuts' auxiliary variables: each park's cost and district-wide load
        if name[0] == "cost":
            p = name[1]
            out[name] = sum(v for key, v in out.items() if key[0] == "u" and key[2] == p and key[4] >= 1) + sum(
                (2 if key[0] == "m" else 1) * v for key, v in out.items() if key[0] in ("m", "mz") and key[2] == p)
        elif name[0] == "zone":
            out[name] = sum(key[3] * v for key, v in out.items() if key[0] == "mz" and key[2] == name[1])
    return {name: out.get(name, 0) for name in model.var}


def names(model: ParkModel, values: dict[tuple, int]) -> Plan:
    """The plan of a solution of the model: every count becomes a person and a firm."""
    st, d = model.st, model.data
    problem = st.problem
    staff = problem.staff
    plan = Plan.empty(problem)
    queue = _queues(model, values)
    for (f, h), people in sorted(d.leaders.items()):  # each leader takes one firm of their group's share
        firms = queue.pop(("lead", f, h), [])
        for j, i in zip(people, firms):
            plan.server[i] = j
    entries: dict[str, list[tuple[int, int]]] = defaultdict(list)  # field -> (person, entry node)
    for (f, h, c), people in sorted(d.home.items()):
        loads = []
        if ("u", f, h, c, 0) in model.var:
            for load in range(c, -1, -1):
                loads += [load] * values.get(("u", f, h, c, load), 0)
        loads += [0] * (len(people) - len(loads))
        for j, load in zip(people, loads):
            firms = queue[f, h][:load]
            del queue[f, h][:load]
            for i in firms:
                plan.server[i] = j
            entries[f].append((j, d.top[f] - c + load))
    for f in sorted(entries):
        _away(model, values, plan, queue, f, entries[f], d.top[f], ("g", "e", "m"))
    district: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (f, c), people in sorted(d.district.items()):
        district[f] += [(j, d.top_district[f] - c) for j in people]
    for f in sorted(district):
        _away(model, values, plan, queue, f, district[f], d.top_district[f], ("gz", "ez", "mz"))
    left = {key: firms for key, firms in queue.items() if firms}
    if left:
        raise AssertionError(f"disaggregation left firms without a commissioner: {sorted(left)[:3]}")
    del staff
    return plan


def _queues(model: ParkModel, values: dict[tuple, int]) -> dict[tuple, list[int]]:
    """Per (field, park) the firms its non-leaders serve; per leader group the key firms it serves."""
    st, d = model.st, model.data
    problem = st.problem
    park = problem.instance.park
    fixed, free = defaultdict(list), defaultdict(list)
    for i, k in enumerate(st.kind_of):
        if k >= 0 and model.fx.state[i] > 0:
            fixed[park[i], k].append(i)
        elif k >= 0 and model.fx.state[i] == 0:
            free[park[i], k].append(i)
    queue: dict[tuple, list[int]] = defaultdict(list)
    for (p, k) in d.cells():
        served = fixed[p, k] + free[p, k][:values.get(("sigma", p, k), 0)]
        at = 0
        for (f, h) in sorted(d.leaders):
            take = values.get(("y", f, h, p, k), 0)
            queue["lead", f, h] += served[at:at + take]
            at += take
        for f in st.kinds[k].fields:
            take = values.get(("x", f, p, k), 0)
            queue[f, p] += served[at:at + take]
            at += take
        if at != len(served):
            raise AssertionError(f"cell ({p}, {k}) splits {at} firms but serves {len(served)}")
    return queue


def _away(model: ParkModel, values: dict, plan: Plan, queue: dict, f: str, entries: list[tuple[int, int]],
          top: int, prefix: tuple[str, str, str]) -> None:
    """Walk one path per person through field f's graph, then match their pieces to parks."""
    arc, loss, piece = prefix
    if not any(name[0] == loss and name[1] == f for name in values):
        return  # the field has no graph: nobody of it can serve anyone away, everyone stays as they are
    left = {name: v for name, v in values.items() if name[0] in (arc, loss) and name[1] == f and v > 0}
    pieces: dict[int, list[tuple[int, int]]] = defaultdict(list)  # size -> (person, index of piece)
    held: dict[int, list[int]] = defaultdict(list)  # person -> sizes
    for j, at in entries:
        while at < top:
            step = next((s for s in range(top - at, 0, -1) if left.get((arc, f, at, s), 0) > 0), None)
            if step is None:  # no piece is left to take here: this person leaves with the rest unused
                name = (loss, f, at)
                if left.get(name, 0) <= 0:
                    raise AssertionError(f"the flow of field {f} is not conserved at node {at}")
                left[name] -= 1
                break
            left[arc, f, at, step] -= 1
            pieces[step].append((j, len(held[j])))
            held[j].append(step)
            at += step
    staff = model.st.problem.staff
    where: dict[int, set[str]] = defaultdict(set)
    for size in sorted(pieces, reverse=True):
        slots = [p for (name, v) in sorted(values.items()) if name[0] == piece and name[1] == f and name[3] == size
                 for p in [name[2]] * v]
        if len(slots) != len(pieces[size]):
            raise AssertionError(f"field {f}: {len(pieces[size])} pieces of {size} taken, {len(slots)} placed")
        for j, _ in pieces[size]:
            home = staff[j].park
            pick = next((n for n, p in enumerate(slots) if p != home and p not in where[j]), 0)
            p = slots.pop(pick)
            where[j].add(p)
            firms = queue[f, p][:size]
            del queue[f, p][:size]
            for i in firms:
                plan.server[i] = j

