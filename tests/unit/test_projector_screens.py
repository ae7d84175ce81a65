"""What the projector shows besides its screen (app/screens.py): the size of the join QR
code (none once the event has finished, whatever screen is pinned) and the facilitator's
commands to the board screen's pages."""

from __future__ import annotations

import pytest

from app import rounds, screens
from app.refusal import Refusal

PROGRAM = rounds.preset("standard", lambda msgid: msgid)


def clock(phase: int, status: str) -> rounds.ClockState:
    return rounds.ClockState(phase_index=phase, status=status)


def test_the_join_code_is_large_while_people_arrive_a_corner_later_and_gone_once_finished():
    first_round = next(i for i, phase in enumerate(PROGRAM) if phase.is_round)
    assert screens.join_size(PROGRAM, clock(0, rounds.READY), "timer") == "large"
    assert screens.join_size(PROGRAM, clock(first_round, rounds.READY), "timer") == "large"
    assert screens.join_size(PROGRAM, clock(first_round, rounds.RUNNING), "timer") == "corner"
    for screen in ("moves", "board", "ranking"):
        assert screens.join_size(PROGRAM, clock(0, rounds.READY), screen) == "corner"
    last = len(PROGRAM) - 1
    for screen in screens.SCREENS:
        assert screens.join_size(PROGRAM, clock(last, rounds.FINISHED), screen) == "none"


@pytest.mark.parametrize("paused", [False, True])
def test_play_and_pause_set_the_pages_and_a_step_only_counts(paused):
    assert screens.pages_after("pause", paused, 7) == (True, 7)
    assert screens.pages_after("play", paused, 7) == (False, 7)
    assert screens.pages_after("next", paused, 7) == (paused, 8)
    assert screens.pages_after("previous", paused, 7) == (paused, 6)
    assert screens.pages_after("previous", paused, 0) == (paused, -1)


@pytest.mark.parametrize("wrong", ["faster", "", None, 1, "PAUSE"])
def test_any_other_command_to_the_pages_is_refused(wrong):
    with pytest.raises(Refusal) as refused:
        screens.clean_pages(wrong)
    assert refused.value.code == "invalid"
