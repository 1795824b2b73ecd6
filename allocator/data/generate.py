"""Synthetic instances calibrated to the Keqiao figures (February-March 2020).

The bureau's real enterprise register is not public, so tests, benchmarks and the
bundled ``instances/keqiao-2020.csv`` use an instance drawn from distributions
calibrated to the published figures: 1,224 above-scale enterprises of which 150 are
key (tier A), about 8,700 small and micro enterprises, 110 industrial parks, 108
printing-and-dyeing firms, 2,056 exporters, about 850 enterprises whose electricity
use has recovered to 80% or more, a few hundred that need freight passes, and
migrant workers from 25 home regions.  README.md lists the figures of the bundled
file.  Everything is drawn from one seeded ``numpy`` generator, so a preset and a
seed always give the same file (for a given numpy version).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LINKS = ("fibre", "weaving", "dyeing", "market", "trade", "other")

#: Firms per (tier, chain link) in the Keqiao preset, in the order of LINKS.
#: Row sums: 150 key, 1,074 other above-scale, 8,700 small/micro; dyeing = 108,
#: trade = 2,056 (the exporters of the reference case).
KEQIAO_COUNTS = {
    "A": (25, 45, 30, 10, 30, 10),
    "B": (95, 480, 78, 60, 250, 111),
    "C": (80, 3600, 0, 2800, 1776, 444),
}

#: Home regions of the migrant workers (bus departure points), most frequent first.
ORIGINS = (
    "贵州毕节", "四川广安", "安徽阜阳", "河南信阳", "江西上饶", "湖北黄冈", "云南昭通",
    "重庆万州", "湖南邵阳", "甘肃天水", "河南周口", "安徽六安", "四川达州", "贵州铜仁",
    "江西赣州", "湖南怀化", "云南曲靖", "四川南充", "河南商丘", "安徽亳州", "湖北恩施",
    "广西河池", "陕西汉中", "山东临沂", "江苏徐州",
)

TOWNS = (
    "柯桥", "柯岩", "华舍", "齐贤", "安昌", "福全", "钱清", "杨汛桥", "漓渚", "平水",
    "王坛", "稽东", "夏履", "兰亭", "马鞍", "湖塘",
)

_BRAND = "恒永盛华兴达隆宝丰泰祥瑞鑫源昌新佳美天海金利富嘉和顺通远创宏明光越信诚"
_TRADE = {
    "fibre": "化纤",
    "weaving": "纺织",
    "dyeing": "印染",
    "market": "布业",
    "trade": "进出口",
    "other": "实业",
}
#: Daily output at full capacity per employee (10k yuan), by chain link.
_PRODUCTIVITY = {"fibre": 0.5, "weaving": 0.15, "dyeing": 0.3, "market": 0.2, "trade": 0.25, "other": 0.1}
#: Share of missing workers who are migrants waiting for transport, by chain link.
_MIGRANT_SHARE = {"fibre": 0.5, "weaving": 0.75, "dyeing": 0.75, "market": 0.35, "trade": 0.35, "other": 0.45}
#: Probability that a firm needs cross-district freight vehicles, by chain link.
_TRUCK_PROB = {"fibre": 0.3, "weaving": 0.02, "dyeing": 0.6, "market": 0.03, "trade": 0.05, "other": 0.01}


@dataclass(frozen=True)
class Preset:
    """Sizes of a synthetic instance; ``scale`` multiplies the Keqiao firm counts."""

    scale: float
    parks: int
    origins: int


PRESETS = {
    "keqiao": Preset(scale=1.0, parks=110, origins=25),
    "small": Preset(scale=0.03, parks=12, origins=6),
    "province": Preset(scale=10.1, parks=1000, origins=60),
}


def generate(preset: str = "keqiao", seed: int = 1) -> pd.DataFrame:
    """Draw one instance as a table with the SPEC's columns, in a stable order."""
    spec = PRESETS[preset]
    rng = np.random.default_rng(seed)
    tier, link = _firms(spec.scale)
    n = len(tier)
    parks = _park_names(spec.parks)
    origins = _origin_names(spec.origins)
    park_idx = _draw_parks(rng, n, spec.parks)
    employees = _employees(rng, tier, link)
    on_post, away = _workforce(rng, tier, link, employees)
    origin_idx = _draw_origins(rng, park_idx, spec.parks, len(origins))
    electricity = _electricity(rng, tier, on_post / employees)
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"KQ{i + 1:06d}" for i in range(n)],
            "name": _names(rng, link),
            "park": parks[park_idx],
            "chain_link": link,
            "tier": tier,
            "employees": employees,
            "on_post": on_post,
            "workers_away": away,
            "origin": np.where(away > 0, origins[origin_idx], ""),
            "electricity_recovery": electricity,
            "masks_in_stock": _mask_stock(rng, tier, on_post),
            "trucks_needed": _trucks(rng, tier, link),
            "output_value": _output(rng, link, employees),
        }
    )
    return frame


