"""Every use case (app/actions/) without a server, on real SQLite and PostgreSQL: who may,
what is refused, what is stored, and the typed changes it publishes, numbered by the
event's `seq` in commit order."""

from __future__ import annotations

from app import auth
from app.actions import Services, access, admission, board, exports, seating, sessions
from app.live import changes
from app.schemas import ControlIn, JoinIn, MoveIn, SessionPatch
from app.store import sessions as stored
from app.store.records import VoteRecord
from tests.fixtures.actions import HALL, THEMES, card_spec, joined, refused


def seqs(published) -> list[int]:
    return [batch.seq for batch in published]


# --- access --------------------------------------------------------------------------------


def test_identify_knows_each_token_and_refuses_others(services, event):
    assert event["facilitator"].role == auth.FACILITATOR
    assert event["projector"].role == auth.PROJECTOR
    assert [h.role for h in event["hosts"]] == [auth.HOST] * 3
    refused(access.identify, services, event["id"], "nope", code="invalid_token")
    refused(access.identify, services, "no-such-event",
            event["view"].event.facilitator_token, code="not_found")  # or deleted
    token = event["view"].event.projector_token
    assert access.signed_in(services, event["id"], [(auth.FACILITATOR, token)]) is None
    assert access.signed_in(services, event["id"], [(auth.FACILITATOR, token),
                                                    (auth.PROJECTOR, token)]).role == "projector"
    holder, language = access.socket_holder(services, event["id"], [(None, token)])
    assert holder.role == auth.PROJECTOR and language == "ja"
    assert access.socket_holder(services, event["id"], [(None, "nope")]) == (None, "ja")
    refused(access.socket_holder, services, "no-such-event", [(None, token)], code="not_found")


# --- the event -----------------------------------------------------------------------------


def test_create_announces_nothing_and_starts_at_seq_zero(event, published):
    assert event["view"].seq == 0 and published == []
    assert [t.number for t in event["view"].tables] == [1, 2, 3]


def test_edit_is_for_the_facilitator_and_announces_a_session_edit(services, event, published):
    patch = SessionPatch.model_validate({"title": "新しい題"})
    refused(sessions.edit, services, event["hosts"][0], patch, code="forbidden")
    done = sessions.edit(services, event["facilitator"], patch)
    assert done.value.event.title == "新しい題"
    assert done.changes == (changes.EventEdited(),) and seqs(published) == [1]
    person = joined(services, event, theme=THEMES[2])
    too_few = SessionPatch.model_validate({"tables": [{"name": "A"}, {"name": "B"}]})
    refused(sessions.edit, services, event["facilitator"], too_few, code="refused")
    assert len(sessions.view(services, person).tables) == 3 and seqs(published) == [1, 2]


def test_join_needs_the_right_code_and_announces_the_newcomer(services, event, published):
    wrong = JoinIn(join_code="XXXXXX", name="侵入者")
    refused(sessions.join, services, event["id"], wrong, "10.0.0.9", code="wrong_join_code")
    for _ in range(9):
        refused(sessions.join, services, event["id"], wrong, "10.0.0.9",
                code="wrong_join_code")
    refused(sessions.join, services, event["id"], wrong, "10.0.0.9", code="too_many_attempts")
    person = joined(services, event, theme=THEMES[1])
    assert person.role == auth.PARTICIPANT
    [batch] = published
    [arrival] = batch.changes
    assert isinstance(arrival, changes.Joined) and arrival.person.name == "山田"
    assert arrival.person.home_table_id == event["view"].tables[1].id and batch.seq == 1


