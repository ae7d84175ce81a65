"""The `worldcafe` command: serve, migrate, demo, plan, export and links."""

from __future__ import annotations

import argparse
import os
import sys

from app.documents import seating_files
from app.i18n import N_
from app.settings import Settings

SERVER_OPTIONS = ("host", "port", "database_url", "redis_url", "workers")
KEEP_ALIVE_SECONDS = 5
"""An idle kept-alive connection is closed after this long."""
WORKER_START_SECONDS = 60
"""How long uvicorn's supervisor waits for a worker of `--workers N` to answer its health
check before it kills it and starts another (a worker that exits is replaced at once).
uvicorn's 5 s is less than a new worker can take to start on a busy machine, where the
workers then die and restart without end."""
DEMO_DATABASE_URL = "sqlite:///./worldcafe-demo.db"
"""`demo` keeps its event apart from real ones; `links` and `export` look there too."""
FORMAT_ALIASES = {"report": "report.pdf"}
"""Short names `export --format` takes for a format."""


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
    commands.add_parser("migrate", help="bring the database schema up to date").add_argument(
        "--database-url", help="SQLAlchemy URL (default: SQLite file here)")
    _add_server_arguments(commands.add_parser(
        "demo", help="create a demo event, print its URLs, then serve "
                     f"(default database {DEMO_DATABASE_URL})"))
    seating_files.add_plan_arguments(commands.add_parser("plan", help="plan seating, no server"))
    _add_export_arguments(commands.add_parser(
        "export", help="write an event's cards as CSV, Markdown, JSON, PDF or PNG"))
    links = commands.add_parser(
        "links", help="print an event's console, projector, host and join links again")
    _add_event_arguments(links)
    links.add_argument("--host", help="the server's address, for the links (default localhost)")
    links.add_argument("--port", type=int, help="the server's port, for the links (default 8000)")
    return parser


def _add_event_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("event_id", metavar="EVENT_ID", help="the event's id")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: the SQLite file "
                                               "here, then the demo's)")


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    from app.documents.exports import FORMATS

    _add_event_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="csv",
                        type=lambda name: FORMAT_ALIASES.get(name, name),
                        help="csv (UTF-8 with BOM, for Excel), md, json, pdf (A3 landscape), "
                        "png, report (the A4 report, = report.pdf) or report.docx "
                        "(default csv)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="file to write (default: standard output, text formats only)")


def _database_given(args: argparse.Namespace) -> bool:
    return getattr(args, "database_url", None) is not None or \
        "WORLDCAFE_DATABASE_URL" in os.environ


def settings_from(args: argparse.Namespace) -> Settings:
    """Command-line options win over WORLDCAFE_* variables; both reach every worker.
    `demo` without a database of its own gets the demo's file."""
    if args.command == "demo" and not _database_given(args):
        args.database_url = DEMO_DATABASE_URL
    for option in SERVER_OPTIONS:
        value = getattr(args, option, None)
        if value is not None:
            os.environ[f"WORLDCAFE_{option.upper()}"] = str(value)
    return Settings()


def migrate(settings: Settings, command: str = "migrate") -> int:
    """Bring the schema up to date, in turn with other runs; another program's database
    is refused in one line, untouched."""
    from app.store.migrate import ForeignDatabase, upgrade

    try:
        upgrade(settings.database_url)
    except ForeignDatabase as foreign:
        return _fail(command, f"the database at {_safe(settings.database_url)} is not "
                              f"worldcafe's: {foreign}; nothing was changed. Give an empty "
                              "database or one worldcafe made (--database-url).")
    print(f"worldcafe: the database at {_safe(settings.database_url)} is up to date",
          file=sys.stderr, flush=True)
    return 0


