"""The program clock as a pure state machine, driven by a fake clock."""

import pytest

from app import rounds
from app.refusal import Refusal
from app.rounds import FINISHED, PAUSED, READY, RUNNING, PhaseSpec
from app.store.records import ClockEntryRecord

PROGRAM = [
    PhaseSpec("plain", "Opening", 5),
    PhaseSpec("intro", "Self-introduction", 10, "Who are you?"),
    PhaseSpec("conversation", "Second table", 15, moves=True),
]
T0 = 1_700_000_000_000
MINUTE = 60_000


def run(state, action, now, **kwargs):
    return rounds.apply(PROGRAM, state, action, now, **kwargs)


def started(now=T0):
    return run(rounds.initial_state(PROGRAM), "start", now).state


def test_ready_state_holds_the_full_duration():
    state = rounds.initial_state(PROGRAM)
    assert state.status == READY
    assert state.remaining_at(T0) == 5 * MINUTE
    assert state.remaining_at(T0 + 10 * MINUTE) == 5 * MINUTE


def test_start_sets_an_absolute_deadline():
    transition = run(rounds.initial_state(PROGRAM), "start", T0)
    assert transition.changed
    assert transition.state.status == RUNNING
    assert transition.state.ends_at_ms == T0 + 5 * MINUTE
    assert transition.state.remaining_at(T0 + MINUTE) == 4 * MINUTE


def test_double_start_is_a_harmless_no_op():
    state = started()
    again = run(state, "start", T0 + 1000)
    assert not again.changed
    assert again.state == state
    assert again.note


def test_pause_keeps_what_remains_and_resume_moves_the_deadline():
    paused = run(started(), "pause", T0 + MINUTE).state
    assert paused.status == PAUSED and paused.remaining_ms == 4 * MINUTE
    assert paused.remaining_at(T0 + 30 * MINUTE) == 4 * MINUTE
    resumed = run(paused, "resume", T0 + 10 * MINUTE).state
    assert resumed.status == RUNNING
    assert resumed.ends_at_ms == T0 + 14 * MINUTE


def test_pause_at_zero_keeps_zero_and_never_goes_negative():
    paused = run(started(), "pause", T0 + 7 * MINUTE).state
    assert paused.remaining_ms == 0
    resumed = run(paused, "resume", T0 + 8 * MINUTE).state
    assert resumed.remaining_at(T0 + 8 * MINUTE) == 0


def test_double_pause_is_a_no_op_and_pause_when_ready_is_refused():
    paused = run(started(), "pause", T0 + MINUTE).state
    assert not run(paused, "pause", T0 + 2 * MINUTE).changed
    with pytest.raises(Refusal) as refused:
        run(rounds.initial_state(PROGRAM), "pause", T0)
    assert refused.value.code == "not_running"


def test_extend_while_paused_adds_to_what_remains():
    paused = run(started(), "pause", T0 + MINUTE).state
    extended = run(paused, "extend", T0 + 2 * MINUTE, seconds=90).state
    assert extended.status == PAUSED
    assert extended.remaining_ms == 4 * MINUTE + 90_000
    shortened = run(extended, "extend", T0 + 2 * MINUTE, seconds=-3600).state
    assert shortened.remaining_ms == 0


def test_extend_while_running_moves_the_deadline():
    extended = run(started(), "extend", T0 + MINUTE, seconds=60).state
    assert extended.ends_at_ms == T0 + 6 * MINUTE


def test_extend_after_zero_counts_from_now_not_from_the_old_deadline():
    late = T0 + 8 * MINUTE  # three minutes past the deadline
    extended = run(started(), "extend", late, seconds=60).state
    assert extended.ends_at_ms == late + MINUTE


def test_shortening_never_puts_the_deadline_in_the_past():
    shortened = run(started(), "extend", T0 + MINUTE, seconds=-600).state
    assert shortened.ends_at_ms == T0 + MINUTE
    assert shortened.remaining_at(T0 + MINUTE) == 0


@pytest.mark.parametrize("seconds", [None, 0, 3601, -3601])
def test_extend_needs_a_sensible_number_of_seconds(seconds):
    with pytest.raises(Refusal) as refused:
        run(started(), "extend", T0, seconds=seconds)
    assert refused.value.code == "invalid_seconds"


def test_next_sets_up_the_next_phase_with_its_full_length():
    after = run(started(), "next", T0 + MINUTE).state
    assert after.phase_index == 1 and after.status == READY
    assert after.remaining_ms == 10 * MINUTE and after.ends_at_ms is None


def test_next_on_the_last_phase_finishes_and_a_second_next_changes_nothing():
    last = rounds.ready_at(PROGRAM, 2)
    finished = run(last, "next", T0)
    assert finished.changed and finished.state.status == FINISHED
    assert finished.state.phase_index == 2
    again = run(finished.state, "next", T0 + 1)
    assert not again.changed and again.state == finished.state


def test_a_finished_event_cannot_be_started_but_can_step_back():
    finished = run(rounds.ready_at(PROGRAM, 2), "finish", T0).state
    with pytest.raises(Refusal) as refused:
        run(finished, "start", T0)
    assert refused.value.code == "finished"
    back = run(finished, "previous", T0).state
    assert back.status == READY and back.phase_index == 2


def test_previous_on_the_first_phase_is_refused():
    with pytest.raises(Refusal) as refused:
        run(rounds.initial_state(PROGRAM), "previous", T0)
    assert refused.value.code == "no_previous"


def test_goto_checks_the_index():
    jumped = run(started(), "goto", T0, phase_index=2).state
    assert jumped.phase_index == 2 and jumped.status == READY
    with pytest.raises(Refusal):
        run(started(), "goto", T0, phase_index=3)
    with pytest.raises(Refusal):
        run(started(), "goto", T0, phase_index=-1)