def test_control_moves_the_clock_and_plans_the_first_moves(services, event, published):
    for n in range(6):
        joined(services, event, name=f"P{n}", theme=THEMES[n % 3])
    published.clear()
    refused(sessions.control, services, event["hosts"][0], ControlIn(action="start"),
            code="forbidden")
    refused(sessions.control, services, event["facilitator"],
            ControlIn(action="extend", seconds=0), code="invalid_seconds")
    started = sessions.control(services, event["facilitator"], ControlIn(action="start"))
    assert started.value.changed and started.value.view.clock.status == "running"
    again = sessions.control(services, event["facilitator"], ControlIn(action="start"))
    assert not again.value.changed and again.value.note and again.changes == ()
    for _ in range(2):
        done = sessions.control(services, event["facilitator"], ControlIn(action="next"))
    kinds = [type(e) for e in done.changes]
    assert kinds == [changes.PhaseChanged, changes.SeatingChanged]  # the moves are planned
    seated = {person for _round, person, _table in done.changes[1].seats}
    assert seated == {p.id for p in done.value.view.participants}
    assert seqs(published) == [7, 8, 9]


# --- seating -------------------------------------------------------------------------------


def test_moves_by_hand_and_absences(services, event, published):
    people = [joined(services, event, name=f"P{n}", theme=THEMES[n % 3]) for n in range(6)]
    for _ in range(2):
        sessions.control(services, event["facilitator"], ControlIn(action="next"))
    published.clear()
    view = sessions.view(services, event["facilitator"])
    person = view.person(people[0].participant_id)
    elsewhere = next(t for t in view.tables if t.id != view.table_id_of(person))
    move = MoveIn(participant_id=person.id, table_id=elsewhere.id)
    refused(seating.move, services, event["hosts"][0], move, code="forbidden")
    done = seating.move(services, event["facilitator"], move)
    assert done.value.table_id_of(done.value.person(person.id)) == elsewhere.id
    [change] = done.changes
    assert (1, person.id, elsewhere.id) in change.seats
    other_host = next(h for h in event["hosts"] if h.table_id != elsewhere.id)
    refused(seating.mark_absent, services, other_host, person.id, True, code="forbidden")
    refused(seating.mark_absent, services, people[1], person.id, True, code="forbidden")
    host = next(h for h in event["hosts"] if h.table_id == elsewhere.id)
    absent = seating.mark_absent(services, host, person.id, True)
    assert absent.value.person(person.id).absent
    assert any(p.id == person.id and p.absent for p in absent.changes[0].people)
    assert seqs(published) == [9, 10]


def test_someone_without_a_seat_in_a_round_is_at_home_for_their_card_and_every_screen(
        services, event, published):
    """One seat rule (tables.table_in_round) for the store, which files a card, and the
    view, which the phone, the console and the hosts are drawn from: someone whose seats
    went with an absence writes from their home table, and is listed there."""
    people = [joined(services, event, name=f"P{n}", theme=THEMES[n % 3]) for n in range(6)]
    view = sessions.view(services, event["facilitator"])
    while view.seating_round != 1:
        view = sessions.control(services, event["facilitator"],
                                ControlIn(action="next")).value.view
    person = view.person(people[0].participant_id)
    seating.mark_absent(services, event["facilitator"], person.id, True)
    while view.seating_round != 2:
        view = sessions.control(services, event["facilitator"],
                                ControlIn(action="next")).value.view
    assert view.planned and person.id not in view.seats.get(2, {})
    assert view.table_id_of(view.person(person.id)) == person.home_table_id
    assert person.id in {p.id for p in view.seated_at(person.home_table_id)}
    done = board.add_card(services, people[0], "token-p0", card_spec(), HALL)
    assert done.value.card.table_id == person.home_table_id


# --- cards and the board -----------------------------------------------------------------


def test_a_card_is_stored_once_and_announced_once(services, event, published):
    host = event["hosts"][0]
    spec = card_spec()
    first = board.add_card(services, host, "token-1", spec, HALL)
    again = board.add_card(services, host, "token-1", spec, HALL)
    assert first.value.created and not again.value.created and again.changes == ()
    [added] = first.changes
    assert added == changes.CardAdded(first.value.card)
    assert first.value.card.table_id == host.table_id
    refused(board.add_card, services, event["projector"], "p", card_spec(), HALL, code="forbidden")
    refused(board.add_card, services, host, "token-1",
            card_spec(table_id=event["hosts"][1].table_id), HALL, code="forbidden")
    refused(board.add_card, services, event["facilitator"], "f", card_spec(), HALL, code="invalid")
    assert [c.id for c in board.list_cards(services, host).cards] == [spec.id]
    assert seqs(published) == [1]


