"""A sweep's scenarios: named sets of overrides applied to a base scenario (nothing is mutated).

``--vary key=v1,v2`` axes make a grid, ``--scenarios FILE.toml`` names its variants; two
scenarios may not share an export folder.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.data.scenario import flatten, parse_value
from allocator.errors import InputError, problem

BASE = "base"


@dataclass(frozen=True)
class Variant:
    """One scenario of a sweep: a name and the overrides it applies to the base."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return "; ".join(f"{k}={_show(v)}" for k, v in self.overrides.items())

    def short_label(self) -> str:
        """supply.masks=300000 -> masks=300000; tiers.A.weight=4 -> A.weight=4; arrivals=b.csv stays."""
        return " ".join(f"{k.split('.', 1)[-1]}={_show(v)}" for k, v in self.overrides.items())


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def grid(varies: list[str]) -> list[Variant]:
    """The cartesian product of ``key=v1,v2,...`` options, in the order given."""
    axes: list[tuple[str, list[Any]]] = []
    problems = []
    for item in varies:
        key, sep, values = item.partition("=")
        parts = _split_values(values)
        if not sep or not key.strip() or not parts:
            problems.append(problem("--vary", "err_vary", value=item))
            continue
        axes.append((key.strip(), [parse_value(p) for p in parts]))
    if problems:
        raise InputError(problems)
    variants = []
    for combo in itertools.product(*(values for _, values in axes)):
        overrides = {key: value for (key, _), value in zip(axes, combo)}
        variants.append(Variant(Variant("", overrides).short_label(), overrides))
    return variants


def _split_values(text: str) -> list[str]:
    """Split on commas outside brackets and quotes, so list values survive."""
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def named(path: str | Path) -> list[Variant]:
    """Variants from a TOML file of ``[scenario.NAME]`` tables (keys as in a scenario file)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([problem(str(path), "err_not_found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([problem(str(path), "err_toml", reason=str(exc))]) from None
    tables = data.get("scenario")
    unknown = [k for k in data if k != "scenario"]
    if not isinstance(tables, dict) or not tables or unknown:
        raise InputError([problem(str(path), "err_scenarios")])
    return [Variant(str(name), flatten(table)) for name, table in tables.items()]


def folder_name(name: str) -> str:
    """A folder name that is safe on Windows and Linux and stable for the same scenario name."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "_", name).strip(" .")
    return cleaned[:120] or "scenario"


def check_names(variants: list[Variant]) -> None:
    """Refuse scenarios whose export folders would be the same (or the base's): one would
    silently overwrite the other."""
    seen = {folder_name(BASE).casefold(): BASE}
    problems = []
    for variant in variants:
        folder = folder_name(variant.name).casefold()  # Windows folders ignore case
        if folder in seen:
            problems.append(problem("--vary/--scenarios", "err_same_folder", first=seen[folder], second=variant.name,
                                    folder=folder_name(variant.name)))
        else:
            seen[folder] = variant.name
    if problems:
        raise InputError(problems)


