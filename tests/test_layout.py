"""Issue 15: the tree is the architecture; no import circle; --help loads no solver or plotting library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "allocator"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every allocator module ``path`` imports, at module level or inside functions (not TYPE_CHECKING)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.module.startswith("allocator"):
                found.add(inner.module)
                found |= {f"{inner.module}.{a.name}" for a in inner.names if f"{inner.module}.{a.name}" in modules}
            elif isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names if a.name.startswith("allocator")}
    return {m for m in found if m in modules}


def test_no_import_circle_anywhere():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for dep in sorted(graph[name]):
            assert dep not in path, " -> ".join(path[path.index(dep):] + [dep])
            if dep not in done:
                visit(dep, path + [dep])
        done.add(name)

    for name in sorted(graph):
        visit(name, [name])


def test_modules_and_classes_stay_short():
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 420, f"{path} has {lines} lines"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < 250, f"{path}: class {node.name}"


def test_help_imports_no_solver_or_plotting_library():
    code = "import sys, allocator.cli; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    heavy = {"highspy", "ortools", "matplotlib", "pandas", "numpy", "jinja2", "openpyxl", "python_calamine"}
    assert not heavy & loaded, heavy & loaded


def test_a_solve_imports_no_pandas():
    """Importing pandas took 0.15 s of a 0.7 s solve of 1,000 firms (issue 16): reading the
    register and every stage use numpy alone."""
    code = ("import sys; from allocator.data.loading import load_problem; from allocator.stages.driver import solve; "
            "from allocator.options import SolveOptions; "
            "solve(load_problem('tests/cases/chain.csv', 'tests/cases/chain.toml'), SolveOptions(time_limit=20)); "
            "print(' '.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent).stdout.split()
    assert "highspy" in loaded and "pandas" not in loaded


def test_a_solve_without_a_live_display_loads_no_rich():
    """The live display's rich (30 ms of a 0.5 s run) is imported only when it is shown: not for
    ``--format json`` or ``-q``, as the nightly jobs run."""
    case = PACKAGE.parent / "tests" / "cases"
    argv = ["solve", str(case / "chain.csv"), "--scenario", str(case / "chain.toml"), "--format", "json"]
    code = ("import sys; from allocator.cli import main; sys.argv = ['allocator', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('rich' in sys.modules, 'pandas' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert '"stages"' in done.stdout  # the summary was printed: the solve ran
    assert done.stderr.strip().splitlines()[-1] == "False False", done.stderr
