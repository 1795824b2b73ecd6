"""What a stage may claim about its plan: the SPEC's holds and proofs, exactly.

A stage reports its plan's value (recomputed from the integer decisions), the bound the
solver or a priced relaxation proved (as proven: never moved toward the plan) and what
the two together allow it to say:

* ``optimal``: the bound is within 1e-8 absolute of the value in stage 1 (a share in
  [0, 1]), within 1e-7 relative in stage 2, equal in stage 3 (whole units);
* ``within gap``: the proven relative gap is within the requested one (default 1e-4);
* otherwise the reason the search stopped (time limit, work limit) or ``feasible``.

A bound on the wrong side of the verified plan is a numerical failure: the bound is
reported as it came (the SPEC: the raw bound), with a note, and nothing is claimed.  Below
``FLOAT_NOISE`` the two differ only by the rounding of two double-precision sums (HiGHS's
objective and our recomputation of the same plan; with integrality held to 1e-8, see
allocator.backends.highs): the bound counts as meeting the plan and is reported as the plan's
value, since a bound a hair below a maximisation's own plan reads as a contradiction.

The holds: stage 2's plans keep min link >= z1 - 1e-6 and stage 3's also keep weighted
output >= z2 (1 - 1e-6), where z1 and z2 are the recomputed values of the plans the
earlier stages kept.  Rows may be written tighter to *find* plans, never to prove one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

#: The SPEC's tolerances for holding an earlier stage.
HOLD_LINK_ABS = 1e-6
HOLD_OUTPUT_REL = 1e-6
#: The SPEC's definition of "optimal" per stage: absolute in stage 1, relative in stage 2,
#: exact in stage 3.
OPTIMAL_ABS_STAGE1 = 1e-8
OPTIMAL_REL_STAGE2 = 1e-7
#: Relative difference between a bound and a recomputed value that is only rounding.
FLOAT_NOISE = 1e-9


class Status(str, Enum):
    OPTIMAL = "optimal"  # proven within the SPEC's definition for the stage
    WITHIN_GAP = "within gap"  # proven gap at or below the requested relative gap
    FEASIBLE = "feasible"  # a plan without such a proof
    TIME_LIMIT = "time limit"
    WORK_LIMIT = "work limit"
    INTERRUPTED = "interrupted"  # stopped at the officer's request (Ctrl-C), like a time limit
    NO_SOLUTION = "no solution"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Claim:
    """A stage's status and gap, the bound to report, and a note when the bound contradicts the plan."""

    status: Status
    gap: float | None
    note: str = ""
    bound: float | None = None  # as proven (raw on a numerical failure); the plan's value where it lay past it by rounding only


def link_hold(z1: float | None) -> float | None:
    """The lowest link recovery every later plan must keep (None without stage 1)."""
    return None if z1 is None else z1 - HOLD_LINK_ABS


def output_hold(z2: float) -> float:
    """The weighted output every stage-3 plan must keep."""
    return z2 * (1 - HOLD_OUTPUT_REL)


def holds(min_link: float | None, output: float, z1: float | None, z2: float | None) -> bool:
    """Whether a plan's recomputed values keep the holds of the earlier stages (exact comparison)."""
    hold = link_hold(z1)
    if hold is not None and (min_link is None or min_link < hold):
        return False
    return z2 is None or output >= output_hold(z2)


def wrong_side(sense: str, value: float | None, bound: float | None) -> float:
    """How far the bound lies on the wrong side of the value (0 when it does not), relative."""
    if value is None or bound is None:
        return 0.0
    beyond = value - bound if sense == "max" else bound - value
    return max(0.0, beyond) / max(1.0, abs(value))


def gap(sense: str, value: float | None, bound: float | None) -> float | None:
    """Relative gap |bound - value| / |value| (never negative); None when unknown."""
    if value is None or bound is None:
        return None
    distance = bound - value if sense == "max" else value - bound
    if distance <= 0:  # meets the plan (judge() says whether a bound this far past it is rounding)
        return 0.0
    if abs(value) < 1e-12:
        return 0.0 if distance <= 1e-12 else math.inf
    # below 1e-12 the bound and the recomputed value agree to float rounding; HiGHS's bound
    # can move in its last bits between runs, which would make comparison.csv differ
    # between otherwise identical sweeps
    relative = distance / abs(value)
    return relative if relative > 1e-12 else 0.0


def is_optimal(stage: int, sense: str, value: float, bound: float) -> bool:
    """The SPEC's "optimal" for this stage, from the value and the bound as proven."""
    distance = bound - value if sense == "max" else value - bound
    if stage == 1:
        return distance <= OPTIMAL_ABS_STAGE1
    if stage == 2:
        return distance <= OPTIMAL_REL_STAGE2 * abs(value)
    return distance <= 0


def at_least_no_units(value: float | None, bound: float | None) -> float | None:
    """Stage 3's bound for a plan of ``value`` units: a plan of none is optimal, whatever ran.  A
    guided stage 3 over a model with nothing to decide (every firm already at its most) runs no
    solver and had no bound, so it said "feasible" of 0 units.  Otherwise the bound as proven
    (None stays None: a stop before any search reports no bound, not a gap of 100%)."""
    return 0.0 if value == 0 and (bound is None or bound < 0) else bound


def judge(stage: int, sense: str, value: float | None, bound: float | None, outcome: str, rel_gap: float) -> Claim:
    """What a stage may claim from its recomputed value, its proven bound and how the search ended.

    A bound past the verified plan's value by float rounding only (4e-13 on a small register's
    stage 2) is reported as that value: no plan can do worse than one that exists, and a report
    whose bound lies below its own plan in a maximisation reads as a contradiction.  Past it by
    more, it is reported raw, as the SPEC asks, beside the note that claims nothing."""
    if value is None:
        return Claim(_stopped(outcome, Status.NO_SOLUTION), None, bound=bound)
    beyond = wrong_side(sense, value, bound)
    if beyond > FLOAT_NOISE:
        note = (f"stage {stage}: the proven bound {bound:.12g} is on the wrong side of the verified plan's value "
                f"{value:.12g} (by {beyond:.1e} relative): a numerical failure of the solver; nothing is claimed")
        return Claim(_stopped(outcome, Status.FEASIBLE), None, note, bound=bound)
    if beyond > 0:
        bound = value
    relative = gap(sense, value, bound)
    if bound is not None and is_optimal(stage, sense, value, bound):
        return Claim(Status.OPTIMAL, relative, bound=bound)
    if relative is not None and relative <= rel_gap:
        return Claim(Status.WITHIN_GAP, relative, bound=bound)
    return Claim(_stopped(outcome, Status.FEASIBLE), relative, bound=bound)


def _stopped(outcome: str, otherwise: Status) -> Status:
    return {"time": Status.TIME_LIMIT, "work": Status.WORK_LIMIT, "interrupted": Status.INTERRUPTED}.get(outcome, otherwise)