def _firms(scale: float) -> tuple[np.ndarray, np.ndarray]:
    tiers, links = [], []
    for tier, counts in KEQIAO_COUNTS.items():
        for link, count in zip(LINKS, counts):
            k = int(round(count * scale))
            tiers += [tier] * k
            links += [link] * k
    return np.array(tiers), np.array(links)


def _park_names(count: int) -> np.ndarray:
    names = [f"{TOWNS[i % len(TOWNS)]}第{i // len(TOWNS) + 1}工业园" for i in range(count)]
    return np.array(names)


def _origin_names(count: int) -> np.ndarray:
    names = list(ORIGINS[:count])
    names += [f"{ORIGINS[i % len(ORIGINS)]}{i // len(ORIGINS) + 1}区" for i in range(len(names), count)]
    return np.array(names)


def _draw_parks(rng: np.random.Generator, n: int, parks: int) -> np.ndarray:
    """Park sizes follow a Zipf-like law: a few large parks, many small ones."""
    weight = 1.0 / np.arange(1, parks + 1) ** 0.8
    return rng.choice(parks, size=n, p=weight / weight.sum())


def _employees(rng: np.random.Generator, tier: np.ndarray, link: np.ndarray) -> np.ndarray:
    median = np.select([tier == "A", tier == "B"], [800.0, 180.0], 18.0)
    sigma = np.select([tier == "A", tier == "B"], [0.5, 0.6], 0.7)
    low = np.select([tier == "A", tier == "B"], [200, 30], 2)
    high = np.select([tier == "A", tier == "B"], [5000, 1500], 150)
    size = median * np.exp(sigma * rng.standard_normal(len(tier)))
    size = np.where(link == "dyeing", size * 1.3, size)
    return np.clip(np.round(size), low, high).astype(np.int64)