def test_a_stale_click_does_nothing_and_says_so():
    """Two consoles (or a double click) press next from phase 0: the second is a no-op."""
    first = run(started(), "next", T0, expected_phase=0)
    assert first.state.phase_index == 1
    second = run(first.state, "next", T0 + 5, expected_phase=0)
    assert not second.changed and second.state.phase_index == 1
    assert second.note


def test_unknown_action_is_refused():
    with pytest.raises(Refusal) as refused:
        run(started(), "explode", T0)
    assert refused.value.code == "unknown_action"


def test_reprogram_follows_a_shorter_program_and_new_lengths():
    state = rounds.ready_at(PROGRAM, 2)
    shorter = PROGRAM[:2]
    assert rounds.reprogram(shorter, state) == rounds.ready_at(shorter, 1)
    longer_first = [PhaseSpec("plain", "Opening", 7), *PROGRAM[1:]]
    assert rounds.reprogram(longer_first, rounds.initial_state(PROGRAM)).remaining_ms == 7 * MINUTE
    running = started()
    assert rounds.reprogram(longer_first, running) == running


def test_state_json_has_the_contract_fields():
    body = rounds.state_json(PROGRAM, started(), T0 + MINUTE)
    assert body == {
        "phase_index": 0,
        "phase": {"kind": "plain", "title": "Opening", "minutes": 5, "question": "",
                  "moves": False},
        "status": "running",
        "ends_at_ms": T0 + 5 * MINUTE,
        "remaining_ms": 4 * MINUTE,
        "server_now_ms": T0 + MINUTE,
    }


def test_fractional_minutes():
    assert PhaseSpec("briefing", "Quick", 0.5).duration_ms == 30_000


@pytest.mark.parametrize("name", rounds.PRESETS)
def test_presets_are_valid_programs(name):
    program = rounds.preset(name, lambda msgid: msgid)
    assert program and all(p.kind in rounds.PHASE_KINDS and p.minutes > 0 for p in program)


def test_standard_preset_is_the_moving_self_introduction():
    kinds = [(p.kind, p.moves) for p in rounds.preset("standard", str)]
    rounds_only = [k for k in kinds if k[0] != "plain"]
    assert rounds_only == [("intro", False), ("conversation", True), ("conversation", True),
                           ("return", True)]


def test_seating_rounds_of_the_standard_program():
    program = rounds.preset("standard", str)
    assert [p.kind for p in program] == ["plain", "intro", "conversation", "conversation",
                                         "return", "plain"]
    assert rounds.seating_rounds(program) == [0, 0, 1, 2, 0, 0]


def test_seating_rounds_of_a_plain_world_cafe_and_a_briefing():
    assert rounds.seating_rounds(rounds.preset("world_cafe", str)) == [0, 1, 2, 2]
    assert rounds.seating_rounds(rounds.preset("briefing", str)) == [0, 1, 2]


def _log(steps):
    """Drive the clock through (minute, action) steps as the store does, logging every
    change it makes: (entries, final state)."""
    state, entries = rounds.initial_state(PROGRAM), []
    for minute, action, *extra in steps:
        now = T0 + minute * MINUTE
        transition = run(state, action, now, **(extra[0] if extra else {}))
        if transition.changed:
            state = transition.state
            entries.append(ClockEntryRecord(now, state.phase_index, state.status))
    return entries, state


def test_time_spent_sums_the_running_intervals_and_skips_pauses():
    entries, _ = _log([(0, "start"), (2, "pause"), (3, "resume"), (5, "next"),
                       (6, "start")])
    spent = rounds.time_spent(entries, until_ms=T0 + 10 * MINUTE)
    assert spent == {0: rounds.TimeSpent(4 * MINUTE, T0),
                     1: rounds.TimeSpent(4 * MINUTE, T0 + 6 * MINUTE)}


def test_a_phase_left_while_running_stops_counting_at_the_next_entry():
    entries, _ = _log([(0, "start"), (3, "next"), (4, "start"), (5, "finish")])
    spent = rounds.time_spent(entries, until_ms=T0 + 60 * MINUTE)
    assert spent[0].ms == 3 * MINUTE and spent[1].ms == 1 * MINUTE
    assert 2 not in spent


def test_an_extension_does_not_break_the_count_and_a_phase_met_again_adds_up():
    entries, _ = _log([(0, "start"), (1, "extend", {"seconds": 60}), (2, "next"),
                       (3, "previous"), (4, "start"), (7, "goto", {"phase_index": 2})])
    spent = rounds.time_spent(entries, until_ms=T0 + 60 * MINUTE)
    assert spent[0] == rounds.TimeSpent(5 * MINUTE, T0)
    assert 1 not in spent and 2 not in spent


def test_no_log_no_time_and_never_negative():
    assert rounds.time_spent([], until_ms=T0) == {}
    entries, _ = _log([(5, "start")])
    assert rounds.time_spent(entries, until_ms=T0) == {0: rounds.TimeSpent(0, T0 + 5 * MINUTE)}


def test_rounds_start_when_the_clock_starts_the_first_round():
    program = rounds.preset("standard", str)  # an opening, then the first round
    first = next(i for i, phase in enumerate(program) if phase.is_round)
    assert first == 1
    started = [
        rounds.rounds_started(program, rounds.ClockState(index, status))
        for index, status in ((0, READY), (0, RUNNING), (1, READY), (1, RUNNING),
                              (1, PAUSED), (2, READY), (0, FINISHED))
    ]
    assert started == [False, False, False, True, True, True, True]
    plain = [PhaseSpec("plain", "talk", 10)]
    assert not rounds.rounds_started(plain, rounds.ClockState(0, RUNNING))
