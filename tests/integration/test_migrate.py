"""`worldcafe migrate` and `serve` leave another program's database untouched (one line,
a non-zero status, no traceback), and migrations started at once take turns on SQLite."""

import sqlite3
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory

from app.store.migrate import alembic_config
from tests.fixtures.servers import ROOT
from tests.fixtures.timing import seconds


def worldcafe(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(run: subprocess.Popen) -> tuple[int, str]:
    try:
        _out, err = run.communicate(timeout=seconds(120))
    finally:
        run.kill()  # a `serve` that did not refuse would serve on
    return run.returncode, err


def another_programs_file(path, *statements: str) -> bytes:
    with sqlite3.connect(path) as database:
        for statement in statements:
            database.execute(statement)
    database.close()
    return path.read_bytes()


@pytest.mark.parametrize("statements", [
    ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
     "INSERT INTO notes (body) VALUES ('買い物')"),
    ("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
     "INSERT INTO alembic_version VALUES ('3f9a1c2b7d00')",
     "CREATE TABLE invoice (id INTEGER PRIMARY KEY)"),
], ids=["other tables", "another alembic schema"])
@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_another_programs_database_is_refused_untouched(tmp_path, command, statements):
    path = tmp_path / "theirs.db"
    before = another_programs_file(path, *statements)
    port = ["--port", "0"] if command == "serve" else []
    status, err = finished(worldcafe(command, "--database-url", f"sqlite:///{path}", *port))
    assert status != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"worldcafe {command}: ") and "not worldcafe's" in err
    assert path.read_bytes() == before  # not even the journal mode was changed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]


def test_three_migrations_at_once_on_a_new_file_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    runs = [worldcafe("migrate", "--database-url", url) for _ in range(3)]
    for status, err in map(finished, runs):
        assert status == 0 and "up to date" in err and "locked" not in err, err
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with sqlite3.connect(tmp_path / "hall.db") as database:
        assert database.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head,)]
    database.close()
