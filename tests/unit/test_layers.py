"""The layers (docs/architecture.md), read from the imports of every module: the web adapts
HTTP and reads no database, the database side knows no hub, the exports know no web, the
pure modules know neither, and no page route borrows from the API's routes."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
DATABASE = ("app.models", "app.db", "app.store", "app.migrate", "sqlalchemy", "sqlmodel")
WEB = ("fastapi", "starlette", "app.web")
PURE = ("rounds", "tables", "cards", "duplicates", "keywords", "insight", "stakeholders",
        "view", "events", "records", "refusal", "shapes", "render", "templating")


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
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


@pytest.mark.parametrize("path", sorted((APP / "web").glob("*.py")), ids=lambda p: p.name)
def test_the_web_reads_no_database(path):
    assert offending(path, DATABASE) == []


def test_no_page_route_borrows_from_the_api():
    assert offending(APP / "web" / "pages.py", ("app.web.api",)) == []


@pytest.mark.parametrize("path", sorted((APP / "store").glob("*.py")), ids=lambda p: p.name)
def test_the_database_side_knows_no_hub_and_no_web(path):
    assert offending(path, ("app.hub", "app.render", "app.actions", *WEB)) == []


def test_the_exports_know_no_web():
    assert offending(APP / "exports.py", WEB) == []


def test_the_printed_materials_are_drawn_from_the_view_alone():
    assert offending(APP / "printed.py", (*DATABASE, *WEB, "app.hub", "app.actions")) == []


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_know_no_database_and_no_web(name):
    assert offending(APP / f"{name}.py", (*DATABASE, *WEB, "app.hub", "app.actions")) == []


@pytest.mark.parametrize("path", sorted((APP / "actions").glob("*.py")), ids=lambda p: p.name)
def test_the_actions_know_no_web(path):
    assert offending(path, (*WEB, "app.hub")) == []


def test_the_report_is_built_from_the_view_alone():
    """app/report.py reads no database and knows no web: the action hands it the view and
    the clock's log."""
    assert offending(APP / "report.py", (*DATABASE, *WEB, "app.hub", "app.actions")) == []
