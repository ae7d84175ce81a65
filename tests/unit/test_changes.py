"""The live changes (app/live/changes.py) and their consumers: each class has a `type` of
its own, crosses the bus unchanged, and is handled by every consumer's `match` (a class
left out reaches `assert_never`, which raises); the JSON socket's messages have the shapes
app/live/wire.py declares for them."""

from __future__ import annotations

import json
import typing
from dataclasses import replace

import pytest

from app import rounds
from app.live import changes, delivery, wire
from app.live.hub import Hub
from app.store.records import (
    ActionRecord,
    ActionStepRecord,
    GroupRecord,
    GroupVoteRecord,
    PhotoRecord,
    QuestionRecord,
    SurveyAnswerRecord,
    SurveyRecord,
    VolunteerRecord,
    VoteRecord,
)
from tests.fixtures.screens import card_record, make_view, person_records, table_records

JSON_ROLES = {"facilitator", "projector", "host", "participant"}


def one_of_each() -> list[changes.Change]:
    """One change of every class, in an order a real event could announce them."""
    program = rounds.preset("standard", lambda msgid: msgid)
    card = card_record("c1")
    other = card_record("c2", created=2, text="子どもの居場所")
    group = GroupRecord(7, "見守り", 3)
    newcomer = person_records(5)[4]
    return [
        changes.EventEdited(),
        changes.PhaseChanged(rounds.initial_state(program)),
        changes.Joined(newcomer, ((1, 2),)),
        changes.SeatingChanged(((1, 1, 2), (1, 2, 1)), tuple(person_records(5))),
        changes.CardAdded(card),
        changes.CardAdded(other),
        changes.CardEdited(replace(card, text="見守りの担い手2")),
        changes.GroupSaved(group, created=True),
        changes.CardGrouped(replace(card, group_id=7)),
        changes.DotsChanged(VoteRecord(1, "c2", 1)),
        changes.CardsMerged(replace(card, text="a / b"),
                            (replace(other, hidden=True, merged_into="c1"),),
                            (VoteRecord(1, "c1", 1),)),
        changes.CardsUnmerged(card, (other,), (VoteRecord(1, "c2", 1),)),
        changes.CardHidden(replace(other, hidden=True)),
        changes.VotingChanged(3, True, True, "groups"),
        changes.GroupDotsChanged(GroupVoteRecord(2, 7, 1)),
        changes.GroupDeleted(7),
        changes.LayoutChosen("group"),
        changes.ScreenChosen("board"),
        changes.PagesCommanded(paused=True, turns=1),
        changes.JoiningChanged("BCDEFG", False),
        changes.HostAffiliationChosen(replace(table_records()[0], host_affiliation="npo")),
        changes.SurveyChanged(SurveyRecord(
            (QuestionRecord("useful", "scale5", "役に立ちましたか"),
             QuestionRecord("again", "choice", "また参加しますか", ("はい", "いいえ"))),
            open=True)),
        changes.SurveyAnswered(SurveyAnswerRecord(2, (("useful", "4"), ("again", "はい")))),
        changes.ActionSaved(ACTION, created=True,
                            steps=(ActionStepRecord(4, "S1", "proposed", "", 10),)),
        changes.HandRaised(VolunteerRecord(4, 2), raised=True),
        changes.ActionSaved(replace(ACTION, status="agreed"), created=False,
                            steps=(ActionStepRecord(4, "S1", "agreed", "区長会で合意", 20),)),
        changes.PhotoAdded(PhotoRecord(4, 1, 2, 1000, 2400, 1800, by_host=True)),
        changes.PhotoAdded(PhotoRecord(5, 2, 2, 1001, 1800, 2400, by_host=False)),
        changes.PhotoProjected(4),
        changes.PhotoDeleted(PhotoRecord(5, 2, 2, 1001, 1800, 2400, by_host=False)),
        changes.SignedOut("participant", 3),
    ]


ACTION = ActionRecord(4, "S1", 1, None, "見守りカフェを開く",
                      (("citizen", "担い手"), ("city", "会場")), "2027-03-31", "proposed", 10)


