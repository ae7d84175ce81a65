"""Erasing names when their purpose is served: the facilitator anonymises the event (every
name, reading and email replaced, every link but their own revoked, the figures kept) or
deletes it; the server anonymises the events that finished more than the set days ago.

The facilitator's own link is kept on purpose: the organiser still opens the console to
download the report after the names are gone (the documents kept so far are thrown away
and are made again from the anonymous rows). Whatever the action changed, the database is
compacted after it (store/db.py, compact), so the old rows' bytes go too."""

from __future__ import annotations

import logging

from app import auth
from app.actions import Done, Services, announce, require
from app.i18n import N_, translate
from app.live import changes
from app.refusal import Refusal
from app.store import db, erasure
from app.store.erasure import Anonymised

log = logging.getLogger(__name__)

PARTICIPANT_LABEL = N_("Participant %(n)s")
"""What a participant is called once their name is erased (「参加者1」)."""
REVOKED = (auth.PARTICIPANT, auth.HOST, auth.PROJECTOR, auth.CO_FACILITATOR)
"""Whose links an erasure ends: everyone's but the facilitator's."""


def anonymise(services: Services, identity: auth.Identity) -> Done[Anonymised | None]:
    """The facilitator's erasure of the event's names (None: they were erased already)."""
    _require_organiser(identity)
    done = _anonymise(services, identity.event_id)
    if done.value is not None:
        db.compact(services.engine, erasure.NAMED_TABLES)
    return done


def delete(services: Services, identity: auth.Identity) -> Done[None]:
    """The event and everything under it gone; every screen of it signed out."""
    _require_organiser(identity)
    event_id = identity.event_id
    seq = erasure.delete_event(services.engine, event_id)
    _forget(services, event_id)
    published = announce(services, event_id, seq,
                         *(changes.SignedOut(role) for role in (*REVOKED, auth.FACILITATOR)))
    db.compact(services.engine, erasure.NAMED_TABLES)
    return Done(None, published)


def erase_due(services: Services) -> list[str]:
    """Anonymise every event that finished more than `erase_names_after_ms` ago (0:
    never); the ids of those it anonymised. The server runs it at start and then
    periodically (app/main.py)."""
    if services.erase_names_after_ms <= 0:
        return []
    due = erasure.finished_before(services.engine,
                                  services.now() - services.erase_names_after_ms)
    erased = []
    for event_id in due:
        try:
            if _anonymise(services, event_id).value is not None:
                erased.append(event_id)
        except Refusal:  # deleted meanwhile, or the database busy: the next run tries again
            log.warning("names of event %s not erased yet", event_id, exc_info=True)
    if erased:
        log.info("names erased automatically in %s event(s)", len(erased))
        db.compact(services.engine, erasure.NAMED_TABLES)
    return erased


def _require_organiser(identity: auth.Identity) -> None:
    """The facilitator who holds the event's own link: a co-facilitator's would be
    revoked by what they ask."""
    require(identity, auth.FACILITATOR)
    if identity.co_facilitator:
        raise Refusal("forbidden", N_("Only the facilitator who made the event can erase "
                                      "its names or delete it."))


def _anonymise(services: Services, event_id: str) -> Done[Anonymised | None]:
    done = erasure.anonymise(services.engine, event_id, services.now(),
                             lambda language, n: translate(language, PARTICIPANT_LABEL, n=n))
    if done is None:
        return Done(None)
    _forget(services, event_id)
    return Done(done, announce(services, event_id, done.seq, changes.EventEdited(),
                               *(changes.SignedOut(role) for role in REVOKED)))


def _forget(services: Services, event_id: str) -> None:
    """Tokens known on this worker forgotten (the others forget them when the change
    arrives), and the documents made so far thrown away."""
    services.tokens.forget(event_id)
    if services.documents is not None:
        services.documents.purge(event_id)