def test_cards_over_the_rate_limit_are_refused_and_not_stored(engine, event, published):
    services = Services(engine, published.append, now=lambda: 1_800_000_000_000)
    for _ in range(5):
        board.add_card(services, event["hosts"][0], "one-device", card_spec(), HALL)
    limited = refused(board.add_card, services, event["hosts"][0], "one-device", card_spec(),
                      HALL, code="too_many_cards")
    assert limited.headers["Retry-After"]
    assert len(board.list_cards(services, event["facilitator"]).cards) == 5


def test_groups_are_for_the_facilitator_and_announced(services, event, published):
    refused(board.create_group, services, event["hosts"][0], "x", code="forbidden")
    refused(board.create_group, services, event["facilitator"], "  ", code="invalid")
    created = board.create_group(services, event["facilitator"], "地域の見守り")
    assert created.changes == (changes.GroupSaved(created.value, created=True),)
    renamed = board.rename_group(services, event["facilitator"], created.value.id, "見守り")
    assert renamed.value.name == "見守り" and not renamed.changes[0].created
    refused(board.rename_group, services, event["facilitator"], 999, "x", code="no_group")
    card = board.add_card(services, event["hosts"][0], "t", card_spec(), HALL).value.card
    board.change_card(services, event["facilitator"], card.id, {"group_id": created.value.id})
    deleted = board.delete_group(services, event["facilitator"], created.value.id)
    assert deleted.changes == (changes.GroupDeleted(created.value.id),)
    assert board.list_cards(services, event["facilitator"]).cards[0].group_id is None
    assert seqs(published) == [1, 2, 3, 4, 5]


def test_changing_a_card_announces_each_field_changed(services, event, published):
    card = board.add_card(services, event["hosts"][0], "t", card_spec(), HALL).value.card
    group = board.create_group(services, event["facilitator"], "まとめ").value
    refused(board.change_card, services, event["hosts"][1], card.id, {"hidden": True},
            code="forbidden")
    refused(board.change_card, services, event["facilitator"], card.id, {}, code="invalid")
    refused(board.change_card, services, event["facilitator"], card.id, {"text": ""},
            code="invalid")
    refused(board.change_card, services, event["facilitator"], "nope", {"hidden": True},
            code="no_card")
    done = board.change_card(services, event["facilitator"], card.id,
                             {"hidden": True, "text": "直した", "group_id": group.id})
    assert [type(e) for e in done.changes] == [changes.CardGrouped, changes.CardEdited,
                                               changes.CardHidden]
    assert all(e.card == done.value.card for e in done.changes)
    assert done.value.card.hidden and done.value.card.text == "直した"
    assert done.value.weight == 1
    assert seqs(published) == [1, 2, 3]