def _workforce(
    rng: np.random.Generator, tier: np.ndarray, link: np.ndarray, employees: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    mean = np.select([tier == "A", tier == "B"], [0.62, 0.55], 0.48)
    share = rng.beta(mean * 8, (1 - mean) * 8)
    on_post = np.floor(employees * share).astype(np.int64)
    migrant = np.array([_MIGRANT_SHARE[x] for x in link])
    away = rng.binomial(employees - on_post, migrant)
    return on_post, away.astype(np.int64)


def _draw_origins(rng: np.random.Generator, park_idx: np.ndarray, parks: int, origins: int) -> np.ndarray:
    """Workers of one park mostly come from a few home regions (townsmen recruit townsmen)."""
    favourite = rng.integers(0, origins, size=(parks, 3))
    pick = rng.integers(0, 3, size=len(park_idx))
    weight = 1.0 / np.arange(1, origins + 1)
    anywhere = rng.choice(origins, size=len(park_idx), p=weight / weight.sum())
    return np.where(rng.random(len(park_idx)) < 0.7, favourite[park_idx, pick], anywhere)


def _electricity(rng: np.random.Generator, tier: np.ndarray, on_share: np.ndarray) -> np.ndarray:
    """Electricity recovery follows staffing; key firms got priority power and restarted first."""
    base = np.select([tier == "A", tier == "B"], [0.58, 0.5], 0.24)
    value = base + 0.55 * on_share + 0.12 * rng.standard_normal(len(tier))
    return np.round(np.clip(value, 0.0, 1.25), 3)


def _mask_stock(rng: np.random.Generator, tier: np.ndarray, on_post: np.ndarray) -> np.ndarray:
    """Days of masks in hand for the staff on post (2 masks a day); many small firms hold none."""
    days = rng.uniform(1.0, 10.0, len(tier))
    empty = rng.random(len(tier)) < np.where(tier == "C", 0.15, 0.03)
    return np.where(empty, 0, np.round(2 * on_post * days)).astype(np.int64)


def _trucks(rng: np.random.Generator, tier: np.ndarray, link: np.ndarray) -> np.ndarray:
    prob = np.array([_TRUCK_PROB[x] for x in link]) * np.select([tier == "A", tier == "B"], [2.0, 1.0], 0.5)
    needs = rng.random(len(tier)) < np.minimum(prob, 0.95)
    count = 1 + rng.poisson(np.where(tier == "A", 2.5, 1.0))
    return np.where(needs, count, 0).astype(np.int64)


def _output(rng: np.random.Generator, link: np.ndarray, employees: np.ndarray) -> np.ndarray:
    per_head = np.array([_PRODUCTIVITY[x] for x in link])
    value = employees * per_head * np.exp(0.3 * rng.standard_normal(len(link)))
    return np.round(np.maximum(value, 0.01), 2)


def _names(rng: np.random.Generator, link: np.ndarray) -> list[str]:
    first = rng.integers(0, len(_BRAND), len(link))
    second = rng.integers(0, len(_BRAND), len(link))
    return [f"绍兴{_BRAND[a]}{_BRAND[b]}{_TRADE[x]}有限公司" for a, b, x in zip(first, second, link)]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM so Excel opens the Chinese names correctly; numbers as written."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


#: A week's arrivals at the Keqiao scale: 650 thousand masks were gathered and 380 thousand sent
#: in the first week (the scenario's store on day 1), so about 270 thousand more arrive from the
#: district's own production on days 2..7, rising as lines restart; charter buses and the
#: "employment special trains" ran every day; passes were issued as they were approved.
WEEK_MASKS = 270_000
WEEK_DAYS = 7


def generate_arrivals(preset: str = "keqiao", seed: int = 1, days: int = WEEK_DAYS) -> pd.DataFrame:
    """ARRIVALS.csv for ``days`` (day, masks, passes, buses), scaled to the preset's size; the same
    preset and seed always give the same file.  Masks arrive from day 2 on, in whole hundreds,
    production rising through the week (a week's total of about WEEK_MASKS x scale over 7 days);
    buses arrive every day (day 1's on top of the scenario's supply.buses); passes from day 2."""
    scale = PRESETS[preset].scale
    rng = np.random.default_rng(seed + 10_007)  # not the instance's stream: the two files stay independent
    day = np.arange(1, days + 1)
    ramp = np.where(day > 1, 0.6 + 0.15 * (day - 2) + 0.1 * rng.standard_normal(days), 0.0).clip(0)
    share = ramp / ramp[1:].sum() * (days - 1) / (WEEK_DAYS - 1) if days > 1 else ramp
    masks = np.round(WEEK_MASKS * scale * share / 100).astype(np.int64) * 100
    buses = np.maximum(1, np.round(scale * rng.integers(25, 46, days) * np.where(day == 1, 0.4, 1.0))).astype(np.int64)
    passes = np.where(day > 1, np.round(scale * rng.integers(4, 13, days)), 0).astype(np.int64)
    return pd.DataFrame({"day": day, "masks": masks, "passes": passes, "buses": buses})
