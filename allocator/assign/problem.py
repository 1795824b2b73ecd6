"""The assignment problem: the allocation's firms (pain points, key firms, fields) and the people.

The allocation comes first: the instance solved under the scenario exactly as ``allocator
solve`` does.  Each firm's pain point is its binding input after it and its gap 1 - c_after;
its priority pi_i = 1 + w_t (1 - c_after_i) is kept as an exact fraction (c_after from the
integer decisions, w_t and the freight-free share on the decimals as written), so that the
stage-2 value and its proof never depend on floating point.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

from allocator.allocation import binding_input
from allocator.assign.staff import Commissioner, Staff, parse_staff, yes_no
from allocator.data.reading import header_score, parse_table
from allocator.data.scenario import ASSIGN_FIELDS, Scenario, load_scenario
from allocator.data.table import Table, read_table
from allocator.errors import InputError, InputProblem
from allocator.problem import Problem
from allocator.result import Result

#: Headers of the instance's optional column "this firm is a major project".
PROJECT_HEADERS = ("project", "major_project", "重大项目", "是否重大项目")


@dataclass(frozen=True)
class Inputs:
    """What ``allocator assign`` reads: the instance (as ``solve`` reads it), the project flags, the people."""

    problem: Problem
    project: np.ndarray
    staff: Staff
    started: float


def load_inputs(instance: str | Path, commissioners: str | Path, scenario: str | Path | None = None,
                sets: list[str] | None = None, encoding: str | None = None, sheet: str | None = None) -> Inputs:
    """Read and check both files and the scenario; raises InputError listing every problem of all three."""
    started = time.perf_counter()
    problems: list[InputProblem] = []
    inst = project = scen = staff = None
    try:
        table = read_table(instance, encoding, sheet=sheet, find_header=header_score)  # as solve reads it
        inst = parse_table(table)
        project = read_project(table)
    except InputError as exc:
        problems += exc.problems
    try:
        scen = load_scenario(scenario, sets)
    except InputError as exc:
        problems += exc.problems
    try:
        people = read_table(commissioners, encoding, no_rows="err_no_commissioner_rows")
        staff = parse_staff(people.header, people.records, people.lines, people.source, people.sha256)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return Inputs(Problem(inst, scen), project, staff, started)


def read_project(table: Table) -> np.ndarray:
    """The optional ``project`` column (yes/no, 是/否; blank = no); every firm ``no`` without it."""
    lowered = [cell.strip().lower() for cell in table.header]
    where = [i for i, name in enumerate(lowered) if name in PROJECT_HEADERS]
    flags = np.zeros(len(table.records), dtype=bool)
    if not where:
        return flags
    position, problems = where[0], []
    for k, (fields, line) in enumerate(zip(table.records, table.lines)):
        text = fields[position] if position < len(fields) else ""
        value = yes_no(text)
        if value is None:
            problems.append(InputProblem(table.source, f"must be yes or no (是/否), got {text.strip()!r}", row=line,
                                         column=table.header[position].strip()))
        flags[k] = bool(value)
    if problems:
        raise InputError(problems)
    return flags


def key_firms(problem: Problem) -> np.ndarray:
    """The ``assign.key_firms`` tier-A firms with the largest output value (ties by enterprise_id)."""
    inst = problem.instance
    count = problem.scenario.assign.key_firms
    tier_a = [i for i in range(len(inst)) if inst.tier[i] == "A"]
    tier_a.sort(key=lambda i: (-float(inst.output_value[i]), str(inst.enterprise_id[i])))
    key = np.zeros(len(inst), dtype=bool)
    key[tier_a[:count]] = True
    return key


def exact(value: float) -> Fraction:
    """A scenario number as the officer wrote it (its shortest repr), as an exact fraction."""
    return Fraction(Decimal(repr(float(value))))


def exact_priorities(result: Result) -> tuple[list[Fraction], list[Fraction]]:
    """c_after and pi = 1 + w_t (1 - c_after) per firm, exactly, from the allocation's integer decisions."""
    problem, alloc = result.problem, result.allocation
    inst, sc = problem.instance, problem.scenario
    q, pack = sc.rules.masks_per_worker, sc.supply.mask_pack
    share = exact(sc.rules.freight_free_share)
    weight = {tier: exact(rule.weight) for tier, rule in sc.tiers.items()}
    columns = (inst.employees, inst.on_post, inst.masks_in_stock, inst.trucks_needed,
               alloc.boxes, alloc.passes, alloc.returned)
    c_after, pi = [], []
    for tier, (E, P, S, T, b, p, r) in zip(inst.tier.tolist(), zip(*(col.tolist() for col in columns))):
        c = min(Fraction(1), Fraction(P + r, E))
        if q > 0:
            c = min(c, Fraction(S + pack * b, q * E))
        if T > 0:
            c = min(c, share + (1 - share) * Fraction(p, T))
        c_after.append(c)
        pi.append(1 + weight[tier] * (1 - c))
    return c_after, pi


