"""Instance families that ``allocator/generate.py`` does not make (issue 16).

Every figure the project has published was measured on the generator's own law (the
Keqiao calibration: log-normal headcounts by tier, output proportional to headcount,
Zipf park sizes, three favourite home regions per park, electricity following staffing,
supplies fixed at the SPEC defaults).  The families below are drawn on purpose from other
laws, each one stressing a different part of the SPEC model:

============  ==========================================================================
family        what differs from allocator/generate.py
============  ==========================================================================
scarce        supplies a few per cent of what the eligible firms could use, scaled with n
plentiful     supplies twice the total need: every cap binds, stage 3 decides the plan
threshold     electricity bunched at 0.8 with tier thresholds either side, tier reserves
              with a decimal-floor trap, stocks that cover the staff on post (binaries)
fragmented    n/5 parks and n/8 origins: thousands of (origin, park) groups of 1-3 firms
concentrated  3 parks, 2 origins: at most 6 huge bus groups; one chain link holds 85%
heavytail     Pareto output values (1 next to 1e6, unrelated to headcount), headcounts
              log-normal with sigma 1.6, a dominant link and listed links of a few firms
reserve       a binding 29% tier-C reserve where floor(rho masks / pack) is one box off
              in binary floating point (the SPEC's decimal rule)
============  ==========================================================================

Each family is a deterministic function ``(n_firms, seed) -> (frame, overrides)``: a
pandas DataFrame with the SPEC's instance columns (canonical English headers) and a list
of ``key=value`` strings for ``allocator solve --set``.  Every row is valid input per the
SPEC (``python -m allocator validate FILE --set ...`` accepts each file; see ``--check``).

    python benchmarks/families.py scarce --n 2000 --seed 1 -o scarce.csv   # prints the --set list
    python benchmarks/families.py --list
    python benchmarks/families.py all --n 1000 --seed 1 --check            # write to cache, validate

:func:`cached` writes (csv, overrides json) into benchmarks/cache/ (gitignored) once and
returns the path and the overrides.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "cache"

LINKS = ("fibre", "weaving", "dyeing", "market", "trade", "other")
COLUMNS = (
    "enterprise_id", "name", "park", "chain_link", "tier", "employees", "on_post", "workers_away", "origin",
    "electricity_recovery", "masks_in_stock", "trucks_needed", "output_value",
)
#: SPEC defaults the families size their supplies against.
Q_DEFAULT = 2 * 7
PACK_DEFAULT = 50
SEATS_DEFAULT = 50
THRESHOLD_DEFAULT = 0.8

Family = Callable[[int, int], tuple[pd.DataFrame, list[str]]]
FAMILIES: dict[str, Family] = {}


def family(func: Family) -> Family:
    FAMILIES[func.__name__] = func
    return func


def _rng(name: str, seed: int) -> np.random.Generator:
    """One generator per (family, seed): families with the same seed draw independently."""
    salt = int.from_bytes(name.encode("ascii"), "little") % (2**32)
    return np.random.default_rng([salt, seed])


def _frame(prefix: str, tier, link, park, origin_idx, employees, on_post, away, electricity, stock, trucks,
           output) -> pd.DataFrame:
    n = len(tier)
    employees = np.asarray(employees, dtype=np.int64)
    on_post = np.asarray(on_post, dtype=np.int64)
    away = np.asarray(away, dtype=np.int64)
    # every row valid per the SPEC, whatever the laws above drew
    assert (employees >= 1).all() and (employees <= 10_000_000).all()
    assert (on_post >= 0).all() and (away >= 0).all() and (on_post + away <= employees).all()
    origin = np.where(away > 0, np.array([f"O{k:04d}" for k in np.asarray(origin_idx)]), "")
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"{prefix}{i + 1:06d}" for i in range(n)],
            "name": [f"{prefix}-firm-{i + 1}" for i in range(n)],
            "park": [f"P{k:04d}" for k in np.asarray(park)],
            "chain_link": np.asarray(link),
            "tier": np.asarray(tier),
            "employees": employees,
            "on_post": on_post,
            "workers_away": away,
            "origin": origin,
            "electricity_recovery": np.round(np.clip(np.asarray(electricity, dtype=float), 0.0, 1.5), 3),
            "masks_in_stock": np.clip(np.asarray(stock, dtype=np.int64), 0, 10_000_000),
            "trucks_needed": np.clip(np.asarray(trucks, dtype=np.int64), 0, 10_000_000),
            # two decimals, between 0.01 and 1e7: never written with an exponent
            "output_value": np.round(np.clip(np.asarray(output, dtype=float), 0.01, 9_999_999.0), 2),
        }
    )
    return frame[list(COLUMNS)]


def _choice(rng: np.random.Generator, n: int, values, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(values)[rng.choice(len(values), size=n, p=w / w.sum())]


def _mask_need(frame: pd.DataFrame, eligible: np.ndarray, q: int = Q_DEFAULT) -> int:
    """Masks the eligible firms could use with every away worker back (the no-waste caps)."""
    need = q * (frame["on_post"].to_numpy() + frame["workers_away"].to_numpy()) - frame["masks_in_stock"].to_numpy()
    return int(np.maximum(need, 0)[eligible].sum())


def _bus_need(frame: pd.DataFrame, seats: int = SEATS_DEFAULT) -> int:
    away = frame[frame["workers_away"] > 0]
    per_group = away.groupby(["origin", "park"])["workers_away"].sum().to_numpy()
    return int(np.ceil(per_group / seats).sum())


@family
def scarce(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Supplies far below need, scaled with n: masks 50 n, passes n/100, buses 15 n/1000.

    At 2,000 firms: 100,000 masks, 20 passes and 30 buses against some 2.5 million masks,
    2,700 vehicles and 900 bus loads the firms could use (the generator keeps the SPEC's
    380,000 / 94 / 60 whatever its size).  Tiers in even thirds-ish (A 20%, B 30%, C 50%,
    the generator has 1.5% A), headcounts uniform 5-400 (not log-normal by tier),
    electricity uniform 0.5-1.2 independent of staffing, 80% of firms without a mask,
    trucks at 30% of firms, away workers at 70%.  Every supply is contested by many firms
    of nearly equal value per unit: many plans near the optimum, a flat search.
    """
    rng = _rng("scarce", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.2, 0.3, 0.5])
    link = _choice(rng, n, LINKS, [1, 1, 1, 1, 1, 1])
    park = rng.integers(0, max(2, n // 20), n)
    origin = rng.integers(0, 15, n)
    employees = rng.integers(5, 401, n)
    on_post = np.floor(employees * rng.uniform(0.1, 0.9, n)).astype(np.int64)
    has_away = rng.random(n) < 0.7
    away = np.where(has_away, rng.binomial(employees - on_post, 0.8), 0)
    electricity = rng.uniform(0.5, 1.2, n)
    stock = np.where(rng.random(n) < 0.8, 0, Q_DEFAULT * on_post * rng.uniform(0.1, 0.5, n)).astype(np.int64)
    trucks = np.where(rng.random(n) < 0.3, rng.integers(1, 9, n), 0)
    output = employees * rng.uniform(0.05, 1.0, n)
    frame = _frame("SC", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    overrides = [f"supply.masks={50 * n}", f"supply.passes={max(1, n // 100)}", f"supply.buses={max(1, 15 * n // 1000)}"]
    return frame, overrides


@family
def plentiful(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Supplies far above need: twice the masks, passes and buses every firm could use.

    The generator's supplies run out long before its firms are served; here every no-waste
    cap, truck count and away headcount binds, stages 1 and 2 are reached by serving
    everyone, and stage 3 (fewest boxes + passes + buses holding stage 2 to 1e-6) decides
    the plan.  Boxes of 100 and buses of 30 seats (SPEC: 50 and 50), 70% of firms holding a
    week's masks or more, electricity mostly above the threshold (N(0.95, 0.1)), headcounts
    geometric (many very small firms), trucks at half the firms.
    """
    rng = _rng("plentiful", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.05, 0.25, 0.7])
    link = _choice(rng, n, LINKS, [2, 4, 2, 3, 3, 1])
    park = rng.integers(0, max(2, n // 25), n)
    origin = rng.integers(0, 20, n)
    employees = np.minimum(1 + rng.geometric(1 / 40, n), 5000)
    on_post = rng.binomial(employees, 0.6)
    away = rng.binomial(employees - on_post, 0.7)
    electricity = rng.normal(0.95, 0.1, n)
    week = 7 * 2 * on_post
    stock = np.where(rng.random(n) < 0.7, week * rng.uniform(1.0, 2.0, n), week * rng.uniform(0, 0.5, n)).astype(np.int64)
    trucks = np.where(rng.random(n) < 0.5, rng.integers(1, 6, n), 0)
    output = employees * rng.lognormal(-1.5, 0.5, n)
    frame = _frame("PL", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    eligible = frame["electricity_recovery"].to_numpy() >= THRESHOLD_DEFAULT
    masks = 2 * _mask_need(frame, eligible)
    masks = int(math.ceil(masks / 10_000) * 10_000)
    passes = 2 * int(frame["trucks_needed"].sum())
    buses = 2 * _bus_need(frame, seats=30)
    overrides = [f"supply.masks={masks}", "supply.mask_pack=100", f"supply.passes={passes}", f"supply.buses={buses}",
                 "supply.bus_seats=30"]
    return frame, overrides


def _decimal_trap(rho: str, target: int, pack: int) -> int:
    """The smallest mask supply >= target where floor(rho*masks/pack) in binary floating point
    falls one box short of the exact decimal value (as SPEC's 0.29 x 380,000 / 50 does)."""
    step = 100 * pack  # rho has two decimals: rho * masks / pack is whole at multiples of this
    masks = int(math.ceil(target / step) * step)
    for _ in range(100_000):
        exact = math.floor(Decimal(rho) * masks / pack)
        if math.floor(float(rho) * masks / pack) != exact:
            return masks
        masks += step
    return int(math.ceil(target / step) * step)


@family
def threshold(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Electricity bunched just under and over 0.8; tier thresholds and reserves in play.

    The generator spreads electricity recovery smoothly (staffing plus noise), so few firms
    sit near the threshold.  Here 70% of firms sit within 0.01 of 0.8 (many exactly at
    0.800 or 0.799), tier A's own threshold is 0.79 and tier C's 0.81, so eligibility turns
    on the third decimal and on the inclusive comparison.  Tier C has a mask reserve of 29%
    and tier B one of 10%, with a mask supply chosen so that floor(0.29 * masks / 50) in
    binary floating point is one box short of the exact decimal value (the SPEC's example).
    Most firms hold stock for 80-130% of their staff on post, so their no-waste cap is 0
    unless workers return (the binary of the no-waste row, and U_t depends on r_i).
    """
    rng = _rng("threshold", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.1, 0.3, 0.6])
    link = _choice(rng, n, LINKS, [1, 2, 1, 2, 2, 1])
    park = rng.integers(0, max(2, n // 15), n)
    origin = rng.integers(0, 12, n)
    employees = np.clip(np.round(rng.lognormal(3.5, 0.8, n)), 2, 3000).astype(np.int64)
    on_post = np.floor(employees * rng.uniform(0.3, 0.8, n)).astype(np.int64)
    away = np.where(rng.random(n) < 0.8, rng.binomial(employees - on_post, 0.9), 0)
    bunched = rng.random(n) < 0.7
    near = _choice(rng, n, [0.789, 0.79, 0.799, 0.8, 0.801, 0.809, 0.81, 0.811], [1, 2, 3, 4, 3, 1, 2, 1])
    electricity = np.where(bunched, near, rng.uniform(0.4, 1.1, n))
    stock = (Q_DEFAULT * on_post * np.where(rng.random(n) < 0.75, rng.uniform(0.8, 1.3, n), rng.uniform(0, 0.5, n)))
    trucks = np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), 0)
    output = employees * rng.uniform(0.1, 0.4, n)
    frame = _frame("TH", tier, link, park, origin, employees, on_post, away, electricity, stock.astype(np.int64),
                   trucks, output)
    masks = _decimal_trap("0.29", 120 * n, PACK_DEFAULT)
    overrides = [f"supply.masks={masks}", f"supply.passes={max(1, n // 40)}", f"supply.buses={max(1, n // 40)}",
                 "tiers.A.electricity_threshold=0.79", "tiers.C.electricity_threshold=0.81",
                 "tiers.C.mask_reserve=0.29", "tiers.B.mask_reserve=0.1"]
    return frame, overrides


@family
def fragmented(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Many origins and parks with a few firms each: thousands of tiny bus groups.

    The generator draws 25 origins and 110 parks for 10,000 firms, three favourite origins
    per park, so a few hundred (origin, park) groups hold thousands of workers each.  Here
    there are n/5 parks and n/8 origins drawn independently, so nearly every firm is alone
    or with one or two others in its group, and 90% of firms wait for 1-40 workers: the
    bus decision is which of thousands of half-empty buses to run (carpool matters), with
    n/25 buses of 50 seats.  Tiers mostly C, links uniform, electricity mostly eligible.
    """
    rng = _rng("fragmented", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.03, 0.17, 0.8])
    link = _choice(rng, n, LINKS, [1, 1, 1, 1, 1, 1])
    park = rng.integers(0, max(2, n // 5), n)
    origin = rng.integers(0, max(2, n // 8), n)
    employees = rng.integers(10, 120, n)
    away = np.where(rng.random(n) < 0.9, rng.integers(1, 41, n), 0)
    away = np.minimum(away, employees - 1)
    on_post = np.floor((employees - away) * rng.uniform(0.3, 1.0, n)).astype(np.int64)
    electricity = rng.uniform(0.6, 1.1, n)
    stock = np.where(rng.random(n) < 0.5, 0, Q_DEFAULT * on_post * rng.uniform(0.2, 1.2, n)).astype(np.int64)
    trucks = np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0)
    output = employees * rng.uniform(0.1, 0.3, n)
    frame = _frame("FR", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    overrides = [f"supply.masks={200 * n}", f"supply.passes={max(1, n // 50)}", f"supply.buses={max(1, n // 25)}"]
    return frame, overrides


@family
def concentrated(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Few large (origin, park) groups: 3 parks, 2 origins; one chain link holds 85%.

    The opposite of ``fragmented``: at most 6 bus groups, each with thousands of waiting
    workers, so y_ok are a few large integers and the seats of a group are shared by
    hundreds of firms.  Link sizes run from one dominant link (weaving 85%) to tiny
    listed ones (dyeing and market 0.5% each), so the max-min of stage 1 hangs on a
    handful of firms.  Headcounts log-normal(5, 0.6) (median 150, every tier alike),
    electricity bimodal (0.55 or 0.95), masks in stock mostly zero, buses n/20.
    """
    rng = _rng("concentrated", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.1, 0.4, 0.5])
    link = _choice(rng, n, LINKS, [0.01, 0.85, 0.005, 0.005, 0.03, 0.1])
    park = _choice(rng, n, [0, 1, 2], [0.6, 0.3, 0.1])
    origin = _choice(rng, n, [0, 1], [0.7, 0.3])
    employees = np.clip(np.round(rng.lognormal(5.0, 0.6, n)), 5, 5000).astype(np.int64)
    on_post = np.floor(employees * rng.beta(2, 3, n)).astype(np.int64)
    away = rng.binomial(employees - on_post, 0.85)
    electricity = np.where(rng.random(n) < 0.5, rng.normal(0.55, 0.05, n), rng.normal(0.95, 0.05, n))
    stock = np.where(rng.random(n) < 0.85, 0, Q_DEFAULT * on_post * rng.uniform(0.5, 2, n)).astype(np.int64)
    trucks = np.where(rng.random(n) < 0.15, rng.integers(1, 6, n), 0)
    output = employees * rng.uniform(0.1, 0.5, n)
    frame = _frame("CO", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    overrides = [f"supply.masks={300 * n}", f"supply.passes={max(1, n // 30)}", f"supply.buses={max(1, n // 20)}"]
    return frame, overrides


@family
def heavytail(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Heavy-tailed output values and headcounts: firms worth 1 next to firms worth 1e6.

    The generator's output is headcount x a per-link productivity x log-normal(0, 0.3), so
    values per head differ by a factor of about 3.  Here output is Pareto (alpha 1.1,
    minimum 1, capped at 2e6) and unrelated to headcount, headcounts are log-normal(3, 1.6)
    (1 to 50,000), and link sizes run from a dominant link (trade 60%, other 20%) down to
    listed links of a few firms (dyeing 0.2%), so one giant can carry a whole link's
    recovery.  Stage 1's link rows and stage 2's objective carry coefficients across 6
    orders of magnitude.  Masks in stock: mostly ample (a week or more) at 60% of firms.
    """
    rng = _rng("heavytail", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.05, 0.25, 0.7])
    link = _choice(rng, n, LINKS, [0.1, 0.078, 0.002, 0.02, 0.6, 0.2])
    park = rng.integers(0, max(2, n // 40), n)
    origin = rng.integers(0, 30, n)
    employees = np.clip(np.round(rng.lognormal(3.0, 1.6, n)), 1, 50_000).astype(np.int64)
    on_post = rng.binomial(employees, rng.uniform(0.2, 0.9, n))
    away = rng.binomial(employees - on_post, 0.6)
    electricity = rng.uniform(0.5, 1.3, n)
    stock = np.where(rng.random(n) < 0.6, Q_DEFAULT * on_post * rng.uniform(1.0, 3.0, n), 0).astype(np.int64)
    trucks = np.where(rng.random(n) < 0.2, rng.integers(1, 11, n), 0)
    output = np.minimum(rng.pareto(1.1, n) + 1.0, 2e6)
    output = np.where(rng.random(n) < 0.002, rng.uniform(5e5, 1e6, n), output)  # a few giants at any size
    frame = _frame("HT", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    overrides = [f"supply.masks={150 * n}", f"supply.passes={max(1, n // 40)}", f"supply.buses={max(1, n // 50)}"]
    return frame, overrides


@family
def reserve(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """A binding tier reserve whose floor(rho * masks / pack) is one box off in binary floating point.

    ``threshold`` sets the same decimal trap, but there tier C can use fewer boxes than its
    reserve, so min(R_t, U_t) = U_t and the floor never matters.  Here tier C (60% of firms,
    no masks in stock, all eligible, output per head a tenth of tier A's) could use many times
    its reserve and is worth the least per box: the optimum gives tier C exactly
    R_C = floor(0.29 * masks / 50) boxes, with masks (about 40 per firm) chosen so that
    0.29 * masks / 50 is a whole number that binary floating point puts just below it (the
    SPEC's own example, 0.29 x 380,000 / 50 = 2,204, not 2,203).  A plan with one box fewer
    for tier C breaks the rule.  Buses and passes are few and secondary.
    """
    rng = _rng("reserve", seed)
    tier = _choice(rng, n, ["A", "B", "C"], [0.2, 0.2, 0.6])
    link = _choice(rng, n, LINKS, [1, 2, 1, 2, 2, 1])
    park = rng.integers(0, max(2, n // 30), n)
    origin = rng.integers(0, 10, n)
    employees = np.clip(np.round(rng.lognormal(3.5, 0.6, n)), 3, 2000).astype(np.int64)
    on_post = np.floor(employees * rng.uniform(0.5, 1.0, n)).astype(np.int64)
    away = np.where(rng.random(n) < 0.1, rng.binomial(employees - on_post, 0.5), 0)
    electricity = rng.uniform(0.85, 1.2, n)
    stock = np.zeros(n, dtype=np.int64)
    trucks = np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0)
    per_head = np.select([tier == "A", tier == "B"], [1.0, 0.5], 0.1)
    output = employees * per_head * rng.uniform(0.8, 1.2, n)
    frame = _frame("RS", tier, link, park, origin, employees, on_post, away, electricity, stock, trucks, output)
    masks = _decimal_trap("0.29", 40 * n, PACK_DEFAULT)
    overrides = [f"supply.masks={masks}", f"supply.passes={max(1, n // 100)}", f"supply.buses={max(1, n // 200)}",
                 "tiers.C.mask_reserve=0.29"]
    return frame, overrides


def make(name: str, n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    if name not in FAMILIES:
        raise SystemExit(f"unknown family {name!r}; families: {', '.join(FAMILIES)}")
    return FAMILIES[name](n, seed)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, as the project's own generator writes."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write(name: str, n: int, seed: int, path: Path) -> list[str]:
    frame, overrides = make(name, n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(to_csv_bytes(frame))
    tmp.replace(path)
    return overrides


def cached(name: str, n: int, seed: int) -> tuple[Path, list[str]]:
    """benchmarks/cache/{name}-{n}-{seed}.csv and its overrides (.json next to it), made once."""
    csv_path = CACHE / f"{name}-{n}-{seed}.csv"
    meta = csv_path.with_suffix(".json")
    if csv_path.exists() and meta.exists():
        return csv_path, json.loads(meta.read_text())["overrides"]
    overrides = write(name, n, seed, csv_path)
    meta.write_text(json.dumps({"family": name, "n": n, "seed": seed, "overrides": overrides}, indent=1))
    return csv_path, overrides


def set_args(overrides: list[str]) -> list[str]:
    return [x for item in overrides for x in ("--set", item)]


def validate(path: Path, overrides: list[str]) -> tuple[bool, str]:
    """Run ``python -m allocator validate`` on a file with its overrides (exit 0 = valid)."""
    out = subprocess.run([sys.executable, "-m", "allocator", "validate", str(path), *set_args(overrides)],
                         capture_output=True, text=True)
    return out.returncode == 0, (out.stdout + out.stderr).strip()


def describe(frame: pd.DataFrame) -> str:
    groups = frame[frame["workers_away"] > 0].groupby(["origin", "park"]).size()
    links = frame["chain_link"].value_counts().to_dict()
    v = frame["output_value"]
    return (f"{len(frame)} firms, {frame['park'].nunique()} parks, {frame['origin'].replace('', np.nan).nunique()} origins, "
            f"{len(groups)} bus groups (largest {groups.max() if len(groups) else 0}), links {links}, "
            f"output {v.min():g}..{v.max():g}, away {int(frame['workers_away'].sum())}, "
            f"trucks {int(frame['trucks_needed'].sum())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("family", nargs="?", help="family name, or 'all' (with --check: every family into the cache)")
    parser.add_argument("--n", type=int, default=2000, help="firms (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, help="CSV to write (default: benchmarks/cache/FAMILY-N-SEED.csv)")
    parser.add_argument("--check", action="store_true", help="validate the file(s) with python -m allocator validate")
    parser.add_argument("--describe", action="store_true", help="print the shape of the instance to stderr")
    parser.add_argument("--list", action="store_true", help="list the families and their one-line summaries")
    args = parser.parse_args()
    if args.list or not args.family:
        for name, func in FAMILIES.items():
            print(f"{name:<13} {(func.__doc__ or '').strip().splitlines()[0]}")
        return
    names = list(FAMILIES) if args.family == "all" else [args.family]
    failed = False
    for name in names:
        if args.output and len(names) == 1:
            overrides = write(name, args.n, args.seed, args.output)
            path = args.output
        else:
            path, overrides = cached(name, args.n, args.seed)
        print(" ".join(set_args(overrides)) if len(names) == 1 else f"{name}: {path} {' '.join(set_args(overrides))}")
        if args.describe:
            print(f"{name}: {describe(make(name, args.n, args.seed)[0])}", file=sys.stderr)
        if args.check:
            ok, text = validate(path, overrides)
            failed |= not ok
            print(f"{name}: validate {'ok' if ok else 'FAILED'}", file=sys.stderr)
            if not ok:
                print(text, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
