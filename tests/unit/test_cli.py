"""The `worldcafe` command as a new user meets it: every command in --help, and the
links of `make demo` found again without naming its database."""

from __future__ import annotations

import pytest

from app import cli


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    shown = capsys.readouterr().out
    commands = cli.build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"serve", "migrate", "demo", "plan", "export", "links"}
    for command in commands:
        assert command in shown.split("positional arguments:")[0]
        assert f"    {command}" in shown


def test_links_finds_the_demo_event_without_a_database_url(tmp_path, monkeypatch, capsys):

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORLDCAFE_DATABASE_URL", raising=False)
    settings = cli.settings_from(cli.build_parser().parse_args(["demo"]))
    monkeypatch.delenv("WORLDCAFE_DATABASE_URL")  # settings_from exports it for workers
    assert settings.database_url == cli.DEMO_DATABASE_URL
    assert cli.migrate(settings) == 0
    event_id = cli.create_demo_event(settings)["id"]
    printed = capsys.readouterr().out

    assert cli.main(["links", event_id]) == 0
    again = capsys.readouterr().out
    console = next(line for line in printed.splitlines() if "facilitator console" in line)
    assert console in again

    assert cli.main(["links", "NoSuchEvent"]) == 1
    assert "NoSuchEvent" in capsys.readouterr().err
