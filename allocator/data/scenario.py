"""Scenario: the day's supplies and the bureau's rules, with every SPEC default built in.

A scenario is immutable.  What-if runs are scenarios derived from a base by
:meth:`Scenario.with_overrides`, so nothing is ever mutated between runs.  Every key is
checked for existence and type here, once; the model can trust what it receives.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from decimal import Decimal
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from allocator.data.links import canonical_link
from allocator.errors import InputError, InputProblem, problem

TIERS = ("A", "B", "C")

DEFAULTS: dict[str, Any] = {
    "supply": {"masks": 380_000, "mask_pack": 50, "passes": 94, "buses": 60, "bus_seats": 50},
    "rules": {
        "masks_per_worker_day": 2,
        "mask_days": 7,
        "electricity_threshold": 0.8,
        "freight_free_share": 0.5,
        "chain_balance": True,
        "chain_links": ["fibre", "weaving", "dyeing", "market", "trade"],
    },
    "tiers": {
        "A": {"weight": 3.0, "mask_reserve": 0.0, "electricity_threshold": None},
        "B": {"weight": 2.0, "mask_reserve": 0.0, "electricity_threshold": None},
        "C": {"weight": 1.0, "mask_reserve": 0.0, "electricity_threshold": None},
    },
    "report": {"lang": "en"},
    # allocator assign (SPEC "Commissioners"): how many key firms, which fields serve each chain link
    "assign": {
        "key_firms": 60,
        "fields": {"fibre": ["industry"], "weaving": ["industry"], "dyeing": ["industry"], "other": ["industry"],
                   "market": ["commerce"], "trade": ["trade", "commerce"]},
    },
}

#: The commissioners' fields (SPEC "Commissioners"), in the order reports list them.
ASSIGN_FIELDS = ("industry", "commerce", "trade", "projects")

# key -> (kind, lower bound, upper bound); kinds: count, number, bool, links
_SCHEMA: dict[str, tuple[str, float | None, float | None]] = {
    "supply.masks": ("count", 0, None),
    "supply.mask_pack": ("count", 1, None),
    "supply.passes": ("count", 0, None),
    "supply.buses": ("count", 0, None),
    "supply.bus_seats": ("count", 1, None),
    "rules.masks_per_worker_day": ("count", 0, None),
    "rules.mask_days": ("count", 0, None),
    "rules.electricity_threshold": ("number", 0, None),
    "rules.freight_free_share": ("number", 0, 1),
    "rules.chain_balance": ("bool", None, None),
    "rules.chain_links": ("links", None, None),
    "report.lang": ("lang", None, None),
    "assign.key_firms": ("count", 0, None),
}
#: ``assign.fields.<chain link>``: any link may be given its fields (a list of ASSIGN_FIELDS).
_FIELDS_PREFIX = "assign.fields."
for _t in TIERS:
    _SCHEMA[f"tiers.{_t}.weight"] = ("number", 0, None)
    _SCHEMA[f"tiers.{_t}.mask_reserve"] = ("number", 0, 1)
    _SCHEMA[f"tiers.{_t}.electricity_threshold"] = ("number", 0, None)

_MAX_COUNT = 10**12


@dataclass(frozen=True)
class Supply:
    masks: int
    mask_pack: int
    passes: int
    buses: int
    bus_seats: int

    @property
    def boxes(self) -> int:
        """Only whole boxes leave the store."""
        return self.masks // self.mask_pack


@dataclass(frozen=True)
class Rules:
    masks_per_worker_day: int
    mask_days: int
    electricity_threshold: float
    freight_free_share: float
    chain_balance: bool
    chain_links: tuple[str, ...]

    @property
    def masks_per_worker(self) -> int:
        """q in the SPEC: masks one worker needs for the planning period."""
        return self.masks_per_worker_day * self.mask_days


@dataclass(frozen=True)
class TierRule:
    weight: float
    mask_reserve: float
    electricity_threshold: float | None


@dataclass(frozen=True)
class AssignRules:
    """``[assign]``: the key firms a leader may serve and the fields that may serve each chain link."""

    key_firms: int
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # (chain link, fields), in the scenario's order

    def fields_for(self, link: str) -> tuple[str, ...]:
        """The fields that may serve a firm of this chain link (none for a link not listed)."""
        return dict(self.fields).get(link, ())


@dataclass(frozen=True)
class Scenario:
    """Supplies and rules for one solve; build with :func:`load_scenario` or :meth:`default`."""

    supply: Supply
    rules: Rules
    tiers: dict[str, TierRule] = field(hash=False)
    lang: str = "en"  # [report] lang: the language of reports and exported headers
    assign: AssignRules = field(default_factory=lambda: _assign_rules(DEFAULTS["assign"]), hash=False)

    @classmethod
    def default(cls) -> Scenario:
        return _build(_nested_copy(DEFAULTS))

    def reserve_boxes(self, tier: str) -> int:
        """R_t = floor(rho_t * masks / pack): the boxes a tier's reserve asks for, computed on the
        decimal as written (0.29 x 380,000 / 50 = 2,204; binary floating point gives 2,203).

        A share read from TOML is a float; its shortest repr is the decimal the officer wrote.
        """
        share = Decimal(repr(float(self.tiers[tier].mask_reserve)))
        return math.floor(share * self.supply.masks / self.supply.mask_pack)

    def threshold(self, tier: str) -> float:
        """A tier's own electricity threshold overrides the rules value."""
        own = self.tiers[tier].electricity_threshold
        return self.rules.electricity_threshold if own is None else own

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario, with every default filled in (for manifests and summaries)."""
        out = {"supply": asdict(self.supply), "rules": asdict(self.rules), "tiers": {}, "report": {"lang": self.lang},
               "assign": {"key_firms": self.assign.key_firms, "fields": {k: list(v) for k, v in self.assign.fields}}}
        out["rules"]["chain_links"] = list(self.rules.chain_links)
        for tier in TIERS:
            rule = asdict(self.tiers[tier])
            rule["electricity_threshold"] = self.threshold(tier)
            out["tiers"][tier] = rule
        return out

    def with_overrides(self, overrides: dict[str, Any] | list[str], source: str = "--set") -> Scenario:
        """A new scenario with ``key=value`` overrides applied (the original is unchanged)."""
        if isinstance(overrides, list):
            overrides = parse_assignments(overrides, source)
        raw = self.to_dict()
        for tier in TIERS:  # keep "inherit the rules value" for tiers that did not set their own
            if self.tiers[tier].electricity_threshold is None:
                raw["tiers"][tier]["electricity_threshold"] = None
        problems: list[InputProblem] = []
        for key, value in overrides.items():
            _assign(raw, key, value, source, problems)
        if problems:
            raise InputError(problems)
        return _build(raw, source)


def load_scenario(path: str | Path | None = None, overrides: list[str] | None = None) -> Scenario:
    """Read a scenario TOML (or take the defaults) and apply ``--set`` overrides.

    The file's problems and the ``--set`` problems are raised together (validate lists every
    problem): when the file is bad, the overrides are still checked, on the defaults."""
    scenario = Scenario.default()
    problems: list[InputProblem] = []
    if path is not None:
        try:
            scenario = scenario.with_overrides(flatten(_read_toml(Path(path))), str(path))
        except InputError as exc:
            problems += exc.problems
    if overrides:
        try:
            scenario = scenario.with_overrides(overrides)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return scenario


def parse_assignments(items: list[str], source: str = "--set") -> dict[str, Any]:
    """Parse ``key=value`` strings; values are TOML literals, bare words are strings."""
    out: dict[str, Any] = {}
    problems = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(problem(source, "err_assignment", value=item))
            continue
        out[key] = parse_value(text.strip())
    if problems:
        raise InputError(problems)
    return out


def parse_value(text: str) -> Any:
    """``400000`` -> int, ``0.7`` -> float, ``false`` -> bool, ``["a","b"]`` -> list, else str."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError([problem(str(path), "err_not_found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([problem(str(path), "err_toml", reason=str(exc))]) from None
    except OSError as exc:
        raise InputError([problem(str(path), "err_unreadable", reason=exc.strerror)]) from None


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted keys: {"supply": {"masks": 1}} -> {"supply.masks": 1}."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _assign(raw: dict[str, Any], key: str, value: Any, source: str, problems: list[InputProblem]) -> None:
    if _is_fields_key(key):
        message = _check_fields(value)
        if message:
            problems.append(InputProblem(source, message, column=key))
        else:
            raw["assign"]["fields"][key[len(_FIELDS_PREFIX):]] = list(value)
        return
    if key not in _SCHEMA:
        problems.append(_unknown_key(source, key))
        return
    wrong = _check(key, value)
    if wrong:
        problems.append(problem(source, wrong[0], column=key, value=value, **wrong[1]))
        return
    if _SCHEMA[key][0] == "links":
        value = tuple(value)
    node = raw
    *parents, leaf = key.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value


