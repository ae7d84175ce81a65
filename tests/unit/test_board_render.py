"""Who gets what when a dot is placed (app/web/render.py): the voter their own dots, the
console its count; other phones and the projector nothing until the results are revealed.
Built from real models and templates, without a database."""

from app import rounds
from app.hub import Audience, Event
from app.models import CafeTable, Card, CardGroup, EventSession, Participant, Vote
from app.sessions import SessionView
from app.web.render import render_event


def make_view(revealed: bool) -> SessionView:
    program = rounds.preset("standard", lambda msgid: msgid)
    event = EventSession(id="S1", title="t", language="ja", join_code="ABCDEF",
                         facilitator_token="f", projector_token="p", created_at_ms=0,
                         vote_budget=3, voting_open=True, votes_revealed=revealed,
                         board_view="group")
    table = CafeTable(id=1, session_id="S1", number=1, name="T1", theme="見守り",
                      host_token="h")
    people = [Participant(id=n, session_id="S1", name=f"秘密の名前{n}", affiliation="citizen",
                          home_table_id=1, token=f"t{n}", joined_at_ms=0) for n in (1, 2)]
    card = Card(id="c1", session_id="S1", table_id=1, phase_index=0, author_kind="participant",
                participant_id=1, text="見守りの担い手", colour="yellow", created_at_ms=1)
    view = SessionView(event, [table], program, rounds.initial_state(program), people,
                       {}, [card])
    view.groups = [CardGroup(id=1, session_id="S1", name="担い手", created_at_ms=0)]
    view.votes = [Vote(id=1, session_id="S1", participant_id=1, card_id="c1", dots=2)]
    return view


def audiences():
    return {
        "voter": Audience("participant", "ja", participant_id=1),
        "other": Audience("participant", "ja", participant_id=2),
        "projector": Audience("projector", "ja"),
        "console": Audience("facilitator", "ja"),
    }


def test_before_the_reveal_only_the_voter_and_the_console_hear_of_a_dot():
    view = make_view(revealed=False)
    vote = Event("S1", "vote", {"participant_id": 1})
    texts = {name: render_event(view, vote, who) for name, who in audiences().items()}
    assert texts["other"] is None and texts["projector"] is None
    assert 'id="my-votes"' in texts["voter"] and 'data-left="1"' in texts["voter"]
    assert 'id="vote-cards"' not in texts["voter"]  # the list carries no counts yet
    assert 'id="board"' in texts["console"] and "data-dots" not in texts["console"]


def test_after_the_reveal_counts_reach_every_phone_and_the_projector():
    view = make_view(revealed=True)
    vote = Event("S1", "vote", {"participant_id": 1})
    texts = {name: render_event(view, vote, who) for name, who in audiences().items()}
    assert 'data-dots="2"' in texts["other"] and 'id="my-votes"' not in texts["other"]
    assert 'data-dots="2"' in texts["projector"] and "board__ranking" in texts["projector"]
    for text in texts.values():
        assert "秘密の名前" not in text  # the board never names an author


def test_the_group_layout_puts_the_card_in_its_group_column():
    view = make_view(revealed=False)
    view.cards[0].group_id = 1
    text = render_event(view, Event("S1", "group", {"action": "moved"}),
                        Audience("projector", "ja"))
    group_column = text.split('id="board-group-1"')[1].split('id="board-group-none"')[0] \
        if 'id="board-group-none"' in text else text.split('id="board-group-1"')[1]
    assert "見守りの担い手" in group_column
