"""Keyword terms kept in the database (table keyword_terms), one row per card text of an
event: written with the card, read back when an event is loaded, so that a restart draws
the keyword charts of a big board without running the analyser over every card again.
Texts that have no row yet (cards written before the table existed, merged texts) are
analysed on that load and stored then."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app import keywords
from app.live.view import EventView
from app.store import sessions
from app.store.db import reading, writing
from app.store.models import KeywordTerms

CHUNK = 500
"""Digests per query: SQLite caps the parameters of one statement."""


def digest(text: str) -> str:
    """A text's key under the keyword rules of this version (terms of older rules are
    not found, so they are analysed again)."""
    return hashlib.sha256(f"{keywords.RULES_VERSION}\n{text}".encode()).hexdigest()


def store(db: Session, session_id: str, texts: Iterable[str]) -> None:
    """Store the terms of texts in the caller's transaction (analyse them before it, with
    `keywords.prepare`: a write transaction holds SQLite's lock); a text already stored is
    left as it is, also when a concurrent writer stores it first."""
    rows = {digest(text): json.dumps(keywords.terms_as_data(keywords.terms(text)),
                                     ensure_ascii=False)
            for text in texts}
    if not rows:
        return
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    # many parameter sets for one statement: compiled once, not once per number of rows
    db.execute(insert(KeywordTerms).on_conflict_do_nothing(),
               [{"session_id": session_id, "text_digest": key, "terms": value}
                for key, value in rows.items()])


def recall(engine: Engine, session_id: str, texts: Iterable[str]) -> None:
    """Make `keywords.terms` of these texts of an event answer without the analyser: the
    stored ones are remembered, the others analysed once and stored."""
    by_digest = {digest(text): text for text in dict.fromkeys(texts)}
    known: dict[str, tuple[keywords.Term, ...]] = {}
    keys = list(by_digest)
    with reading(engine) as db:
        for start in range(0, len(keys), CHUNK):
            for key, data in db.exec(
                    select(KeywordTerms.text_digest, KeywordTerms.terms)
                    .where(KeywordTerms.session_id == session_id,
                           KeywordTerms.text_digest.in_(keys[start:start + CHUNK]))):
                known[by_digest[key]] = keywords.terms_of_data(json.loads(data))
    keywords.remember(known)
    missing = [text for text in by_digest.values() if text not in known]
    if missing:
        keywords.prepare(missing)  # before taking the write lock: analysing takes a while
        with writing(engine) as db:
            for start in range(0, len(missing), CHUNK):
                store(db, session_id, missing[start:start + CHUNK])


def load_view(engine: Engine, session_id: str) -> EventView:
    """The event as committed now, with the stored keyword terms of its visible cards
    remembered (those not stored yet analysed and stored), so that drawing its keyword
    charts runs no analyser: the hub's loader and the document worker's."""
    view = sessions.load_view(engine, session_id)
    recall(engine, session_id, (card.text for card in view.all_cards if not card.hidden))
    return view
