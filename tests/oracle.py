"""A brute-force, exact, independent oracle for the SPEC model on tiny instances (issue 14).

Plain Python and :class:`fractions.Fraction`; nothing is imported from ``allocator``, so a
bug shared by the model, the evaluation and the tool's own checks cannot hide here.

It enumerates every integer plan of a 2-4 firm instance (up to dominance, see below) and
answers, exactly, what each lexicographic stage of the SPEC can reach:

* :meth:`Oracle.stage1_optimum` -- max over plans of the lowest listed link's recovery;
* :meth:`Oracle.stage2_optimum` -- max weighted output over plans with z1 >= z1_plan - 1e-6;
* :meth:`Oracle.stage3_optimum` -- min boxes + passes + buses over those plans that also have
  z2 >= z2_plan * (1 - 1e-6);
* :meth:`Oracle.plan_values` / :meth:`Oracle.violations` -- the exact values of any plan and
  every SPEC rule it breaks.

The holds are taken from the TOOL's reported earlier-stage values (z1_plan, z2_plan), as the
SPEC defines them; ``Fraction(float)`` is the float's exact value and 1e-6 is the exact
rational 1/10**6.  ``slack=+1`` tightens a hold by 1e-12 (relative), ``slack=-1`` loosens it:
a tool computing in doubles may land on either side of a boundary that close.

Dominance (exact): a firm's option (r, p, b) is replaced by (r', p', b') when r' <= r,
p' <= p, b' <= b and c' >= c (for eligible members of a tier with a mask reserve, b' = b:
their boxes count towards the reserve).  Fewer workers, passes and boxes never break a
supply, seat or no-waste row (b' is within its own cap at r'), lower the no-waste caps and
so U_t (a reserve is then easier), and c' >= c never lowers a link or the weighted output
and never raises the units.  Buses are the fewest that seat the returned workers of each
(origin, park) group: more only cost units.  So every stage optimum is reached by some
enumerated plan, and the optima are exact.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction
from typing import Any

HOLD_LINK_ABS = Fraction(1, 10**6)
HOLD_OUTPUT_REL = Fraction(1, 10**6)
AMBIGUOUS = Fraction(1, 10**12)  # a double may round a value this close to a boundary either way
MAX_LEAVES = 50_000

TIERS = ("A", "B", "C")
DEFAULT_SCENARIO: dict[str, Any] = {
    "supply": {"masks": 380000, "mask_pack": 50, "passes": 94, "buses": 60, "bus_seats": 50},
    "rules": {
        "masks_per_worker_day": 2,
        "mask_days": 7,
        "electricity_threshold": "0.8",
        "freight_free_share": "0.5",
        "chain_balance": True,
        "chain_links": ["fibre", "weaving", "dyeing", "market", "trade"],
    },
    "tiers": {
        "A": {"weight": 3, "mask_reserve": 0, "electricity_threshold": None},
        "B": {"weight": 2, "mask_reserve": 0, "electricity_threshold": None},
        "C": {"weight": 1, "mask_reserve": 0, "electricity_threshold": None},
    },
}


class TooLarge(Exception):
    """The instance has more plans than the oracle is willing to enumerate."""


def exact(x: Any) -> Fraction:
    """A number as written: '0.29' -> 29/100, 0.29 (float) -> 29/100 (its shortest repr), '85%' -> 17/20."""
    if isinstance(x, bool):
        raise TypeError(f"not a number: {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        return Fraction(repr(x))
    text = str(x).strip().replace(",", "")
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


def whole(x: Any) -> int:
    value = exact(x)
    if value.denominator != 1:
        raise ValueError(f"not a whole number: {x!r}")
    return int(value)


def resolve_scenario(partial: dict[str, Any] | None = None) -> dict[str, Any]:
    """SPEC defaults overlaid with ``partial`` (same nesting as the TOML); a tier's threshold
    defaults to the rules value."""
    out = copy.deepcopy(DEFAULT_SCENARIO)
    for section, values in (partial or {}).items():
        if section == "tiers":
            for tier, rule in values.items():
                out["tiers"][tier].update(rule)
        else:
            out[section].update(values)
    for tier in TIERS:
        if out["tiers"][tier].get("electricity_threshold") is None:
            out["tiers"][tier]["electricity_threshold"] = out["rules"]["electricity_threshold"]
    return out


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _lcm(values) -> int:
    out = 1
    for v in values:
        out = out * v // math.gcd(out, v)
    return out


class Oracle:
    """Every plan of a tiny instance under a scenario, enumerated once, queried per stage."""

    def __init__(self, rows: list[dict[str, Any]], scenario: dict[str, Any] | None = None,
                 max_leaves: int = MAX_LEAVES):
        sc = resolve_scenario(scenario)
        self.scenario = sc
        sup, rules = sc["supply"], sc["rules"]
        self.masks, self.pack = whole(sup["masks"]), whole(sup["mask_pack"])
        self.boxes_supply = self.masks // self.pack
        self.passes_supply, self.buses_supply = whole(sup["passes"]), whole(sup["buses"])
        self.seats = whole(sup["bus_seats"])
        self.q = whole(rules["masks_per_worker_day"]) * whole(rules["mask_days"])
        self.share = exact(rules["freight_free_share"])
        self.weight = {t: exact(sc["tiers"][t]["weight"]) for t in TIERS}
        self.threshold = {t: exact(sc["tiers"][t]["electricity_threshold"]) for t in TIERS}
        # floor(rho * masks / pack) exactly on the decimal as written
        self.reserve = {}
        for t in TIERS:
            rho = exact(sc["tiers"][t]["mask_reserve"])
            if rho > 0:
                self.reserve[t] = math.floor(rho * self.masks / self.pack)

        self.firms = []
        for row in rows:
            r = {k.strip().lower(): v for k, v in row.items()}

            def get(key, default=None, r=r):
                value = r.get(key)
                return default if value is None or str(value).strip() == "" else value

            E = whole(get("employees"))
            firm = dict(
                id=str(get("enterprise_id")).strip(), park=str(get("park")).strip(),
                link=str(get("chain_link")).strip(),
                tier=str(get("tier")).strip().upper(), E=E, P=whole(get("on_post")), A=whole(get("workers_away", 0)),
                origin=str(get("origin", "")).strip(), e=exact(get("electricity_recovery")),
                S=whole(get("masks_in_stock", 0)), T=whole(get("trucks_needed", 0)), v=exact(get("output_value", E)),
            )
            firm["eligible"] = firm["e"] >= self.threshold[firm["tier"]]
            firm["w"] = self.weight[firm["tier"]]
            self.firms.append(firm)
        self.n = len(self.firms)
        present = {f["link"] for f in self.firms}
        listed = list(dict.fromkeys(str(x).strip() for x in rules["chain_links"]))
        self.links = [x for x in listed if x in present]
        self.stage1_active = bool(rules["chain_balance"]) and bool(self.links)
        self.group_keys = sorted({(f["origin"], f["park"]) for f in self.firms if f["A"] > 0})
        for f in self.firms:
            f["group"] = self.group_keys.index((f["origin"], f["park"])) if f["A"] > 0 else -1
            f["reserved"] = f["eligible"] and f["tier"] in self.reserve
        self.max_leaves = max_leaves
        self._enumerate()

    # ------------------------------------------------------------------ the SPEC, per firm
    def cap(self, i: int, r: int) -> int:
        """No-waste cap on boxes at r returned workers (0 when ineligible)."""
        f = self.firms[i]
        if not f["eligible"]:
            return 0
        return max(0, _ceil_div(self.q * (f["P"] + r) - f["S"], self.pack))

    def capacity(self, i: int, r: int, p: int, b: int) -> Fraction:
        f = self.firms[i]
        terms = [Fraction(1), Fraction(f["P"] + r, f["E"])]
        if self.q > 0:
            terms.append(Fraction(f["S"] + self.pack * b, self.q * f["E"]))
        if f["T"] > 0:
            terms.append(self.share + (1 - self.share) * Fraction(p, f["T"]))
        return min(terms)

    def _options(self, i: int) -> list[tuple[int, int, int, Fraction]]:
        """The firm's undominated (r, p, b, c) (see the module docstring)."""
        f = self.firms[i]
        r_max = min(f["A"], self.seats * self.buses_supply)
        p_max = min(f["T"], self.passes_supply)
        raw = []
        for r in range(r_max + 1):
            b_max = min(self.cap(i, r), self.boxes_supply)
            for p in range(p_max + 1):
                if f["reserved"]:
                    bs = range(b_max + 1)  # every b: the reserve counts boxes
                else:  # the first b of each capacity level
                    bs, last = [], None
                    for b in range(b_max + 1):
                        c = self.capacity(i, r, p, b)
                        if c != last:
                            bs.append(b)
                            last = c
                for b in bs:
                    raw.append((r, p, b, self.capacity(i, r, p, b)))
        # for a reserved firm only options with the same b compete (its boxes count for the reserve)
        pools: dict[int, list] = {}
        for o in raw:
            pools.setdefault(o[2] if f["reserved"] else 0, []).append(o)
        keep = []
        for pool in pools.values():
            for o in pool:  # (r, p, b) are distinct, so dominance is never mutual
                if not any(o2 is not o and o2[0] <= o[0] and o2[1] <= o[1] and o2[2] <= o[2] and o2[3] >= o[3]
                           for o2 in pool):
                    keep.append(o)
        return keep

    # ------------------------------------------------------------------ enumeration
    def _enumerate(self) -> None:
        options = [self._options(i) for i in range(self.n)]
        self.options = options
        # integer scaling: a = v' c C (v' = v M), K_L = C sum v', Z = w' a (w' = w W)
        C = _lcm(o[3].denominator for opts in options for o in opts)
        M = _lcm(f["v"].denominator for f in self.firms)
        W = _lcm(f["w"].denominator for f in self.firms)
        self._scale_output = Fraction(C * M * W)
        vprime = [int(f["v"] * M) for f in self.firms]
        wprime = [int(f["w"] * W) for f in self.firms]
        link_of = [self.links.index(f["link"]) if f["link"] in self.links else -1 for f in self.firms]
        self._K = [C * sum(vprime[i] for i in range(self.n) if link_of[i] == L) for L in range(len(self.links))]
        scaled = [[(int(vprime[i] * o[3] * C), int(wprime[i] * vprime[i] * o[3] * C)) for o in options[i]]
                  for i in range(self.n)]
        reserved_tiers = sorted(self.reserve)
        n_groups = len(self.group_keys)
        leaves: list[tuple[tuple[int, ...], int, int, tuple[int, ...]]] = []
        seats, B, PI, Y = self.seats, self.boxes_supply, self.passes_supply, self.buses_supply
        n_links = len(self.links)
        self.nodes = 0

        def buses_needed(riders):
            return sum(_ceil_div(x, seats) for x in riders)

        def dfs(i, sb, sp, riders, choice):
            self.nodes += 1
            if i == self.n:
                # reserves: sum of the tier's boxes >= min(R_t, U_t at the chosen r)
                for t in reserved_tiers:
                    got = usable = 0
                    for j, k in enumerate(choice):
                        if self.firms[j]["tier"] == t and self.firms[j]["eligible"]:
                            r, _, b, _ = options[j][k]
                            got += b
                            usable += self.cap(j, r)
                    if got < min(self.reserve[t], usable):
                        return
                S = [0] * n_links
                Z = 0
                for j, k in enumerate(choice):
                    a, z = scaled[j][k]
                    if link_of[j] >= 0:
                        S[link_of[j]] += a
                    Z += z
                units = sb + sp + buses_needed(riders)
                leaves.append((tuple(S), Z, units, tuple(choice)))
                if len(leaves) > self.max_leaves:
                    raise TooLarge(f"more than {self.max_leaves} plans")
                return
            g = self.firms[i]["group"]
            for k, (r, p, b, _) in enumerate(options[i]):
                nb, np_ = sb + b, sp + p
                if nb > B or np_ > PI:
                    continue
                if r:
                    riders2 = list(riders)
                    riders2[g] += r
                    if buses_needed(riders2) > Y:
                        continue
                else:
                    riders2 = riders
                choice.append(k)
                dfs(i + 1, nb, np_, riders2, choice)
                choice.pop()

        dfs(0, 0, 0, [0] * n_groups, [])
        self.leaves = leaves

    def _plan_of(self, choice: tuple[int, ...]) -> dict[str, Any]:
        opts = [self.options[i][k] for i, k in enumerate(choice)]
        riders = [0] * len(self.group_keys)
        for i, o in enumerate(opts):
            if o[0]:
                riders[self.firms[i]["group"]] += o[0]
        return {
            "boxes": [o[2] for o in opts],
            "passes": [o[1] for o in opts],
            "returned": [o[0] for o in opts],
            "buses": {key: _ceil_div(x, self.seats) for key, x in zip(self.group_keys, riders, strict=True)},
        }

    @property
    def plan_count(self) -> int:
        return len(self.leaves)

    # ------------------------------------------------------------------ exact values of any plan
    def plan_values(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Exact c_i, link recoveries, lowest link (None when stage 1 does not apply),
        weighted output and units (boxes + passes + buses) of a plan."""
        b, p, r = plan["boxes"], plan["passes"], plan["returned"]
        c = [self.capacity(i, int(r[i]), int(p[i]), int(b[i])) for i in range(self.n)]
        links = {}
        for L in self.links:
            members = [i for i in range(self.n) if self.firms[i]["link"] == L]
            links[L] = sum(self.firms[i]["v"] * c[i] for i in members) / sum(self.firms[i]["v"] for i in members)
        return {
            "c": c,
            "links": links,
            "min_link": min(links.values()) if self.stage1_active else None,
            "weighted_output": sum(self.firms[i]["w"] * self.firms[i]["v"] * c[i] for i in range(self.n)),
            "units": int(sum(b) + sum(p) + sum(plan["buses"].values())),
        }

    def violations(self, plan: dict[str, Any]) -> list[str]:
        """Every SPEC constraint the plan breaks (empty: the plan is feasible)."""
        b, p, r, y = plan["boxes"], plan["passes"], plan["returned"], plan["buses"]
        out = []
        for label, arr in (("boxes", b), ("passes", p), ("returned", r)):
            if len(arr) != self.n:
                return [f"{label}: {len(arr)} entries for {self.n} firms"]
            if any(int(x) != x or x < 0 for x in arr):
                out.append(f"{label}: negative or fractional {list(arr)}")
        if any(x < 0 for x in y.values()):
            out.append(f"negative buses {y}")
        for i, f in enumerate(self.firms):
            if b[i] > 0 and not f["eligible"]:
                out.append(f"{f['id']}: {b[i]} boxes but not eligible")
            if p[i] > f["T"]:
                out.append(f"{f['id']}: {p[i]} passes > {f['T']} trucks")
            if r[i] > f["A"]:
                out.append(f"{f['id']}: {r[i]} returned > {f['A']} away")
            if f["eligible"] and b[i] > self.cap(i, int(r[i])):
                out.append(f"{f['id']}: {b[i]} boxes > no-waste cap {self.cap(i, int(r[i]))}")
        for label, used, supply in (("boxes", sum(b), self.boxes_supply), ("passes", sum(p), self.passes_supply),
                                    ("buses", sum(y.values()), self.buses_supply)):
            if used > supply:
                out.append(f"{label} used {used} > supply {supply}")
        for g, key in enumerate(self.group_keys):
            riders = sum(r[i] for i in range(self.n) if self.firms[i]["group"] == g)
            if riders > self.seats * y.get(key, 0):
                out.append(f"{riders} workers from {key[0]} to {key[1]} on {y.get(key, 0)} buses of {self.seats} seats")
        for t, reserve in self.reserve.items():
            members = [i for i in range(self.n) if self.firms[i]["tier"] == t and self.firms[i]["eligible"]]
            got = sum(b[i] for i in members)
            usable = sum(self.cap(i, int(r[i])) for i in members)
            if got < min(reserve, usable):
                out.append(f"tier {t} reserve: {got} boxes < min({reserve}, usable {usable})")
        return out

    # ------------------------------------------------------------------ stage optima
    def _min_link(self, S: tuple[int, ...]) -> tuple[int, int]:
        best = None
        for s, k in zip(S, self._K, strict=True):
            if best is None or s * best[1] < best[0] * k:
                best = (s, k)
        return best

    @staticmethod
    def _slackened(hold: Fraction, slack: int, floor: Fraction) -> Fraction:
        """The hold moved by 1e-12 relative (at least 1e-12 * floor): +1 tightens, -1 loosens."""
        return hold + slack * AMBIGUOUS * max(floor, abs(hold))

    def _link_hold(self, z1_plan, slack: int):
        if not self.stage1_active or z1_plan is None:
            return None
        hold = self._slackened(Fraction(z1_plan) - HOLD_LINK_ABS, slack, Fraction(1))  # a share in [0, 1]
        return [math.ceil(hold * k) for k in self._K]  # S_L >= hold K_L  <=>  S_L >= ceil(hold K_L)

    def _output_hold(self, z2_plan, slack: int):
        if z2_plan is None:
            return None
        hold = self._slackened(Fraction(z2_plan) * (1 - HOLD_OUTPUT_REL), slack, Fraction(0))
        return math.ceil(hold * self._scale_output)

    def _feasible(self, link_hold, output_hold):
        for leaf in self.leaves:
            if link_hold is not None and any(s < h for s, h in zip(leaf[0], link_hold, strict=True)):
                continue
            if output_hold is not None and leaf[1] < output_hold:
                continue
            yield leaf

    def stage1_optimum(self) -> tuple[Fraction, dict[str, Any]] | None:
        """Max over every plan of the lowest listed link; None when stage 1 does not apply."""
        if not self.stage1_active:
            return None
        best = best_leaf = None
        for leaf in self.leaves:
            s, k = self._min_link(leaf[0])
            if best is None or s * best[1] > best[0] * k:
                best, best_leaf = (s, k), leaf
        return Fraction(*best), self._plan_of(best_leaf[3])

    def stage2_optimum(self, z1_plan=None, slack: int = 0) -> tuple[Fraction, dict[str, Any]] | None:
        """Max weighted output over plans with z1 >= z1_plan - 1e-6 (no hold when stage 1 is
        skipped or z1_plan is None); None when no plan holds it."""
        hold = self._link_hold(z1_plan, slack)
        best = None
        for leaf in self._feasible(hold, None):
            if best is None or leaf[1] > best[1]:
                best = leaf
        if best is None:
            return None
        return Fraction(best[1]) / self._scale_output, self._plan_of(best[3])

    def stage3_optimum(self, z1_plan=None, z2_plan=None, slack: int = 0) -> tuple[int, dict[str, Any]] | None:
        """Min boxes + passes + buses over plans holding both earlier stages; None when none does."""
        best = None
        for leaf in self._feasible(self._link_hold(z1_plan, slack), self._output_hold(z2_plan, slack)):
            if best is None or leaf[2] < best[2]:
                best = leaf
        if best is None:
            return None
        return best[2], self._plan_of(best[3])
