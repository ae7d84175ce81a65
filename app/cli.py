"""The `worldcafe` command: serve, demo, plan and export."""

from __future__ import annotations

import argparse
import os
import sys

from app import seating_io
from app.settings import Settings

SERVER_OPTIONS = ("host", "port", "database_url", "redis_url", "workers")


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8000)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite file here)")
    parser.add_argument("--redis-url", help="Redis URL, so several workers share one event")
    parser.add_argument("--workers", type=int, help="worker processes (needs --redis-url)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="worldcafe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_server_arguments(commands.add_parser("serve", help="run migrations, then serve"))
    _add_server_arguments(
        commands.add_parser("demo", help="create a demo event, print its URLs, then serve"))
    seating_io.add_plan_arguments(commands.add_parser("plan", help="plan seating, no server"))
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Command-line options win over WORLDCAFE_* variables; both reach every worker."""
    for option in SERVER_OPTIONS:
        value = getattr(args, option, None)
        if value is not None:
            os.environ[f"WORLDCAFE_{option.upper()}"] = str(value)
    return Settings()


def serve(settings: Settings) -> int:
    import uvicorn

    from app.migrate import upgrade

    if settings.workers > 1 and not settings.redis_url:
        print("worldcafe: --workers above 1 needs --redis-url so that workers share live "
              "events", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    # Per-message deflate costs ~64 KiB a connection and CPU per message, for fragments
    # of a few hundred bytes that gain little from it (DESIGN.md §7).
    uvicorn.run("app.main:app_from_environment", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers, log_level="info",
                ws_per_message_deflate=False)
    return 0


def demo(settings: Settings) -> int:
    from app import demo as demo_event

    demo_event.create_and_print(settings)
    return serve(settings)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "plan":
        return seating_io.run_plan(args)
    settings = settings_from(args)
    if args.command == "demo":
        return demo(settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
