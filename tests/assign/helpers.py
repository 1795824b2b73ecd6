"""Tiny assign cases written on the fly, run through the CLI, every export checked independently."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.assign_check import check_assign

runner = CliRunner(env={"COLUMNS": "160", "NO_COLOR": "1"})

FIRM_COLUMNS = ["enterprise_id", "name", "park", "chain_link", "tier", "employees", "on_post", "electricity_recovery",
                "masks_in_stock", "output_value"]
PEOPLE_COLUMNS = ["commissioner_id", "name", "field", "park", "capacity", "leader"]


def firm(ident: str, park: str, link: str = "fibre", tier: str = "C", on_post: int = 0, output: float = 10,
         employees: int = 10, **extra) -> dict:
    """A firm whose capacity no allocation changes (its mask stock covers everyone, no trucks, nobody
    away): c_after = on_post / employees, so pi = 1 + w_t (1 - on_post / employees) by hand."""
    return {"enterprise_id": ident, "name": f"firm {ident}", "park": park, "chain_link": link, "tier": tier,
            "employees": employees, "on_post": on_post, "electricity_recovery": 0.5,
            "masks_in_stock": 14 * employees, "output_value": output, **extra}


def person(ident: str, field: str = "industry", park: str = "", capacity: int = 6, leader: bool = False) -> dict:
    return {"commissioner_id": ident, "name": f"p{ident}", "field": field, "park": park, "capacity": capacity,
            "leader": "yes" if leader else "no"}


def write(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_assign(args: list[str]):
    """Run ``allocator assign``; every export it wrote is checked by tests/assign_check.py."""
    from allocator.cli import app

    result = runner.invoke(app, args)
    if result.exit_code == 0 and "--export" in args:
        out = Path(args[args.index("--export") + 1])
        scenario = next((Path(args[i + 1]) for i, a in enumerate(args) if a in ("--scenario", "-s")), None)
        sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
        check = check_assign(Path(args[1]), Path(args[2]), out, scenario, sets)
        assert check["violations"] == [], check["violations"]
    return result


def case(tmp_path: Path, firms: list[dict], people: list[dict], *options: str) -> tuple[dict, dict, Path]:
    """Write both files, assign with an export, return (summary, {firm: commissioner}, export folder)."""
    inst = write(tmp_path / "firms.csv", firms)
    staff = write(tmp_path / "people.csv", people, PEOPLE_COLUMNS)
    out = tmp_path / "out"
    result = run_assign(["assign", str(inst), str(staff), "--export", str(out), "-q", *options])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with open(out / "assignment.csv", encoding="utf-8-sig", newline="") as handle:
        who = {r["enterprise_id"]: r["commissioner_id"] for r in csv.DictReader(handle)}
    return summary, who, out


def values(summary: dict) -> tuple:
    return tuple(s["value"] for s in summary["stages"])


def statuses(summary: dict) -> tuple:
    return tuple(s["status"] for s in summary["stages"])
