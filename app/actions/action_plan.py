"""The action plan (役割分担・時限性): tables' hosts and the facilitator draft actions
(what, who brings what by stakeholder, by when) and move them along their statuses;
participants raise a hand for one from their phones, counted per stakeholder."""

from __future__ import annotations

from dataclasses import replace

from app import auth
from app.actions import Done, Services, access, announce, require
from app.i18n import N_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import ActionIn, ActionPatch, status_move
from app.store import action_plan, sessions
from app.store.records import PROPOSED, ActionRecord, ActionStepRecord, VolunteerRecord


def _not_your_table() -> Refusal:
    return Refusal("forbidden", N_("A table's host drafts and changes only their table's "
                                   "actions."))


def draft(services: Services, identity: auth.Identity, spec: ActionIn) -> Done[ActionRecord]:
    """A new action, `proposed`: a host's from their own table, the facilitator's from any
    table or KJ group (or from none)."""
    require(identity, auth.HOST)
    table_id = spec.table_id
    if identity.role == auth.HOST:
        if table_id not in (None, identity.table_id):
            raise _not_your_table()
        table_id = identity.table_id
    new = ActionRecord(0, identity.event_id, table_id, spec.group_id, spec.what, spec.roles,
                       spec.due, PROPOSED, services.now())
    record, step, seq = action_plan.create(services.engine, new)
    return Done(record, announce(services, identity.event_id, seq,
                                 changes.ActionSaved(record, created=True, steps=(step,))))


def edit(services: Services, identity: auth.Identity, action_id: int, patch: ActionPatch
         ) -> Done[ActionRecord]:
    """What, roles, due date or status changed (only the fields sent); a status moves
    along schemas.ACTION_MOVES, and a move or a note adds a step to the history. A host
    changes their own table's actions, the facilitator any; participants none (403). An
    earlier event's action moved on in a follow-up is shown on both events' screens."""
    require(identity, auth.HOST)
    now = services.now()

    def rules(stored: ActionRecord) -> tuple[ActionRecord, ActionStepRecord | None]:
        if identity.role == auth.HOST and stored.table_id != identity.table_id:
            raise _not_your_table()
        sent = patch.model_fields_set
        status = (stored.status if patch.status is None
                  else status_move(stored.status, patch.status))
        changed = replace(
            stored,
            what=patch.what if "what" in sent and patch.what else stored.what,
            roles=(patch.roles or ()) if "roles" in sent else stored.roles,
            due=(patch.due or "") if "due" in sent else stored.due,
            status=status)
        moved = status != stored.status or bool(patch.note)
        step = ActionStepRecord(stored.id, identity.event_id, status, patch.note, now)
        return changed, step if moved else None

    record, step, seq, earlier_seq = action_plan.update(services.engine, identity.event_id,
                                                        action_id, rules)
    saved = changes.ActionSaved(record, created=False, steps=(step,) if step else ())
    announce(services, record.session_id, earlier_seq, saved)  # an earlier event's screens
    return Done(record, announce(services, identity.event_id, seq, saved))


def raise_hand(services: Services, identity: auth.Identity, action_id: int, raised: bool
               ) -> Done[EventView]:
    """A participant's hand for an action, raised or lowered; doing it twice changes
    nothing (idempotent). Answers the event, whose counts per stakeholder name nobody."""
    if identity.role != auth.PARTICIPANT or identity.participant_id is None:
        raise Refusal("forbidden", N_("Only participants raise a hand for an action."))
    seq = action_plan.set_hand(services.engine, identity.event_id, action_id,
                               identity.participant_id, raised)
    done = announce(services, identity.event_id, seq, changes.HandRaised(
        VolunteerRecord(action_id, identity.participant_id), raised))
    return Done(sessions.load_view(services.engine, identity.event_id, with_board=False), done)


def plan(services: Services, identity: auth.Identity) -> EventView:
    """The event with its actions, for anyone of the event; with its board, where a KJ
    group's action finds its theme (EventView.action_theme)."""
    return sessions.load_view(services.engine, identity.event_id)


def series_plan(services: Services, series_id: str, token: str) -> list[EventView]:
    """Every event of a series (first first; the series' id is its first event's), each
    with its actions and their whole history, for anyone holding a token of one of its
    events (401 otherwise, 404 for no such series)."""
    views = sessions.series_views(services.engine, series_id)
    if views[0].event.id != series_id:
        raise Refusal("not_found", N_("There is no such series."))
    if not any(access.signed_in(services, view.event.id, [(None, token)]) for view in views):
        raise Refusal("invalid_token", N_("This token is not valid for this series."))
    return views
