"""The program and its clock: a pure state machine with the time passed in.

Deadlines are absolute (UTC ms): a running phase keeps `ends_at_ms`, a paused or ready one
keeps `remaining_ms`. Nothing here touches a database or sends anything, and no transition
reads a clock: the time is passed in (the callers read `now_ms`, the server's clock of
record, kept here so that tests and domain code agree); a transition returns the new state,
and whether anything changed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.i18n import N_
from app.refusal import Refusal

PLAIN = "plain"
ACTION = "action"
"""A phase in which each table (or each KJ group) drafts actions (役割分担・時限性)."""
ROUND_KINDS = ("intro", "conversation", "return", "briefing")
PHASE_KINDS = (PLAIN, *ROUND_KINDS, ACTION)

READY, RUNNING, PAUSED, FINISHED = "ready", "running", "paused", "finished"
ACTIONS = ("start", "pause", "resume", "extend", "next", "previous", "goto", "finish")
MAX_EXTEND_SECONDS = 3600


def now_ms() -> int:
    """UTC milliseconds since the epoch: the server's clock of record."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class PhaseSpec:
    kind: str
    title: str
    minutes: float
    question: str = ""
    moves: bool = False

    @property
    def duration_ms(self) -> int:
        return round(self.minutes * 60_000)

    @property
    def is_round(self) -> bool:
        return self.kind in ROUND_KINDS


@dataclass(frozen=True)
class ClockState:
    phase_index: int = 0
    status: str = READY
    started_at_ms: int | None = None
    ends_at_ms: int | None = None
    remaining_ms: int | None = None

    def remaining_at(self, now_ms: int) -> int:
        """Milliseconds left, never negative; derived from the deadline while running."""
        if self.status == RUNNING and self.ends_at_ms is not None:
            return max(0, self.ends_at_ms - now_ms)
        return max(0, self.remaining_ms or 0)


@dataclass(frozen=True)
class Transition:
    state: ClockState
    changed: bool
    note: str | None = None
    """Why nothing changed (a double click, a lost race), for the caller to show."""


def ready_at(program: list[PhaseSpec], index: int) -> ClockState:
    """The state of phase `index` set up but not started: its full duration remains."""
    return ClockState(phase_index=index, status=READY, remaining_ms=program[index].duration_ms)


def initial_state(program: list[PhaseSpec]) -> ClockState:
    return ready_at(program, 0)


def _unchanged(state: ClockState, note: str) -> Transition:
    return Transition(state, changed=False, note=note)


def _changed(state: ClockState) -> Transition:
    return Transition(state, changed=True)


def _run(state: ClockState, now_ms: int) -> ClockState:
    return replace(
        state,
        status=RUNNING,
        started_at_ms=now_ms,
        ends_at_ms=now_ms + state.remaining_at(now_ms),
        remaining_ms=None,
    )


def _start(state: ClockState, now_ms: int) -> Transition:
    if state.status == RUNNING:
        return _unchanged(state, N_("The timer is already running."))
    return _changed(_run(state, now_ms))


def _pause(state: ClockState, now_ms: int) -> Transition:
    if state.status == PAUSED:
        return _unchanged(state, N_("The timer is already paused."))
    if state.status != RUNNING:
        raise Refusal("not_running", N_("The timer is not running."))
    return _changed(
        replace(state, status=PAUSED, remaining_ms=state.remaining_at(now_ms), ends_at_ms=None)
    )


def _extend(state: ClockState, now_ms: int, seconds: int | None) -> Transition:
    if seconds is None or seconds == 0 or abs(seconds) > MAX_EXTEND_SECONDS:
        raise Refusal(
            "invalid_seconds", N_("Give seconds to add or take away, up to one hour.")
        )
    delta = seconds * 1000
    if state.status == RUNNING and state.ends_at_ms is not None:
        # Time already overrun does not count: +1 min at zero means one minute from now.
        base = max(state.ends_at_ms, now_ms)
        return _changed(replace(state, ends_at_ms=max(now_ms, base + delta)))
    return _changed(replace(state, remaining_ms=max(0, state.remaining_at(now_ms) + delta)))


def _next(program: list[PhaseSpec], state: ClockState) -> Transition:
    if state.phase_index >= len(program) - 1:
        return _changed(replace(state, status=FINISHED, ends_at_ms=None, remaining_ms=0))
    return _changed(ready_at(program, state.phase_index + 1))