def test_every_change_class_has_a_type_of_its_own_and_an_example():
    types = [cls.type for cls in changes.CHANGE_CLASSES]
    assert len(set(types)) == len(types)
    assert set(changes.BY_TYPE) == set(types)
    assert {type(change) for change in one_of_each()} == set(changes.CHANGE_CLASSES)


def test_a_batch_of_every_change_crosses_the_bus_unchanged():
    batch = changes.Batch("S1", 12, tuple(one_of_each()))
    text = changes.encode(batch)
    assert [item["type"] for item in json.loads(text)["changes"]] == [
        change.type for change in batch.changes]
    assert changes.decode(text) == batch
    assert changes.decode(text.encode()) == batch


def test_the_view_applies_every_change():
    view = make_view()
    for change in one_of_each():
        view.apply(change)
    assert view.event.board_layout == "group" and view.event.projector_screen == "board"
    assert view.event.projector_page_turns == 1 and not view.event.joining_open
    assert view.card("c1").text == "見守りの担い手" and view.card("c2").hidden
    assert view.groups == [] and view.table(1).host_affiliation == "npo"
    assert view.person(5) is not None
    assert view.survey.open and view.survey_answer(2).value("again") == "はい"
    assert view.actions[4].status == "agreed" and view.raised_by(2) == {4}
    assert [step.note for step in view.action_steps[4]] == ["", "区長会で合意"]
    assert [photo.id for photo in view.photos] == [4] and view.projected_photo.id == 4


def test_an_unknown_change_is_refused_by_every_consumer():
    """What `assert_never` does when a class is left out of a `match`."""
    stranger = object()
    view = make_view()
    with pytest.raises(AssertionError):
        view.apply(stranger)
    with pytest.raises(AssertionError):
        delivery.Delivery(view, JSON_ROLES).apply(changes.Batch("S1", 1, (stranger,)))
    with pytest.raises(AssertionError):
        delivery.json_messages(view, stranger, "facilitator")
    with pytest.raises(AssertionError):
        Hub(lambda _id: view).arrive(changes.Batch("S1", 1, (stranger,)))


def _shape_of(message_type: str) -> type:
    """The TypedDict of wire.Message whose `type` allows `message_type`."""
    for shape in typing.get_args(wire.Message):
        if message_type in typing.get_args(typing.get_type_hints(shape)["type"]):
            return shape
    raise AssertionError(f"no declared shape for a {message_type!r} message")


def test_delivery_notes_every_change_and_each_json_message_has_its_declared_shape():
    view = make_view()
    outgoing = delivery.Delivery(view, JSON_ROLES)
    seen_types = set()
    for seq, change in enumerate(one_of_each(), start=1):
        before = {role: len(messages) for role, messages in outgoing.json.items()}
        outgoing.apply(changes.Batch("S1", seq, (change,)))
        for role, messages in outgoing.json.items():
            for text in messages[before[role]:]:
                message = json.loads(text)
                shape = _shape_of(message["type"])
                assert shape.__required_keys__ <= message.keys(), (message, shape)
                assert message.keys() <= shape.__required_keys__ | shape.__optional_keys__
                seen_types.add(message["type"])
    assert view.seq == len(one_of_each())
    assert seen_types == {"phase", "participant", "seating", "card", "card_edited",
                          "card_hidden", "group", "vote", "voting", "board", "screen",
                          "pages", "joining", "action"}
    snapshot = json.loads(delivery.json_snapshot(view, delivery.Audience("json", role="host")))
    assert _shape_of(snapshot["type"]).__required_keys__ == snapshot.keys()


def test_the_hub_forgets_tokens_and_join_turns_only_for_the_changes_that_end_them():
    forgotten_tokens, forgotten_turns = [], []
    the_hub = Hub(lambda _id: make_view(), forget_tokens=forgotten_tokens.append,
                  forget_join_turns=forgotten_turns.append)
    for change in one_of_each():
        the_hub.arrive(changes.Batch("S1", 1, (change,)))
    assert forgotten_tokens == ["S1"] and forgotten_turns == ["S1"]
