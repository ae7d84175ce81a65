"""The action plan in the database: actions (one row each, in the event where they were
drafted), every change of their status as a history row (in the event where it was made),
and participants' raised hands (one row per person and action)."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.i18n import N_
from app.refusal import Refusal
from app.store.db import writing
from app.store.models import (
    ActionHistory,
    ActionItem,
    ActionVolunteer,
    CafeTable,
    CardGroup,
    EventSession,
)
from app.store.records import ActionRecord, ActionStepRecord, VolunteerRecord
from app.store.rows import bump, locked_event

Rules = Callable[[ActionRecord], tuple[ActionRecord, ActionStepRecord | None]]
"""An action as stored -> the action as it should be, and the step of its history the
change adds (None: its status and notes stay as they were)."""


def _record(row: ActionItem) -> ActionRecord:
    return ActionRecord(row.id, row.session_id, row.table_id, row.group_id, row.what,
                        tuple((code, text) for code, text in json.loads(row.roles)),
                        row.due, row.status, row.created_at_ms)


def _step(row: ActionHistory) -> ActionStepRecord:
    return ActionStepRecord(row.action_id, row.session_id, row.status, row.note, row.at_ms)


def actions_of(db: Session, session_id: str
               ) -> tuple[list[ActionRecord], list[ActionStepRecord], list[VolunteerRecord]]:
    """The event's actions and those of the earlier events of its series (to review),
    their whole history (oldest first) and the raised hands, in the caller's
    transaction."""
    origins = _reviewable(db, session_id)
    ids = select(ActionItem.id).where(ActionItem.session_id.in_(origins))
    actions = db.exec(select(ActionItem).where(ActionItem.session_id.in_(origins))
                      .order_by(ActionItem.id)).all()
    steps = db.exec(select(ActionHistory).where(ActionHistory.action_id.in_(ids))
                    .order_by(ActionHistory.id)).all()
    hands = db.exec(select(ActionVolunteer.action_id, ActionVolunteer.participant_id)
                    .where(ActionVolunteer.session_id == session_id)
                    .order_by(ActionVolunteer.id)).all()
    return ([_record(row) for row in actions], [_step(row) for row in steps],
            [VolunteerRecord(*row) for row in hands])


def _reviewable(db: Session, session_id: str) -> list[str]:
    """The event and the earlier events of its series: whose actions it shows and may
    move on (a follow-up reviews what the sessions before it decided)."""
    event = db.get(EventSession, session_id)
    if event is None or event.series_id is None:
        return [session_id]
    return [*db.exec(select(EventSession.id).where(
        EventSession.series_id == event.series_id,
        EventSession.created_at_ms < event.created_at_ms)).all(), session_id]


def no_action() -> Refusal:
    return Refusal("no_action", N_("There is no such action in this event."))


def _write(db: Session, row: ActionItem, action: ActionRecord) -> None:
    row.what, row.due, row.status = action.what, action.due, action.status
    row.roles = json.dumps([list(pair) for pair in action.roles], ensure_ascii=False)
    row.table_id, row.group_id = action.table_id, action.group_id
    db.add(row)


def _add_step(db: Session, step: ActionStepRecord) -> None:
    db.add(ActionHistory(action_id=step.action_id, session_id=step.session_id,
                         status=step.status, note=step.note, at_ms=step.at_ms))


def create(engine: Engine, draft: ActionRecord, note: str = ""
           ) -> tuple[ActionRecord, ActionStepRecord, int]:
    """A new action (`draft`'s id is ignored) and the first step of its history; its table
    and group must be the event's."""
    session_id = draft.session_id
    with writing(engine) as db:
        locked_event(db, session_id)
        table = db.get(CafeTable, draft.table_id) if draft.table_id is not None else None
        if draft.table_id is not None and (table is None or table.session_id != session_id):
            raise Refusal("not_found", N_("There is no such table in this event."))
        group = db.get(CardGroup, draft.group_id) if draft.group_id is not None else None
        if draft.group_id is not None and (group is None or group.session_id != session_id):
            raise Refusal("no_group", N_("There is no such group in this event."))
        row = ActionItem(session_id=session_id, created_at_ms=draft.created_at_ms,
                         what="", roles="[]", status=draft.status)
        _write(db, row, draft)
        db.flush()
        record = _record(row)
        step = ActionStepRecord(record.id, session_id, record.status, note,
                                record.created_at_ms)
        _add_step(db, step)
        return record, step, bump(db, session_id)


def _action_row(db: Session, session_id: str, action_id: int,
                reviewing: bool = False) -> ActionItem:
    """The event's action (`reviewing`: or one of an earlier event of its series)."""
    row = db.get(ActionItem, action_id)
    if row is None or row.session_id not in (
            _reviewable(db, session_id) if reviewing else [session_id]):
        raise no_action()
    return row


def update(engine: Engine, session_id: str, action_id: int, rules: Rules
           ) -> tuple[ActionRecord, ActionStepRecord | None, int, int | None]:
    """The action changed as `rules` say, judged on the action as stored in this
    transaction (who may, where its status may move); an action of an earlier event of
    the series too, reviewed here (its history step is this event's). The last number is
    that earlier event's next change number (its open screens show the move too), None
    for this event's own action."""
    with writing(engine) as db:
        locked_event(db, session_id)
        row = _action_row(db, session_id, action_id, reviewing=True)
        earlier = row.session_id if row.session_id != session_id else None
        if earlier is not None:  # a later event locks before an earlier one: no cycle
            locked_event(db, earlier)
        changed, step = rules(_record(row))
        _write(db, row, changed)
        if step is not None:
            _add_step(db, step)
        db.flush()
        return (_record(row), step, bump(db, session_id),
                bump(db, earlier) if earlier is not None else None)


def set_hand(engine: Engine, session_id: str, action_id: int, participant_id: int,
             raised: bool) -> int | None:
    """A participant's hand for an action raised or lowered; the new seq, or None when it
    already was so (raising twice keeps one hand)."""
    with writing(engine) as db:
        locked_event(db, session_id)
        _action_row(db, session_id, action_id)
        hand = db.exec(select(ActionVolunteer)
                       .where(ActionVolunteer.action_id == action_id,
                              ActionVolunteer.participant_id == participant_id)).first()
        if (hand is not None) == raised:
            return None
        if raised:
            db.add(ActionVolunteer(session_id=session_id, action_id=action_id,
                                   participant_id=participant_id))
        else:
            db.delete(hand)
        db.flush()
        return bump(db, session_id)