@dataclass(frozen=True, eq=False)
class AssignProblem:
    """The allocation's firms and the people, with what the rules derive from them (input order)."""

    result: Result
    staff: Staff
    project: np.ndarray
    key: np.ndarray = field(init=False)
    pi: tuple[Fraction, ...] = field(init=False)
    c_exact: tuple[Fraction, ...] = field(init=False)
    binding: np.ndarray = field(init=False)
    fields: tuple[tuple[str, ...], ...] = field(init=False)  # per firm: the fields that may serve it
    servable: np.ndarray = field(init=False)  # some person of the file may serve it under the rules
    parks: tuple[str, ...] = field(init=False)  # the parks of the instance, sorted

    def __post_init__(self) -> None:
        problem = self.result.problem
        inst, rules = problem.instance, problem.scenario.assign
        c_exact, pi = exact_priorities(self.result)
        by_link = {link: rules.fields_for(link) for link in set(inst.chain_link.tolist())}
        fields = tuple(_ordered(by_link[link] + (("projects",) if proj else ()))
                       for link, proj in zip(inst.chain_link.tolist(), self.project.tolist()))
        _set(self, key=key_firms(problem), pi=tuple(pi), c_exact=tuple(c_exact),
             binding=binding_input(problem, self.result.allocation, self.result.evaluation.c_after), fields=fields,
             parks=tuple(sorted(set(inst.park.tolist()))))
        staffed = {p.field for p in self.staff if not p.leader}
        leading = {p.field for p in self.staff if p.leader}
        servable = [bool(set(f) & staffed) or (bool(k) and bool(set(f) & leading)) for f, k in zip(fields, self.key.tolist())]
        _set(self, servable=np.array(servable, dtype=bool))

    @property
    def scenario(self) -> Scenario:
        return self.result.problem.scenario

    @property
    def instance(self):
        return self.result.problem.instance

    def __len__(self) -> int:
        return len(self.instance)

    def can_serve(self, person: Commissioner, firm: int) -> bool:
        """The SPEC's rules for one pair: a compatible field; a leader only a key firm."""
        return person.field in self.fields[firm] and (not person.leader or bool(self.key[firm]))

    def weight(self, tier: str) -> Fraction:
        return exact(self.scenario.tiers[tier].weight)

    def warnings(self) -> list[dict]:
        """Inputs the rules make useless, in plain words (codes of allocator.output.words)."""
        inst = self.instance
        found: list[dict] = []
        key_fields = {f for i in np.flatnonzero(self.key) for f in self.fields[i]}
        for person in self.staff:
            if person.leader and person.field not in key_fields:
                found.append({"code": "warn_leader_idle", "id": person.commissioner_id, "field": person.field})
        parks = set(self.parks)
        homes = sorted({p.park for p in self.staff if p.park and p.park not in parks})
        for park in homes:
            found.append({"code": "warn_home_absent", "park": park})
        links = sorted({link for link, f in zip(inst.chain_link.tolist(), self.fields) if not f})
        for link in links:
            found.append({"code": "warn_link_unserved", "link": link, "n": int((inst.chain_link == link).sum())})
        if not self.key.any() and any(p.leader for p in self.staff):
            found.append({"code": "warn_no_key_firms"})
        return found


def _ordered(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in ASSIGN_FIELDS if f in fields)


def _set(obj: object, **values: object) -> None:
    for key, value in values.items():
        object.__setattr__(obj, key, value)