def _previous(program: list[PhaseSpec], state: ClockState) -> Transition:
    if state.status == FINISHED:
        return _changed(ready_at(program, state.phase_index))
    if state.phase_index == 0:
        raise Refusal("no_previous", N_("This is already the first phase."))
    return _changed(ready_at(program, state.phase_index - 1))


def _goto(program: list[PhaseSpec], phase_index: int | None) -> Transition:
    if phase_index is None or not 0 <= phase_index < len(program):
        raise Refusal("invalid_phase", N_("There is no such phase in the program."))
    return _changed(ready_at(program, phase_index))


def apply(
    program: list[PhaseSpec],
    state: ClockState,
    action: str,
    now_ms: int,
    *,
    seconds: int | None = None,
    phase_index: int | None = None,
    expected_phase: int | None = None,
) -> Transition:
    """Apply one facilitator action.

    `expected_phase` is the phase the facilitator saw when clicking: if the clock has moved
    on since (a double click, a second console), nothing happens and the note says so.
    """
    if action not in ACTIONS:
        raise Refusal("unknown_action", N_("Unknown action."))
    if expected_phase is not None and expected_phase != state.phase_index:
        return _unchanged(state, N_("The program has already moved on."))
    if state.status == FINISHED and action not in ("previous", "goto", "finish"):
        if action == "next":
            return _unchanged(state, N_("The event has already finished."))
        raise Refusal("finished", N_("The event has finished."))
    if action in ("start", "resume"):
        return _start(state, now_ms)
    if action == "pause":
        return _pause(state, now_ms)
    if action == "extend":
        return _extend(state, now_ms, seconds)
    if action == "next":
        return _next(program, state)
    if action == "previous":
        return _previous(program, state)
    if action == "goto":
        return _goto(program, phase_index)
    if state.status == FINISHED:
        return _unchanged(state, N_("The event has already finished."))
    return _changed(replace(state, status=FINISHED, ends_at_ms=None, remaining_ms=0))


@dataclass(frozen=True)
class TimeSpent:
    """How long a phase actually ran, and when it first started (UTC ms)."""

    ms: int
    first_started_ms: int


def time_spent(entries: Sequence, until_ms: int) -> dict[int, TimeSpent]:
    """Per phase index, the time it ran, from the clock's log (oldest first; entries with
    at_ms, phase_index and status, each the clock as a change left it): a running entry
    counts until the next entry (a pause, another phase, the finish), the last one until
    `until_ms`. Phases that never ran are left out."""
    spent: dict[int, TimeSpent] = {}
    for position, entry in enumerate(entries):
        if entry.status != RUNNING:
            continue
        end = entries[position + 1].at_ms if position + 1 < len(entries) else until_ms
        before = spent.get(entry.phase_index, TimeSpent(0, entry.at_ms))
        spent[entry.phase_index] = replace(before, ms=before.ms + max(0, end - entry.at_ms))
    return spent


def seating_rounds(program: list[PhaseSpec]) -> list[int]:
    """For each phase, the seating round it uses. Round 0 is the home round; every phase in
    which people move starts the next round, except a return, which goes back home; other
    phases keep the seating of the phase before (a harvest after the return stays home)."""
    result, current, moves = [], 0, 0
    for phase in program:
        if phase.kind == "return":
            current = 0
        elif phase.moves:
            moves += 1
            current = moves
        result.append(current)
    return result


def rounds_started(program: list[PhaseSpec], state: ClockState) -> bool:
    """Whether the conversations have begun: the clock started the first round or went
    past it (or the event finished). Until then the home tables may still be re-balanced."""
    first = next((i for i, phase in enumerate(program) if phase.is_round), None)
    if state.status == FINISHED:
        return True
    if first is None:
        return False
    return state.phase_index > first or (state.phase_index == first and state.status != READY)


def round_count(program: list[PhaseSpec]) -> int:
    """The seating rounds of a program: the home round and one per phase that moves."""
    return max(seating_rounds(program)) + 1


_ROUND_IN_TITLE = re.compile(r"^\s*(?:Round|ラウンド)\s*\d+\s*(?:[:：]\s*|$)")
"""A round number a title carries itself (the presets' 「ラウンド2：2つ目のテーブルへ」, kept
in events made before headings were formed here): the heading gives the number."""