def _unknown_key(source: str, key: str) -> InputProblem:
    """An unknown key, with the nearest keys (a typo) or the keys of the same name (a wrong section)."""
    near = difflib.get_close_matches(key, list(_SCHEMA), n=3, cutoff=0.6)
    near += [k for k in _SCHEMA if k.split(".")[-1] == key.split(".")[-1] and k not in near]
    if not near:
        return problem(source, "err_key_none", column=key, key=key)
    return problem(source, "err_key_unknown", column=key, key=key, hint=", ".join(near[:4]))


def scenario_keys() -> list[tuple[str, str, str]]:
    """Every scenario key with its default and what it takes, in the order of the schema."""
    kinds = {"count": "whole number", "number": "number", "bool": "true/false", "links": "list of chain links",
             "lang": '"en" or "zh"'}
    out = []
    for key, (kind, low, high) in _SCHEMA.items():
        node: Any = DEFAULTS
        for part in key.split("."):
            node = node[part]
        if node is None:
            default = "(rules.electricity_threshold)"
        elif isinstance(node, bool):
            default = str(node).lower()
        elif isinstance(node, list):
            default = "[" + ", ".join(f'"{x}"' for x in node) + "]"
        elif isinstance(node, str):
            default = f'"{node}"'
        else:
            default = f"{node:g}" if isinstance(node, float) else str(node)
        takes = kinds[kind] + (f" ≥ {low:g}" if low is not None else "") + (f", ≤ {high:g}" if high is not None else "")
        out.append((key, default, takes))
        if key == "assign.key_firms":
            out += _fields_keys()
    return out


