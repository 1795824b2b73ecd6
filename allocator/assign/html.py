"""The printable visit lists: one self-contained HTML page, one section (and printed page) per field.

Rendered with the report's Jinja2 base template (allocator/output/templates/assign.html.j2);
nothing is loaded from the network.
"""

from __future__ import annotations

from typing import Any

from allocator import __version__
from allocator.assign import Run
from allocator.assign.report import stage_number
from allocator.output.words import BINDING, STATUSES, name_of, t


def assign_html(run: Run, summary: dict[str, Any], lang: str) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    problem = run.assignment.problem
    inst, alloc = problem.instance, run.allocation.allocation
    firms_of = run.assignment.plan.firms_of()
    c_after = run.allocation.evaluation.c_after
    fields = []
    for code in (f for f, v in summary["fields"].items() if v["people"]):  # a page per field with people in it
        rows = []
        for j, who in enumerate(problem.staff):
            if who.field != code:
                continue
            firms = sorted(firms_of.get(j, []), key=lambda i: (inst.park[i], i))
            rows.append({"id": who.commissioner_id, "name": who.name, "home": who.park or t("district_wide", lang),
                         "mark": t("leader_mark", lang) if who.leader else "",
                         "firms": [{"id": inst.enterprise_id[i], "name": inst.name[i], "park": inst.park[i],
                                    "pain": name_of(BINDING, problem.binding[i], lang),
                                    "gap": f"{1 - float(c_after[i]):.0%}",
                                    "received": t("gets", lang, boxes=int(alloc.boxes[i]), passes=int(alloc.passes[i]),
                                                  returned=int(alloc.returned[i]))} for i in firms]})
        fields.append({"code": code, "name": t(f"field_{code}", lang), "rows": rows,
                       "people": summary["fields"][code]["people"], "firms": summary["fields"][code]["firms_served"]})
    env = Environment(loader=PackageLoader("allocator.output", "templates"), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    people = summary["commissioners"]
    context = {
        "lang": lang, "version": __version__, "title": t("html_assign_title", lang),
        "tr": lambda key, **f: t(key, lang, **f), "status": lambda code: name_of(STATUSES, code, lang),
        "number": stage_number,
        "meta": f"{summary['instance']['file']} · {people['file']} · " + t(
            "assign_headline", lang, people=f"{people['people']:,}", leaders=people["leaders"],
            firms=f"{summary['instance']['enterprises']:,}"),
        "s": summary, "fields": fields,
        "notes": [w["text"] if lang == "en" else t(w["code"], lang, **{k: v for k, v in w.items() if k not in ("code", "text")})
                  for w in summary["warnings"]] + summary["notes"],
    }
    return env.get_template("assign.html.j2").render(**context)
