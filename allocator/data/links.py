"""Chain-link names as officers write them, and the codes the scenario and the report use.

The register and the scenario must agree on a link's name: a scenario that listed 印染
while the register's 印染 rows were read as ``dyeing`` matched no enterprise, and stage 1
quietly skipped the link.  Both edges go through :func:`canonical_link`.
"""

from __future__ import annotations

#: Chain-link names officers write (lower case), mapped to the codes the scenario uses.
LINK_ALIASES = {
    "化纤": "fibre", "纤维": "fibre", "fiber": "fibre",
    "织造": "weaving", "纺织": "weaving",
    "印染": "dyeing", "printing and dyeing": "dyeing",
    "市场": "market", "专业市场": "market",
    "外贸": "trade", "进出口": "trade", "foreign trade": "trade",
    "其他": "other",
}


def canonical_link(name: str) -> str:
    """The code of a link as written in a register, a scenario or a filter (unknown names pass as written, lower case)."""
    key = name.strip().lower()
    return LINK_ALIASES.get(key, key)
