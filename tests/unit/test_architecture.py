"""The layers of docs/ARCHITECTURE.md, checked on the source: imports point downwards only.

    app_pages/, streamlit_app.py   (UI: Streamlit)
        -> contest/ feature modules (accounts, proposals, score_sheets, forwarding, ...)
            -> algorithms (assignment, ranking, topics, rubric, exports: no database rules)
            -> foundation (errors, clock, vocabulary, migrations, db, policy, validation, audit, navigation)

Every import statement counts, also those inside functions.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTEST = ROOT / "contest"
MODULES = sorted(p.stem for p in CONTEST.glob("*.py") if p.stem != "__init__")
BASE = {"errors", "clock", "vocabulary", "migrations"}  # import nothing from contest
FOUNDATION = BASE | {"db", "policy", "validation", "audit", "navigation"}
ALGORITHMS = {"assignment", "ranking", "topics", "rubric", "exports", "spreadsheets", "sheet_import"}


def imports(path: Path) -> set[str]:
    """Top-level names of everything a file imports ("contest.x" for contest modules)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name if a.name.startswith("contest.") else a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside contest/
                if node.module:
                    names.add("contest." + node.module.split(".")[0])
                else:
                    names |= {"contest." + a.name for a in node.names}
            elif node.module == "contest":
                names |= {"contest." + a.name for a in node.names}
            elif node.module:
                parts = node.module.split(".")
                names.add(".".join(parts[:2]) if parts[0] == "contest" else parts[0])
    return names


def contest_imports(module: str) -> set[str]:
    return {n.removeprefix("contest.") for n in imports(CONTEST / f"{module}.py")
            if n.startswith("contest.")} - {module}


def test_the_walk_sees_imports_inside_functions():
    assert "rubric" in contest_imports("__main__") and "settings" in contest_imports("__main__")


@pytest.mark.parametrize("module", MODULES)
def test_the_domain_never_imports_the_ui(module):
    found = imports(CONTEST / f"{module}.py")
    assert not found & {"streamlit", "app_pages", "streamlit_app"}, found


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_foundation_modules_import_no_feature_module(module):
    allowed = set() if module in BASE else FOUNDATION
    assert contest_imports(module) <= allowed, contest_imports(module) - allowed


@pytest.mark.parametrize("module", sorted(ALGORITHMS))
def test_algorithms_import_only_the_foundation_and_each_other(module):
    assert contest_imports(module) <= FOUNDATION | ALGORITHMS, contest_imports(module) - FOUNDATION - ALGORITHMS


def test_no_import_cycle_in_contest():
    graph = {m: contest_imports(m) & set(MODULES) for m in MODULES}
    cycles = []

    def visit(module, path):
        for dep in sorted(graph[module]):
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(module)

    done: set[str] = set()
    for module in MODULES:
        if module not in done:
            visit(module, [module])
    assert not cycles, [" -> ".join(c) for c in cycles]


def test_pages_import_only_the_shared_page_helpers():
    """A page is a leaf: it may use app_pages/_*.py helpers, never another page."""
    for page in (ROOT / "app_pages").glob("*.py"):
        used = set()
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "app_pages":
                used |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app_pages."):
                used.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                used |= {a.name.split(".")[1] for a in node.names if a.name.startswith("app_pages.")}
        assert all(name.startswith("_") for name in used), (page.name, used)


def test_opening_the_database_loads_no_feature_module(tmp_path):
    """db.connect() creates and migrates a database with nothing but the foundation loaded."""
    script = textwrap.dedent(f"""
        import sys
        from contest import db
        db.connect({str(tmp_path / "fresh.db")!r})
        print(" ".join(sorted(m for m in sys.modules if m.startswith("contest"))))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert loaded == {"contest", "contest.db", "contest.errors", "contest.migrations"}, loaded


def test_sqlite_utils_migrate_lists_every_migration(tmp_path):
    """The library's own tool reads contest/migrations.py (it imports nothing from contest)."""
    from sqlite_utils import Database

    from contest.migrations import MIGRATION_SETS

    cli = Path(sys.executable).with_name("sqlite-utils")
    out = subprocess.run([str(cli), "migrate", str(tmp_path / "x.db"), str(CONTEST / "migrations.py"), "--list"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for migrations in MIGRATION_SETS:
        assert f"Migrations for: {migrations.name}" in out
        names = [m.name for m in migrations.pending(Database(memory=True))]
        assert names and all(f"    {name}\n" in out for name in names), names
    assert not (tmp_path / "x.db").exists()  # listing creates nothing
