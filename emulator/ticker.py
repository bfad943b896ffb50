"""Moves messages along as the emulator's time passes.

In real mode the ticker sleeps until the next status change is due (or until something new is
scheduled); in manual mode it waits for the clock to be advanced. Big rounds are applied in
slices so that the server keeps answering while 100,000 messages change status.
"""

from __future__ import annotations

import asyncio
import contextlib
import math

from .callbacks import CallbackDispatcher
from .clock import MANUAL, Clock
from .core.gateway import PRUNE_EVERY, Gateway

SLICE = 5000
RESOLUTION = 0.02  # seconds: due changes are applied in rounds at least this far apart
# (no more than PRUNE_EVERY, or sends into a store over its cap would wake it after each send)


class Ticker:
    def __init__(self, clock: Clock, gateway: Gateway, dispatcher: CallbackDispatcher) -> None:
        self.clock = clock
        self.gateway = gateway
        self.dispatcher = dispatcher
        self._wake = asyncio.Event()
        self._until = 0.0  # when the ticker means to wake up next
        clock.on_change(self.poke)
        gateway.on_due(self._on_due)

    def poke(self) -> None:
        self._wake.set()

    def _on_due(self, when: float) -> None:
        """Something new wakes the ticker only if it is due before the ticker's next round."""
        if when < self._until:
            self._wake.set()

    async def run_due(self) -> int:
        """Apply everything due now, yielding to the loop between slices."""
        applied = 0
        while True:
            done = self.gateway.run_due(self.clock.now(), limit=SLICE)
            applied += done
            if done < SLICE:
                return applied
            await asyncio.sleep(0)

    async def advance(self, seconds: float, patience: float) -> tuple[int, int]:
        """Move the clock forward by ``seconds``, in steps: at each time within the span when a
        callback try is due, the status changes due by then are applied and the due tries are
        made (and awaited, up to ``patience`` seconds a step), so a retry whose backoff ends
        within the span happens within it. Returns (status changes, callback tries)."""
        target = self.clock.now() + seconds
        applied = tries = 0
        while True:
            due = self.dispatcher.next_due()
            step = target if due is None or due > target else due
            self.gateway.observe_all()  # every change within the span is applied and counted
            self.clock.move_to(step)
            applied += await self.run_due()
            tries += await self.dispatcher.run_due(patience)
            if step >= target:
                upcoming = self.dispatcher.next_due()
                if upcoming is None or upcoming > self.clock.now():
                    return applied, tries

    async def run(self) -> None:
        while True:
            self._wake.clear()
            await self.run_due()
            due = self.gateway.next_due()
            if self.gateway.store.over_capacity() and self.clock.mode != MANUAL:
                # Lazy messages are on no schedule: look again in a while whether some of them
                # are final and can be pruned (sends meanwhile do not wake the ticker sooner).
                again = self.clock.now() + PRUNE_EVERY
                due = again if due is None else min(due, again)
            if due is None or self.clock.mode == MANUAL:
                self._until = math.inf
                await self._wake.wait()
                continue
            now = self.clock.now()
            self._until = max(due, now + RESOLUTION)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._until - now)
