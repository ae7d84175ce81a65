"""The time a search may take, read from the caller's clock, and the steps it took.

The planner never reads a clock of its own: the server passes PLANNING_CLOCK, tests a
fake clock, so that a budget means the same work on any machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PLANNING_CLOCK = time.thread_time
"""The server's budgets are seconds of the planning thread's own CPU: a laptop busy with a
report, or a machine shared with other jobs, gives the search the same work and so the
same plan, taking longer on the wall instead of settling for a worse plan."""

CLOCK_EVERY = 64
"""Moves tried between two readings of the clock."""


class Budget:
    def __init__(self, clock: Callable[[], float], started: float, deadline: float) -> None:
        self.clock = clock
        self.started = started
        self.deadline = deadline
        self.now = started  # the last reading
        self.first_reading: float | None = None
        self.steps = 0
        """Moves tried (annealing steps, swaps a tabu iteration weighs): a figure that does
        not depend on the machine."""
        self._until_reading = 0

    def tick(self, moves: int = 1) -> bool:
        """Count moves about to be tried, reading the clock once per CLOCK_EVERY of them
        (the first included; a heavy step reads it more than once, so that a fake clock's
        time stays in proportion to the work): True when the time is up."""
        self.steps += moves
        while self._until_reading <= 0:
            self._until_reading += CLOCK_EVERY
            if self.spent():
                return True
        self._until_reading -= moves
        return False

    def spent(self) -> bool:
        """Read the clock now: True when the time is up."""
        self.now = self.clock()
        if self.first_reading is None:
            self.first_reading = self.now
        return self.now >= self.deadline

    def left(self) -> float:
        return self.deadline - self.now

    def setup(self) -> float:
        """The time before the search's first reading: the construction and its set-up."""
        return (self.started if self.first_reading is None else self.first_reading) - self.started
