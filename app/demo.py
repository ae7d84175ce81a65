"""`worldcafe demo`: a ready event with the standard program and three themed tables."""

from __future__ import annotations

import segno

from app import links
from app.db import make_engine
from app.i18n import N_, translate
from app.schemas import SessionIn, TableIn
from app.settings import Settings
from app.store import sessions
from app.timing import now_ms

DEMO_TABLES = (
    (N_("Support"), N_("Supporting older people in the neighbourhood")),
    (N_("Children"), N_("Helping children grow up in the community")),
    (N_("Attraction"), N_("Telling the city's story with its citizens")),
)


def create_and_print(settings: Settings, language: str = "ja") -> dict:
    """The demo event in a migrated database (`worldcafe demo` migrates first)."""
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
    printed = print_links(settings, view, "worldcafe demo")
    segno.make(printed["urls"]["join"], error="m").terminal(compact=True)
    print("\nPhones on the same network need a reachable address: run with --host 0.0.0.0 and "
          "WORLDCAFE_PUBLIC_URL=http://<this laptop's LAN address>:<port>\n", flush=True)
    return printed


def print_links(settings: Settings, view, heading: str) -> dict:
    """Every page link of an event, with its tokens (the demo; `worldcafe links`)."""
    printed = links.created_body(settings.base_url(), view)
    print(f"\n{heading}: {view.session.title}\n")
    print(f"  facilitator console : {printed['urls']['console']}")
    print(f"  projector           : {printed['urls']['projector']}")
    for table in printed["tables"]:
        print(f"  host, table {table['number']}       : {table['host_url']}")
    print(f"  participants join   : {printed['urls']['join']}  (code {view.session.join_code})\n",
          flush=True)
    return printed
