"""The timer of the one schedule (emulator/core/timeline.py).

In real mode one timer of the event loop is armed for the schedule's earliest entry, and
re-armed whenever an earlier one is added or the clock jumps; in manual mode only entries
already due are run (a callback redelivered now, a send with no delay), and ``clock/advance``
steps through the rest. Big rounds run in slices so that the server keeps answering while
100,000 messages change status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from .clock import MANUAL, Clock
from .core.timeline import Timeline

SLICE = 5000  # entries run before the loop gets a turn
RESOLUTION = 0.02
"""Seconds: on the real clock, entries due in the future run in rounds at least this far
apart (each stamped with its own due time), not one timer per entry: under load a send's
status changes cost no timer of their own."""


class Ticker:
    def __init__(
        self, clock: Clock, timeline: Timeline, settle: Callable[[float], Awaitable[int]]
    ) -> None:
        """``settle(patience)``: wait until the callback tries made so far are over; how many
        were made."""
        self.clock = clock
        self.timeline = timeline
        self.settle = settle
        self._timer: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        timeline.on_sooner(lambda due: self.arm())
        clock.on_change(self.arm)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.arm()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._loop = None

    def arm(self) -> None:
        """Wake up when the earliest entry is due (at once if it is due now)."""
        if self._loop is None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        due = self.timeline.next_due()
        if due is None:
            return
        wait = due - self.clock.now()
        if wait <= 0:
            self._timer = self._loop.call_soon(self._fire)
        elif self.clock.mode != MANUAL:
            self._timer = self._loop.call_later(max(wait, RESOLUTION), self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.timeline.run_due(self.clock.now(), limit=SLICE)
        self.arm()

    async def advance(self, seconds: float, patience: float) -> int:
        """Move the clock forward by ``seconds``, entry by entry: at each due time within the
        span the clock stands there, everything due runs, and the callback tries it released
        are awaited (up to ``patience`` seconds a step), so a retry whose backoff ends within
        the span happens within it. Every sleeping wave wakes first, so every change within
        the span runs and is counted. Returns the callback tries made."""
        start = self.clock.now()
        self.timeline.wake(start)
        target = start + seconds
        tries = 0
        while True:
            due = self.timeline.next_due()
            step = target if due is None or due > target else max(due, self.clock.now())
            self.clock.move_to(step)
            while self.timeline.run_due(step, limit=SLICE) == SLICE:
                await asyncio.sleep(0)
            tries += await self.settle(patience)
            if step >= target:
                upcoming = self.timeline.next_due()
                if upcoming is None or upcoming > self.clock.now():
                    return tries