def _fields_keys() -> list[tuple[str, str, str]]:
    """``assign.fields.<link>`` is not in _SCHEMA (any chain link may be given its fields), so
    ``allocator keys`` once left it out: a row per default link, and one for any other link."""
    takes = f"fields that serve this chain link: list of {', '.join(ASSIGN_FIELDS)}"
    rows = [(f"{_FIELDS_PREFIX}{link}", "[" + ", ".join(f'"{x}"' for x in fields) + "]", takes)
            for link, fields in DEFAULTS["assign"]["fields"].items()]
    return rows + [(f"{_FIELDS_PREFIX}<link>", "[]", "the same, for any other chain link (none serves it)")]


def _is_fields_key(key: str) -> bool:
    link = key[len(_FIELDS_PREFIX):]
    return key.startswith(_FIELDS_PREFIX) and bool(link.strip()) and "." not in link


def _check_fields(value: Any) -> str | None:
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        return f"must be a list of fields ({', '.join(ASSIGN_FIELDS)}), got {value!r}"
    unknown = [x for x in value if x not in ASSIGN_FIELDS]
    if unknown:
        return f"unknown field {unknown[0]!r}: the fields are {', '.join(ASSIGN_FIELDS)}"
    return None


def _assign_rules(raw: dict[str, Any]) -> AssignRules:
    return AssignRules(raw["key_firms"], tuple((link, tuple(dict.fromkeys(fields))) for link, fields in raw["fields"].items()))


def _check(key: str, value: Any) -> tuple[str, dict[str, Any]] | None:
    """What is wrong with a key's value, as a wording key and its fields (None when it is right)."""
    kind, low, high = _SCHEMA[key]
    if kind == "bool":
        return None if isinstance(value, bool) else ("err_bool", {})
    if kind == "lang":
        return None if value in ("en", "zh") else ("err_lang", {})
    if kind == "links":
        if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in value):
            return "err_links", {}
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "err_number", {}
    if kind == "count" and not isinstance(value, int):
        return "err_whole_key", {}
    if not math.isfinite(value) or abs(value) > _MAX_COUNT:
        return "err_finite", {}
    if low is not None and value < low:
        return "err_at_least", {"low": low}
    if high is not None and value > high:
        return "err_at_most", {"high": high}
    return None


def _build(raw: dict[str, Any], source: str = "scenario") -> Scenario:
    supply = Supply(**raw["supply"])
    rules_raw = dict(raw["rules"])
    rules_raw["chain_links"] = tuple(canonical_link(str(x)) for x in rules_raw["chain_links"])
    rules = Rules(**rules_raw)
    tiers = {t: TierRule(**raw["tiers"][t]) for t in TIERS}
    reserves = sum(Decimal(repr(float(rule.mask_reserve))) for rule in tiers.values())  # exact, as written
    if reserves > 1:
        raise InputError([problem(source, "err_reserves", column="tiers.*.mask_reserve", total=reserves)])
    return Scenario(supply=supply, rules=rules, tiers=tiers, lang=raw["report"]["lang"], assign=_assign_rules(raw["assign"]))


def _nested_copy(tree: dict[str, Any]) -> dict[str, Any]:
    return {k: _nested_copy(v) if isinstance(v, dict) else (list(v) if isinstance(v, list) else v) for k, v in tree.items()}