def phase_heading(program: list[PhaseSpec], index: int, translate: Callable[[str], str],
                  with_title: bool = True) -> str:
    """The one heading of phase `index` wherever phases are listed (console, report,
    exports, host page): a round says which round it is and how people sit —
    「ラウンド2（移動 1回目）」, 「ラウンド1（ホームテーブル）」,
    「ラウンド4（ホームテーブルに戻る）」 — followed by the phase's own title; a plain
    segment is its title alone. The phase's place in the program is never printed beside
    it (「3. ラウンド2」 read as two numbers). `with_title=False`: a round's label alone,
    where a line has room for no more (the reception's answer)."""
    phase = program[index]
    title = phase.title.strip()
    if not phase.is_round:
        return title
    before = program[: index + 1]
    number = sum(1 for p in before if p.is_round)
    if phase.kind == "return":
        label = translate(N_("Round %(n)s (back home)")) % {"n": number}
    elif phase.moves:
        moves = sum(1 for p in before if p.moves and p.kind != "return")
        label = translate(N_("Round %(n)s (move %(m)s)")) % {"n": number, "m": moves}
    else:
        label = translate(N_("Round %(n)s (home table)")) % {"n": number}
    rest = _ROUND_IN_TITLE.sub("", title, count=1)
    if not rest or not with_title:
        return label
    return translate(N_("%(round)s: %(title)s")) % {"round": label, "title": rest}


def reprogram(program: list[PhaseSpec], state: ClockState) -> ClockState:
    """Keep the clock sensible after the program was edited: a phase that was only set up
    takes its new length; one that no longer exists falls back to the last phase."""
    if state.phase_index >= len(program):
        return ready_at(program, len(program) - 1)
    if state.status == READY:
        return ready_at(program, state.phase_index)
    return state


def state_json(program: list[PhaseSpec], state: ClockState, now_ms: int) -> dict:
    """The public shape of the clock (docs/api.md `GET .../state`)."""
    phase = program[state.phase_index]
    return {
        "phase_index": state.phase_index,
        "phase": phase_json(phase),
        "status": state.status,
        "ends_at_ms": state.ends_at_ms if state.status == RUNNING else None,
        "remaining_ms": state.remaining_at(now_ms),
        "server_now_ms": now_ms,
    }


def phase_json(phase: PhaseSpec) -> dict:
    return {
        "kind": phase.kind,
        "title": phase.title,
        "minutes": phase.minutes,
        "question": phase.question,
        "moves": phase.moves,
    }


PRESETS = ("standard", "world_cafe", "briefing")
PRESET_LABELS = {
    "standard": N_("Moving self-introduction (standard)"),
    "world_cafe": N_("Plain World Café (3 × 20 min + harvest)"),
    "briefing": N_("Themed briefing (3 × 3 min)"),
}
DEFAULT_MOVES = {
    PLAIN: False, "intro": False, "conversation": True, "return": True, "briefing": True,
    ACTION: False,
}

_OPENING = N_("Opening and purpose")
_HARVEST = N_("Harvest: share with the whole room")
_TALK_QUESTION = N_("Introduce yourself, then talk about this table's theme.")


def preset(name: str, translate) -> list[PhaseSpec]:
    """A ready-made program; `translate` turns msgids into the event's language."""
    t = translate
    if name == "standard":
        return [
            PhaseSpec(PLAIN, t(_OPENING), 10),
            PhaseSpec(
                "intro",
                t(N_("Self-introductions")),
                10,
                t(N_("Who are you, where do you come from, what do you hope for today?")),
            ),
            PhaseSpec("conversation", t(N_("At a second table")), 15, t(_TALK_QUESTION), True),
            PhaseSpec("conversation", t(N_("At a third table")), 15, t(_TALK_QUESTION), True),
            PhaseSpec(
                "return",
                t(N_("Share what you heard")),
                15,
                t(N_("What did you hear at the other tables? What matters most to us?")),
                True,
            ),
            PhaseSpec(PLAIN, t(_HARVEST), 15),
        ]
    if name == "world_cafe":
        question = t(N_("What could we do together about this theme?"))
        rounds = [
            PhaseSpec("conversation", t(N_("Conversation")), 20, question, n > 1)
            for n in (1, 2, 3)
        ]
        return [*rounds, PhaseSpec(PLAIN, t(_HARVEST), 20)]
    if name == "briefing":
        question = t(N_("What does this table work on, and what would you ask?"))
        return [
            PhaseSpec("briefing", t(N_("Table briefing")), 3, question, n > 1)
            for n in (1, 2, 3)
        ]
    raise ValueError(f"unknown preset {name!r}")

PHASE_KIND_LABELS = {
    PLAIN: N_("Plain segment (opening, talk, break)"),
    "intro": N_("Self-introduction round"),
    "conversation": N_("Conversation round"),
    "return": N_("Return home and share"),
    "briefing": N_("Briefing rotation"),
    ACTION: N_("Action plan: who does what by when"),
}
