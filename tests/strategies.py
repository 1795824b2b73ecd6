"""Hypothesis strategies and helpers shared by the property tests: tiny random instances."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from allocator.data.instance import Instance
from allocator.options import SolveOptions

EXACT = SolveOptions(time_limit=20, rel_gap=1e-9)


@st.composite
def firms(draw):
    n = draw(st.integers(1, 7))
    rows = []
    for _ in range(n):
        employees = draw(st.integers(1, 60))
        on_post = draw(st.integers(0, employees))
        away = draw(st.integers(0, employees - on_post))
        rows.append(
            dict(
                employees=employees,
                on_post=on_post,
                away=away,
                origin=draw(st.sampled_from(["O1", "O2"])),
                park=draw(st.sampled_from(["P1", "P2"])),
                link=draw(st.sampled_from(["fibre", "dyeing", "market", "other"])),
                tier=draw(st.sampled_from("ABC")),
                e=draw(st.sampled_from([0.3, 0.79, 0.8, 0.95, 1.1])),
                stock=draw(st.integers(0, 15 * employees)),
                trucks=draw(st.integers(0, 4)),
                value=draw(st.floats(0.5, 50, allow_nan=False).map(lambda x: round(x, 2))),
            )
        )
    return rows


def make_instance(rows) -> Instance:
    col = lambda key, dtype=object: np.array([r[key] for r in rows], dtype=dtype)  # noqa: E731
    return Instance(
        source="<hypothesis>", sha256="", rows=np.arange(2, len(rows) + 2),
        enterprise_id=np.array([f"E{i}" for i in range(len(rows))], dtype=object),
        name=np.array([""] * len(rows), dtype=object), park=col("park"), chain_link=col("link"), tier=col("tier"),
        employees=col("employees", np.int64), on_post=col("on_post", np.int64), workers_away=col("away", np.int64),
        origin=np.array([r["origin"] if r["away"] else "" for r in rows], dtype=object),
        electricity_recovery=col("e", float), masks_in_stock=col("stock", np.int64),
        trucks_needed=col("trucks", np.int64), output_value=col("value", float),
    )


supplies = st.fixed_dictionaries(
    {
        "supply.masks": st.integers(0, 600),
        "supply.mask_pack": st.sampled_from([10, 50]),
        "supply.passes": st.integers(0, 4),
        "supply.buses": st.integers(0, 3),
        "supply.bus_seats": st.sampled_from([5, 20]),
        "rules.chain_balance": st.booleans(),
        "tiers.C.mask_reserve": st.sampled_from([0.0, 0.3]),
    }
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
