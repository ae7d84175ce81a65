"""Which screen the projector shows by itself (app/screens.py): the voting screen while
voting is open, unless the results are out or the event has finished."""

from dataclasses import replace

import pytest

from app import rounds, screens

PROGRAM = rounds.preset("standard", lambda msgid: msgid)
READY = rounds.initial_state(PROGRAM)


def at(phase_index: int, status: str = rounds.RUNNING) -> rounds.ClockState:
    return replace(READY, phase_index=phase_index, status=status)


@pytest.mark.parametrize("phase_index", range(len(PROGRAM)))
@pytest.mark.parametrize("status", [rounds.READY, rounds.RUNNING, rounds.PAUSED])
def test_open_voting_shows_the_voting_screen_in_any_phase(phase_index, status):
    assert screens.automatic(PROGRAM, at(phase_index, status), False, voting_open=True) == "vote"


def test_the_results_and_the_end_come_before_the_voting_screen():
    last = len(PROGRAM) - 1
    assert screens.automatic(PROGRAM, at(last), True, voting_open=True) == "ranking"
    assert screens.automatic(PROGRAM, at(last, rounds.FINISHED), False,
                             voting_open=True) == "end"


def test_closed_voting_leaves_the_screen_to_the_phase():
    assert screens.automatic(PROGRAM, READY, False, voting_open=False) == "timer"
    assert screens.automatic(PROGRAM, READY, False) == "timer"


def test_the_facilitator_may_pin_the_voting_screen_and_a_pin_wins():
    assert screens.clean_choice("vote") == "vote" and "vote" in screens.SCREENS
    assert screens.shown(PROGRAM, READY, False, "vote") == "vote"
    assert screens.shown(PROGRAM, READY, False, "board", voting_open=True) == "board"
    assert screens.shown(PROGRAM, READY, False, screens.AUTO, voting_open=True) == "vote"
    assert screens.join_size(PROGRAM, READY, "vote") == "corner"