def test_authors_edit_and_withdraw_their_own_cards_while_the_round_runs(services, event,
                                                                       published):
    """A host's cards of their table and a participant's own: the text, or withdrawn
    (hidden), announced as the facilitator's edits are; anyone else's card is forbidden,
    and a card of a round that is over stays."""
    host, other_host = event["hosts"][0], event["hosts"][1]
    person, other = joined(services, event), joined(services, event, name="佐藤")
    hosts_card = board.add_card(services, host, "h", card_spec(), HALL).value.card
    mine = board.add_card(services, person, "p", card_spec("私のカード"), HALL).value.card
    for who, card in ((other_host, hosts_card), (person, hosts_card), (host, mine),
                      (other, mine), (event["projector"], mine)):
        refused(board.change_card, services, who, card.id, {"text": "x"}, code="forbidden")
    refused(board.change_card, services, host, hosts_card.id, {"group_id": None},
            code="forbidden")
    refused(board.change_card, services, host, hosts_card.id, {"hidden": False},
            code="forbidden")
    refused(board.change_card, services, host, hosts_card.id, {"text": " "}, code="invalid")

    edited = board.change_card(services, host, hosts_card.id, {"text": "直した"})
    assert edited.value.card.text == "直した"
    assert edited.changes == (changes.CardEdited(edited.value.card),)
    withdrawn = board.change_card(services, person, mine.id, {"hidden": True})
    assert withdrawn.changes == (changes.CardHidden(withdrawn.value.card),)
    assert withdrawn.value.card.hidden
    refused(board.change_card, services, person, mine.id, {"text": "また"}, code="refused")

    sessions.control(services, event["facilitator"], ControlIn(action="next", from_phase=0))
    refused(board.change_card, services, host, hosts_card.id, {"hidden": True},
            code="refused")  # its round is over
    shown = board.list_cards(services, event["facilitator"]).cards
    assert [(c.text, c.hidden) for c in shown] == [("直した", False), ("私のカード", True)]


def test_a_merge_keeps_one_card_with_the_dots_of_all(services, event, published):
    person = joined(services, event)
    board.change_board(services, event["facilitator"], {"open": True})
    keep, other = (board.add_card(services, event["hosts"][0], "t", card_spec(text),
                                  HALL).value.card
                   for text in ("見守り", "見守りの担い手"))
    board.vote(services, person, other.id, +1)
    refused(board.merge, services, person, keep.id, [other.id], code="forbidden")
    refused(board.merge, services, event["facilitator"], keep.id, [keep.id], code="invalid")
    done = board.merge(services, event["facilitator"], keep.id, [other.id])
    [merged] = done.changes
    assert merged.kept.text == "見守り / 見守りの担い手"
    assert merged.merged[0].merged_into == keep.id and merged.merged[0].hidden
    assert [(v.participant_id, v.card_id, v.dots) for v in merged.votes] == [
        (person.participant_id, keep.id, 1)]
    assert seqs(published)[-1] == 6


def test_dots_within_the_budget_from_phones_only(services, event, published):
    person = joined(services, event)
    card = board.add_card(services, event["hosts"][0], "t", card_spec(), HALL).value.card
    refused(board.vote, services, person, card.id, +1, code="voting_closed")
    board.change_board(services, event["facilitator"], {"open": True, "budget": 2})
    refused(board.vote, services, event["hosts"][0], card.id, +1, code="forbidden")
    for dots in (1, 2):
        done = board.vote(services, person, card.id, +1)
        assert done.changes == (changes.DotsChanged(
            VoteRecord(person.participant_id, card.id, dots)),)
    refused(board.vote, services, person, card.id, +1, code="no_dots_left")
    assert board.vote(services, person, card.id, -1).value["left"] == 1
    assert board.my_votes(services, person)["dots"] == {card.id: 1}
    assert board.my_votes(services, event["facilitator"]) is None
    assert seqs(published) == [1, 2, 3, 4, 5, 6]


def test_board_settings_are_announced_as_layout_and_voting(services, event, published):
    refused(board.change_board, services, event["hosts"][0], {"view": "group"},
            code="forbidden")
    refused(board.change_board, services, event["facilitator"], {"view": "sideways"},
            code="invalid")
    refused(board.change_board, services, event["facilitator"], {"budget": 99}, code="invalid")
    done = board.change_board(services, event["facilitator"],
                              {"view": "group", "open": True, "revealed": True})
    assert done.changes == (changes.LayoutChosen("group"),
                            changes.VotingChanged(3, True, True))
    assert seqs(published) == [1]


def test_exports_are_for_the_facilitator(services, event):
    board.add_card(services, event["hosts"][0], "t", card_spec("<b>太字</b>"), HALL)
    refused(exports.export, services, event["hosts"][0], "csv",
            code="forbidden")
    refused(exports.export, services, event["facilitator"], "docx.zip", code="unknown_format")
    download = exports.export(services, event["facilitator"], "csv")
    assert download.media_type.startswith("text/csv") and "<b>太字</b>" in download.body.decode()