def _safe(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def serve(settings: Settings, migrated: bool = False) -> int:
    """Migrate once, then start the workers (which never migrate themselves)."""
    import uvicorn

    if settings.workers > 1 and not settings.redis_url:
        print("worldcafe: --workers above 1 needs --redis-url so that workers share live "
              "events", file=sys.stderr)
        return 2
    if not migrated and (refused := migrate(settings, "serve")):
        return refused
    from app.web.protocols import GuardedHttp, GuardedWebSockets, raise_open_files_limit

    raise_open_files_limit()
    # Per-message deflate costs ~64 KiB a connection and CPU per message, for fragments
    # of a few hundred bytes that gain little from it (docs/architecture.md, "The push path").
    uvicorn.run("app.main:app_from_environment", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers, log_level="info",
                ws_per_message_deflate=False, http=GuardedHttp, ws=GuardedWebSockets,
                ws_max_size=settings.ws_max_message_bytes, ws_max_queue=1,
                proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                timeout_worker_healthcheck=WORKER_START_SECONDS)
    return 0


DEMO_TABLES = (
    (N_("Support"), N_("Supporting older people in the neighbourhood")),
    (N_("Children"), N_("Helping children grow up in the community")),
    (N_("Attraction"), N_("Telling the city's story with its citizens")),
)
"""The demo event's tables: name and theme."""


def demo(settings: Settings) -> int:
    """A ready event with the standard program and three themed tables, then the server."""
    if refused := migrate(settings, "demo"):
        return refused
    create_demo_event(settings)
    return serve(settings, migrated=True)


def create_demo_event(settings: Settings, language: str = "ja") -> dict:
    """The demo event in a migrated database; its links and the join QR code printed."""
    import segno

    from app.i18n import translate
    from app.rounds import now_ms
    from app.schemas import SessionIn, TableIn
    from app.store import sessions
    from app.store.db import make_engine

    engine = make_engine(settings.database_url)
    t = lambda msgid: translate(language, msgid)  # noqa: E731 - a one-word alias
    spec = SessionIn(
        title=t(N_("Citizen collaboration workshop (demo)")),
        language=language,
        tables=[TableIn(name=t(name), theme=t(theme)) for name, theme in DEMO_TABLES],
        program="standard",
    )
    view = sessions.create_session(engine, spec, now_ms())
    engine.dispose()
    printed = _print_links(settings, view, "worldcafe demo")
    segno.make(printed["urls"]["join"], error="m").terminal(compact=True)
    print("\nPhones on the same network need a reachable address: run with --host 0.0.0.0 and "
          "WORLDCAFE_PUBLIC_URL=http://<this laptop's LAN address>:<port>\n", flush=True)
    return printed


def _print_links(settings: Settings, view, heading: str) -> dict:
    """Every page link of an event, with its tokens (the demo; `worldcafe links`)."""
    from app.templating import links

    printed = links.created_body(settings.base_url(), view)
    print(f"\n{heading}: {view.event.title}\n")
    print(f"  facilitator console : {printed['urls']['console']}")
    print(f"  projector           : {printed['urls']['projector']}")
    for table in printed["tables"]:
        print(f"  host, table {table['number']}       : {table['host_url']}")
    print(f"  participants join   : {printed['urls']['join']}  (code {view.event.join_code})\n",
          flush=True)
    return printed


def _fail(command: str, message: str, status: int = 1) -> int:
    print(f"worldcafe {command}: {message}", file=sys.stderr)
    return status


def _sqlite_file_missing(url: str) -> bool:
    return url.startswith("sqlite:///") and not os.path.exists(url.removeprefix("sqlite:///"))


def _load_event(args: argparse.Namespace, settings: Settings, read=None):
    """The event of `args.event_id` from the database (its view, or what
    `read(engine, event_id)` returns), or the exit status after saying why not.
    Without a database named, the demo's file is looked in too, so that the links
    `make demo` printed can be found again."""
    urls = [settings.database_url]
    if not _database_given(args):
        urls.append(DEMO_DATABASE_URL)
    urls = [url for url in urls if not _sqlite_file_missing(url)]
    if not urls:
        return _fail(args.command, f"no database at {settings.database_url} "
                                   "(give --database-url)")
    for url in urls:
        loaded = _read_event(args, url, read)
        if loaded is not None:
            return loaded
    return _fail(args.command, f"there is no event {args.event_id!r} in "
                               + " or ".join(_safe(url) for url in urls))


def _read_event(args: argparse.Namespace, url: str, read):
    """What `read` returns for the event in the database at `url`, None when it holds
    no such event (or is not worldcafe's), or the exit status when it cannot be read."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from app.refusal import Refusal
    from app.store import sessions
    from app.store.db import make_engine

    engine = make_engine(url)
    try:
        return (read or sessions.load_view)(engine, args.event_id)
    except Refusal:
        return None
    except SQLAlchemyError as error:
        if isinstance(error, OperationalError) and "no such table" in str(error):
            return None
        return _fail(args.command, f"cannot read {_safe(url)}: {error.__class__.__name__}")
    finally:
        engine.dispose()


def print_links(args: argparse.Namespace, settings: Settings) -> int:
    """The links a lost console needs, from the database (no server needed)."""
    view = _load_event(args, settings)
    if isinstance(view, int):
        return view
    _print_links(settings, view, "worldcafe links")
    return 0


def _export_inputs(engine, event_id: str, fmt: str):
    """What an export reads: the event, its clock's log (the report's programme),
    everyone's token (the name tags' own links), for the series report every event of
    its series, and the photos of the paper sheets."""
    from app.documents import exports
    from app.store import photos, registration, sessions

    return (sessions.load_view(engine, event_id), sessions.clock_log(engine, event_id),
            registration.tokens(engine, event_id),
            sessions.series_views(engine, event_id) if fmt in exports.SERIES_FORMATS else [],
            photos.images(engine, event_id) if fmt in exports.PHOTO_FORMATS else {})


def export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one export of an event from the database, without a server."""
    from app.actions.exports import check_ready
    from app.documents import exports, formats
    from app.refusal import Refusal

    binary = args.format not in exports.TEXT_FORMATS
    if args.output is None and binary and sys.stdout.isatty():
        return _fail("export", f"{args.format} is binary: give -o FILE (or redirect the output)",
                     2)
    loaded = _load_event(args, settings,
                         lambda engine, event_id: _export_inputs(engine, event_id, args.format))
    if isinstance(loaded, int):
        return loaded
    view, timeline, tokens, series_views, images = loaded
    try:
        check_ready(view, args.format)
    except Refusal as refusal:
        return _fail("export", str(refusal))
    data = formats.export(view, args.format, timeline=timeline, base=settings.base_url(),
                          tokens=tokens, series_views=series_views, images=images)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(args.output, "wb") as out:
            out.write(data)
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "plan":
        return seating_files.run_plan(args)
    settings = settings_from(args)
    if args.command == "export":
        return export(args, settings)
    if args.command == "links":
        return print_links(args, settings)
    if args.command == "demo":
        return demo(settings)
    if args.command == "migrate":
        return migrate(settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
