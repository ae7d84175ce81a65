"""The layers (docs/architecture.md), read from the imports of every module: the app root
holds the pure domain and the wiring, and only the wiring loads a framework (checked in a
fresh interpreter, so through every import a module makes); no module imports one that
imports it back; the web reads no database, the database side knows no hub and no web, the
documents know no web, the live path knows no web and no use case, and no page route
borrows from the API's routes. Every package and root module has its line in the map."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
APP = REPOSITORY / "app"
ARCHITECTURE = REPOSITORY / "docs" / "architecture.md"
WIRING = ("main", "settings", "cli")
MOST_ROOT_MODULES = 16
FRAMEWORKS = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "sqlmodel", "alembic", "jinja2",
              "weasyprint", "docx", "openpyxl", "redis")
"""Web, database, template and document frameworks: the wiring's business, not the domain's."""
WEB = ("fastapi", "starlette", "app.web")
RECORDS = "app.store.records"
"""Plain records of the rows: what the store hands out and every layer may hold."""
DATABASE = ("sqlalchemy", "sqlmodel", *(
    f"app.store.{path.stem}" for path in (APP / "store").glob("*.py")
    if path.stem not in ("__init__", "records")))
LIVE_PUSH = ("app.live.hub", "app.live.delivery")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}
ROOT_MODULES = sorted(path.stem for path in APP.glob("*.py") if path.stem != "__init__")
DOMAIN = [name for name in ROOT_MODULES if name not in WIRING]


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top, inside a function or for type checking."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def offending(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imports(path)
                  if any(name == f or name.startswith(f + ".") for f in forbidden))


def modules_under(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


def cycles() -> list[list[str]]:
    """The strongly connected groups of two or more modules in the import graph (Tarjan)."""
    graph = {name: {m for m in imports(path) if m in MODULES} - {name}
             for name, path in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while (member := stack.pop()) != name:
                group.append(member)
            if group:
                found.append(sorted([name, *group]))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_the_app_root_holds_at_most_16_modules():
    assert len([*APP.glob("*.py")]) <= MOST_ROOT_MODULES, ROOT_MODULES


@pytest.mark.parametrize("name", DOMAIN)
def test_no_root_module_but_the_wiring_loads_a_framework(name):
    """Imported alone in a fresh interpreter: what it pulls in, directly or not, counts."""
    probe = (f"import sys, app.{name}; "
             f"print(' '.join(m for m in {FRAMEWORKS!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=REPOSITORY, check=True,
                            capture_output=True, text=True).stdout.split()
    assert loaded == []


def test_the_framework_probe_sees_what_the_wiring_loads():
    """The probe above can fail: the wiring's own imports are seen."""
    probe = "import sys, app.main; print('fastapi' in sys.modules, 'sqlalchemy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], cwd=REPOSITORY, check=True,
                          capture_output=True, text=True).stdout.split() == ["True", "True"]


def test_no_module_imports_one_that_imports_it_back():
    assert cycles() == []


def test_every_package_and_root_module_is_on_the_map():
    text = ARCHITECTURE.read_text()
    packages = sorted(f"{path.parent.name}/" for path in APP.glob("*/__init__.py"))
    missing = [name for name in (*packages, *(f"{m}.py" for m in ROOT_MODULES))
               if name not in text]
    assert missing == []


@pytest.mark.parametrize("path", modules_under("web"), ids=str)
def test_the_web_reads_no_database(path):
    assert offending(path, DATABASE) == []


@pytest.mark.parametrize("path", modules_under("web/pages"), ids=lambda p: p.name)
def test_no_page_route_borrows_from_the_api(path):
    assert offending(path, ("app.web.api",)) == []


@pytest.mark.parametrize("path", modules_under("store"), ids=lambda p: p.name)
def test_the_database_side_knows_no_hub_and_no_web(path):
    assert offending(path, (*LIVE_PUSH, "app.actions", *WEB)) == []


@pytest.mark.parametrize("path", [p for p in modules_under("documents")
                                  if p.stem not in ("jobs", "worker")], ids=lambda p: p.name)
def test_documents_are_drawn_from_the_view_alone(path):
    """The report, the exports and the printed materials: no database, web or hub (the
    worker reads the event, jobs.py starts it)."""
    assert offending(path, (*DATABASE, *WEB, *LIVE_PUSH, "app.actions")) == []


@pytest.mark.parametrize("path", modules_under("live"), ids=lambda p: p.name)
def test_the_live_path_knows_no_web_no_use_case_and_no_database(path):
    assert offending(path, (*WEB, "app.actions", *DATABASE)) == []


@pytest.mark.parametrize("name", DOMAIN)
def test_pure_modules_know_no_database_and_no_web(name):
    assert offending(APP / f"{name}.py", (*DATABASE, *WEB, *LIVE_PUSH, "app.actions")) == []


@pytest.mark.parametrize("path", modules_under("actions"), ids=lambda p: p.name)
def test_the_actions_know_no_web(path):
    assert offending(path, (*WEB, "app.live.hub")) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """Two modules that import each other are one cycle, so the check above can fail."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "one.py").write_text("from app import two\n")
    (package / "two.py").write_text("def f():\n    from app import one\n")
    monkeypatch.setattr(sys.modules[__name__], "REPOSITORY", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "MODULES",
                        {module_name(p): p for p in package.glob("*.py")})
    assert cycles() == [["app.one", "app.two"]]
