"""A synthetic commissioners file, calibrated to Keqiao (February-March 2020).

The district stationed 1,842 commissioners in enterprises by field (industry regulation,
commerce and trade, key foreign trade, major projects), and the bureau's own team went
"one to one" to the 60 key high-voltage users.  The real list is not public, so this draws
one for a given instance:

* leaders: the bureau's team, 10% more than the key firms (66 for 60; never more than a
  tenth of the people), district-wide, their fields in proportion to the key firms';
* the other people: fields in proportion to the firms each field serves (a firm counts for
  the first field ``[assign.fields]`` gives its chain link; ``projects`` for firms whose
  ``project`` column is yes), home parks in proportion to that field's firms in each park
  (largest remainders), 3% district-wide;
* capacity: the file's default, 6 firms each (no published figure says more); ``capacities``
  draws a mix instead, e.g. ``MIXED`` = 4, 5, 6 or 8 firms (10%, 15%, 60%, 15%), which makes
  stage 3 markedly harder (README "Commissioners").

One seeded numpy generator: the same instance, count and seed give the same file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np

from allocator.data.instance import Instance
from allocator.data.scenario import ASSIGN_FIELDS, Scenario

DEFAULT = {6: 1.0}
MIXED = {4: 0.10, 5: 0.15, 6: 0.60, 8: 0.15}
DISTRICT_SHARE = 0.03
LEADERS_PER_KEY_FIRM = 1.1
COLUMNS = ("commissioner_id", "name", "field", "park", "capacity", "leader")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏宇浩婷玲晨斌波琳峰红燕雪梅飞鑫"


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Whole shares of ``total`` in proportion to ``weights`` (Hamilton's method, ties by position)."""
    weight = float(sum(weights))
    if total <= 0 or weight <= 0:
        return [0] * len(weights)
    exact = [total * w / weight for w in weights]
    out = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:total - sum(out)]:
        out[i] += 1
    return out


def primary_fields(instance: Instance, scenario: Scenario, project: np.ndarray | None = None) -> list[str]:
    """The field each firm counts for: ``projects`` for a project, else its link's first field ('' if none)."""
    out = []
    for k, link in enumerate(instance.chain_link.tolist()):
        fields = scenario.assign.fields_for(link)
        out.append("projects" if project is not None and project[k] else (fields[0] if fields else ""))
    return out


def generate_commissioners(instance: Instance, scenario: Scenario, people: int, seed: int = 1,
                           project: np.ndarray | None = None, capacities: dict[int, float] | None = None
                           ) -> list[dict[str, object]]:
    """``people`` rows of a commissioners file for ``instance``."""
    from allocator.assign.problem import key_firms
    from allocator.problem import Problem

    rng = np.random.default_rng(seed)
    field_of = primary_fields(instance, scenario, project)
    key = key_firms(Problem(instance, scenario))
    leaders = min(int(round(LEADERS_PER_KEY_FIRM * int(key.sum()))), people // 10)
    key_count = Counter(f for f, k in zip(field_of, key.tolist()) if k and f)
    firm_count = Counter(f for f in field_of if f)
    rows: list[dict[str, object]] = []
    lead_fields = largest_remainder(leaders, [key_count[f] for f in ASSIGN_FIELDS])
    for f, n in zip(ASSIGN_FIELDS, lead_fields):
        rows += [{"field": f, "park": "", "capacity": 1, "leader": "yes"} for _ in range(n)]
    staff_fields = largest_remainder(people - leaders, [firm_count[f] for f in ASSIGN_FIELDS])
    parks = sorted(set(instance.park.tolist()))
    for f, n in zip(ASSIGN_FIELDS, staff_fields):
        district = int(round(DISTRICT_SHARE * n))
        per_park = Counter(p for p, g in zip(instance.park.tolist(), field_of) if g == f)
        homes = largest_remainder(n - district, [per_park[p] for p in parks])
        for p, count in zip([""] + parks, [district] + homes):
            rows += [{"field": f, "park": p, "leader": "no"} for _ in range(count)]
    staff = [r for r in rows if r["leader"] == "no"]
    mix = capacities or DEFAULT
    drawn = rng.choice(list(mix), size=len(staff), p=list(mix.values())) if len(mix) > 1 else [next(iter(mix))] * len(staff)
    for r, c in zip(staff, list(drawn)):
        r["capacity"] = int(c)
    surname = rng.integers(0, len(_SURNAMES), len(rows))
    given = rng.integers(0, len(_GIVEN), (len(rows), 2))
    two = rng.random(len(rows)) < 0.7
    for n, r in enumerate(rows):
        r["commissioner_id"] = f"ZY{n + 1:05d}"
        r["name"] = _SURNAMES[surname[n]] + _GIVEN[given[n, 0]] + (_GIVEN[given[n, 1]] if two[n] else "")
    return [{c: r[c] for c in COLUMNS} for r in rows]


def to_csv_bytes(rows: list[dict[str, object]]) -> bytes:
    """UTF-8 with a BOM (Excel shows the Chinese names), LF line ends like the bundled instance."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def commissioners_csv(people: int, seed: int, instance: str | None = None, preset: str = "keqiao",
                      capacities: dict[int, float] | None = None) -> bytes:
    """The file ``allocator generate --commissioners`` writes: for an instance file, or for the
    instance the preset draws with the same seed (read back exactly as ``solve`` would read it)."""
    from allocator.assign.problem import read_project
    from allocator.data.reading import parse_records
    from allocator.data.scenario import load_scenario
    from allocator.data.table import read_table

    if instance is None:
        import tempfile
        from pathlib import Path

        from allocator.data.generate import generate
        from allocator.data.generate import to_csv_bytes as instance_bytes

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "instance.csv"
            path.write_bytes(instance_bytes(generate(preset, seed)))
            table = read_table(path)
    else:
        table = read_table(instance)
    inst = parse_records(table.header, table.records, table.lines, table.source, table.sha256)
    rows = generate_commissioners(inst, load_scenario(), people, seed, read_project(table), capacities)
    return to_csv_bytes(rows)