def test_views_are_for_any_token_of_the_event(services, event):
    assert sessions.view(services, event["projector"]).event.id == event["id"]
    refused(sessions.view, services, event["projector"], auth.FACILITATOR, code="forbidden")
    assert sessions.view_by_id(services, "no-such-event") is None
    assert stored.load_view(services.engine, event["id"]).seq == 0


def test_a_removed_tables_host_token_stops_working_at_once(services, event):
    removed = event["view"].tables[2]
    assert access.identify(services, event["id"], removed.host_token).role == auth.HOST
    sessions.edit(services, event["facilitator"], SessionPatch.model_validate(
        {"tables": [{"name": "A"}, {"name": "B"}]}))
    refused(access.identify, services, event["id"], removed.host_token, code="invalid_token")


def test_a_token_found_valid_is_remembered_for_a_while():
    cache = auth.TokenCache(ttl_ms=1000)
    holder = auth.Identity(auth.HOST, "s1", table_id=3)
    cache.put("t", holder, "ja", now_ms=5000)
    assert cache.get("s1", "t", 5999) == (holder, "ja")
    assert cache.get("s1", "t", 6001) is None and cache.get("s2", "t", 5500) is None
    cache.forget("s1")
    assert cache.get("s1", "t", 5500) is None


def test_the_join_pacer_lets_a_burst_through_then_paces_each_event_apart():
    pacer = auth.Pacer(per_minute=60, burst=2)
    assert [pacer.turn("e1", HALL, 1000) for _ in range(4)] == [0, 0, 1000, 2000]
    assert pacer.busy_since("e1", HALL) == 1000
    assert pacer.turn("e2", HALL, 1000) == 0  # another event: its own burst
    pacer.give_back("e1", HALL)
    assert pacer.turn("e1", HALL, 1000) == 2000  # the turn given back is taken again
    assert pacer.turn("e1", HALL, 61_000) == 0  # a minute later: the burst is back
    assert pacer.busy_since("e1", HALL) == 61_000  # and a new run of joins began
    pacer.forget("e1")
    assert pacer.busy_since("e1", HALL) is None
    assert pacer.busy_since("e2", HALL) == 1000


def test_a_flood_is_answered_once_with_a_new_code_and_a_window_to_review(services, event,
                                                                         published):
    old = event["view"].event.join_code
    answered = admission.answer_flood(services, event["id"], old, since_ms=1000).value
    assert answered.join_code != old and answered.flood_since_ms == 1000
    [batch] = published
    [changed] = batch.changes
    assert changed == changes.JoiningChanged(answered.join_code, True, 1000,
                                             answered.flood_until_ms)
    # a second join of the same flood, answered a moment later: nothing more to do
    assert admission.answer_flood(services, event["id"], old, since_ms=500).value is None
    again = admission.answer_flood(services, event["id"], answered.join_code, since_ms=2000)
    assert again.value.flood_since_ms == 1000  # one window until the review
    assert again.value.flood_until_ms >= answered.flood_until_ms
    spec = JoinIn(join_code=old, name="古いコード")
    refused(sessions.join, services, event["id"], spec, "10.0.0.9",
            code="join_code_replaced")
    refused(admission.review_flood, services, event["hosts"][0], code="forbidden")
    reviewed = admission.review_flood(services, event["facilitator"]).value
    assert reviewed.flood_since_ms is None and reviewed.flood_until_ms is None
    assert stored.load_view(services.engine, event["id"]).event.flood_until_ms is None


def test_an_event_id_never_reads_as_a_command_line_option():
    ids = {auth.new_session_id() for _ in range(5000)}
    assert len(ids) == 5000 and not [i for i in ids if i.startswith("-")]
    assert all(len(i) == 8 for i in ids)
