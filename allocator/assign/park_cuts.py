"""Valid inequalities for stage 3's park model: what each park costs at least.

The LP relaxation of the park model lets a fraction of a person serve a park's last few
firms; every plan pays a whole piece for them.  Per park p of a component of fields (the
people of which could serve every firm there, pooled: a relaxation), with D the non-key
firms every optimal plan serves there, the n largest home capacities cap(n), away pieces of
at most K firms (cost 2) and district-wide pieces of at most Kz firms (cost 1):

    (10) pieces(p) >= min_n n + ceil((D - cap(n)) / max(K, Kz))            (home people + pieces)
    (11) cost(p)   >= lower convex hull of phi(z),
         phi(z) = min_n n + ceil(z / Kz) + 2 ceil((D - cap(n) - z) / K),    z = district-wide load at p

Both hold for every plan (they only count what any plan must place in the park), so they
may prove, and the model stays exact.  Each park gets two auxiliary variables (its cost and
its district-wide load) so that the cuts stay short.
"""

from __future__ import annotations

from allocator.assign.structure import Structure


def components(st: Structure) -> list[frozenset[str]]:
    """Fields linked by a kind they may both serve (industry; commerce with trade), every field once."""
    parent: dict[str, str] = {}

    def root(f: str) -> str:
        while parent.setdefault(f, f) != f:
            f = parent[f]
        return f

    for kind in st.kinds:
        for f in kind.fields[1:]:
            parent[root(f)] = root(kind.fields[0])
    for f in st.fields:
        root(f)
    groups: dict[str, set[str]] = {}
    for f in parent:
        groups.setdefault(root(f), set()).add(f)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: sorted(g))


def add_cuts(model) -> None:
    """(10) and (11) for every park with firms every optimal plan serves."""
    d, st, var, m = model.data, model.st, model.var, model.m
    fields = sorted(model.fields)
    demand: dict[str, int] = {}
    for (p, k), n in d.fixed.items():
        if not st.kinds[k].key:
            demand[p] = demand.get(p, 0) + n
    away = max([d.top.get(f, 0) for f in fields] + [0])
    zone = max([d.top_district.get(f, 0) for f in fields] + [0])
    if away == 0 and zone == 0:
        return
    zone_capacity = sum(len(ps) * c for (f, c), ps in d.district.items())
    for p, need in sorted(demand.items()):
        caps, home, away_pieces, zone_pieces = [], [], [], []
        for f in fields:
            for c in range(1, max(away, zone) + 1):
                people = d.home.get((f, p, c), [])
                if people and ("u", f, p, c, 0) in var:
                    most = min(c, d.potential[f, p])
                    caps += [most] * len(people)
                    home += [var["u", f, p, c, load] for load in range(1, most + 1)]
                if ("m", f, p, c) in var:
                    away_pieces.append(var["m", f, p, c])
                if ("mz", f, p, c) in var:
                    zone_pieces.append((c, var["mz", f, p, c]))
        if not home + away_pieces + zone_pieces:
            continue
        caps.sort(reverse=True)
        least = fewest_pieces(need, caps, max(away, zone))
        if least > 0:
            m.add(sum(home) + sum(away_pieces) + sum(v for _, v in zone_pieces) >= least)  # (10)
        # phi at every district-wide load the park can take (key firms and free firms may add to D)
        firms_here = sum(n for (q, _), n in list(d.fixed.items()) + list(d.free.items()) if q == p)
        most = min(firms_here, zone_capacity) if zone else 0
        phi = [park_cost(need, caps, z, away, zone) for z in range(most + 1)]
        cost = model._new(("cost", p), 0, 10 * (need + 1))
        m.add(cost == sum(home) + 2 * sum(away_pieces) + sum(v for _, v in zone_pieces))
        if len(phi) == 1:
            m.add(cost >= phi[0])  # (11)
            continue
        load = model._new(("zone", p), 0, most)
        m.add(load == sum(s * v for s, v in zone_pieces))
        for (z0, c0), (z1, c1) in lower_hull(list(enumerate(phi))):  # (11): cost >= c0 + (c1 - c0)(z - z0)/(z1 - z0)
            m.add((z1 - z0) * cost >= (z1 - z0) * c0 + (c1 - c0) * (load - z0))


def fewest_pieces(need: int, caps: list[int], widest: int) -> int:
    """min over n of n + ceil((need - the n largest caps) / widest)."""
    if need <= 0 or widest <= 0:
        return 0
    best, carried = -(-need // widest), 0
    for n, c in enumerate(caps, start=1):
        carried += c
        best = min(best, n + max(0, -(-(need - carried) // widest)))
    return best


def park_cost(need: int, caps: list[int], zone_load: int, away: int, zone: int) -> int:
    """phi(z): the least a park costs when z of its D firms are served by district-wide pieces."""
    best, carried = None, 0
    for n in range(len(caps) + 1):
        if n:
            carried += caps[n - 1]
        rest = max(0, need - carried - zone_load)
        if rest and away == 0:
            continue
        cost = n + (-(-zone_load // zone) if zone_load else 0) + 2 * (-(-rest // away) if rest else 0)
        best = cost if best is None else min(best, cost)
    return best if best is not None else 0


def lower_hull(points: list[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Segments of the lower convex hull of points sorted by x (Andrew's monotone chain)."""
    hull: list[tuple[int, int]] = []
    for pt in points:
        while len(hull) >= 2 and (hull[-1][0] - hull[-2][0]) * (pt[1] - hull[-2][1]) - \
                (hull[-1][1] - hull[-2][1]) * (pt[0] - hull[-2][0]) <= 0:
            hull.pop()
        hull.append(pt)
    return list(zip(hull, hull[1:]))
