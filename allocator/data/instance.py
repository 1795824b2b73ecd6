"""The enterprises of one instance, as typed columns validated once at the edge.

An instance of a province holds 100,000 enterprises, so the data is kept column-wise
(numpy arrays) rather than as one object per row; :meth:`Instance.enterprise` gives the
row view an officer thinks in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Canonical column names, in the order of the SPEC's table.
COLUMNS = (
    "enterprise_id",
    "name",
    "park",
    "chain_link",
    "tier",
    "employees",
    "on_post",
    "workers_away",
    "origin",
    "electricity_recovery",
    "masks_in_stock",
    "trucks_needed",
    "output_value",
)
REQUIRED = ("enterprise_id", "park", "chain_link", "tier", "employees", "on_post", "electricity_recovery")
COUNT_COLUMNS = ("employees", "on_post", "workers_away", "masks_in_stock", "trucks_needed")
REAL_COLUMNS = ("electricity_recovery", "output_value")


@dataclass(frozen=True)
class Enterprise:
    """One row of the instance, for explanations and tests."""

    enterprise_id: str
    name: str
    park: str
    chain_link: str
    tier: str
    employees: int
    on_post: int
    workers_away: int
    origin: str
    electricity_recovery: float
    masks_in_stock: int
    trucks_needed: int
    output_value: float
    row: int


@dataclass(frozen=True, eq=False)
class Instance:
    """Every enterprise of one instance file; arrays share one index (input order)."""

    source: str
    sha256: str
    rows: np.ndarray
    enterprise_id: np.ndarray
    name: np.ndarray
    park: np.ndarray
    chain_link: np.ndarray
    tier: np.ndarray
    employees: np.ndarray
    on_post: np.ndarray
    workers_away: np.ndarray
    origin: np.ndarray
    electricity_recovery: np.ndarray
    masks_in_stock: np.ndarray
    trucks_needed: np.ndarray
    output_value: np.ndarray
    notes: tuple = ()  # what the reader decided, as allocator.errors.InputProblem (a header below a title...)

    def __len__(self) -> int:
        return len(self.enterprise_id)

    def enterprise(self, index: int) -> Enterprise:
        values = {col: getattr(self, col)[index] for col in COLUMNS}
        for col in COUNT_COLUMNS:
            values[col] = int(values[col])
        for col in REAL_COLUMNS:
            values[col] = float(values[col])
        return Enterprise(**values, row=int(self.rows[index]))

    def index_of(self, enterprise_id: str) -> int:
        """Position of an enterprise in input order; KeyError if absent."""
        hits = np.flatnonzero(self.enterprise_id == enterprise_id)
        if len(hits) == 0:
            raise KeyError(enterprise_id)
        return int(hits[0])
