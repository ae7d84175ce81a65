"""What the projector shows: one screen at a time, chosen by the phase unless the
facilitator pins one. Pure: plain data in, a screen's name out."""

from __future__ import annotations

from app import rounds
from app.i18n import N_
from app.refusal import Refusal

AUTO = "auto"
SCREENS = ("timer", "moves", "board", "vote", "ranking", "actions", "end")
CHOICES = (AUTO, *SCREENS)
CHOICE_LABELS = {
    AUTO: N_("Automatic (by phase)"),
    "timer": N_("Timer"),
    "moves": N_("Moves"),
    "board": N_("Harvest board"),
    "vote": N_("Dot voting"),
    "ranking": N_("Ranking"),
    "actions": N_("Action plan"),
    "end": N_("Thank you"),
}


def clean_choice(raw: object) -> str:
    if raw not in CHOICES:
        raise Refusal("invalid", N_("Unknown projector screen."))
    return str(raw)


PAGE_COMMANDS = ("play", "pause", "next", "previous")
"""What the facilitator can tell the board screen's pages: turn by themselves or stay, one
page on or back."""
PAGE_STEPS = {"next": 1, "previous": -1}


def clean_pages(raw: object) -> str:
    if raw not in PAGE_COMMANDS:
        raise Refusal("invalid", N_("'pages' must be play, pause, next or previous."))
    return str(raw)


def pages_after(command: str, paused: bool, turns: int) -> tuple[bool, int]:
    """(paused, turns) after a command: play and pause set whether the pages turn by
    themselves; next and previous add a step (+1, -1) to the facilitator's turns, which
    every projector follows from the number it last saw (a step is not a state)."""
    if command in PAGE_STEPS:
        return paused, turns + PAGE_STEPS[command]
    return command == "pause", turns


def automatic(program: list[rounds.PhaseSpec], clock: rounds.ClockState,
              revealed: bool, voting_open: bool = False) -> str:
    """The screen for this moment: the thanks once finished, the ranking once revealed,
    the voting (what to do, the dots so far, the time left) while it is open, the moves
    while a moving round is set up, the actions by theme in an action phase, the board in
    a plain phase after the last round, the timer otherwise."""
    if clock.status == rounds.FINISHED:
        return "end"
    if revealed:
        return "ranking"
    if voting_open:
        return "vote"
    phase = program[clock.phase_index]
    if phase.moves and clock.status == rounds.READY:
        return "moves"
    if phase.kind == rounds.ACTION:
        return "actions"
    last_round = max((i for i, p in enumerate(program) if p.is_round), default=-1)
    if not phase.is_round and 0 <= last_round < clock.phase_index:
        return "board"
    return "timer"


def shown(program: list[rounds.PhaseSpec], clock: rounds.ClockState, revealed: bool,
          pinned: str, voting_open: bool = False) -> str:
    return automatic(program, clock, revealed, voting_open) if pinned == AUTO else pinned


def join_size(program: list[rounds.PhaseSpec], clock: rounds.ClockState, screen: str) -> str:
    """How large the join QR code is: `large` on the timer until the first round has started
    (people are still arriving), `none` once the event has finished (nobody joins a finished
    event, whatever screen is pinned), a `corner` everywhere else."""
    if clock.status == rounds.FINISHED:
        return "none"
    if screen != "timer":
        return "corner"
    first_round = next((i for i, p in enumerate(program) if p.is_round), None)
    if first_round is None or clock.phase_index < first_round or (
            clock.phase_index == first_round and clock.status == rounds.READY):
        return "large"
    return "corner"
