"""The emulator's clock.

Every timestamp the emulator shows and every delivery it schedules is read from this clock, so a
test can freeze time (``manual`` mode) and move it forward on purpose instead of sleeping. In
``real`` mode the clock follows the wall clock plus whatever offset earlier manual advances left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .core.plain import one_of

REAL = "real"
MANUAL = "manual"
MODES = (REAL, MANUAL)


@dataclass(slots=True)
class SavedClock:
    """The clock as plain data: its mode, and its time (manual) or offset from the wall
    clock (real)."""

    mode: str = field(metadata=one_of(MODES))
    time: float
    offset: float

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"clock mode must be one of {MODES}, not {self.mode!r}")


class Clock:
    """Wall-clock time with an offset, or a frozen time that only moves when advanced."""

    def __init__(self, mode: str = REAL, wall: Callable[[], float] = time.time) -> None:
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {MODES}, not {mode!r}")
        self._wall = wall
        self._offset = 0.0
        self._frozen: float | None = wall() if mode == MANUAL else None
        self._listeners: list[Callable[[], None]] = []
        self.advanced_at: float | None = None  # wall-clock time of the last advance

    @property
    def mode(self) -> str:
        return MANUAL if self._frozen is not None else REAL

    def now(self) -> float:
        """Seconds since the epoch, as the emulator sees them."""
        if self._frozen is not None:
            return self._frozen
        return self._wall() + self._offset

    def set_mode(self, mode: str) -> None:
        """Switch mode without a jump: the emulator's time goes on from where it is."""
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {MODES}, not {mode!r}")
        if mode == self.mode:
            return
        current = self.now()
        if mode == MANUAL:
            self._frozen = current
        else:
            self._frozen = None
            self._offset = current - self._wall()
        self._changed()

    def reset(self, mode: str) -> None:
        """Back to the wall clock, in ``mode`` (what a full reset of the emulator does)."""
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {MODES}, not {mode!r}")
        self._offset = 0.0
        self._frozen = self._wall() if mode == MANUAL else None
        self.advanced_at = None
        self._changed()

    def advance(self, seconds: float) -> float:
        """Move the emulator's time forward (either mode) and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._frozen is not None:
            self._frozen += seconds
        else:
            self._offset += seconds
        self.advanced_at = self._wall()
        self._changed()
        return self.now()

    def move_to(self, when: float) -> None:
        """Move the emulator's time forward to ``when`` (never back)."""
        current = self.now()
        if when > current:
            self.advance(when - current)
            if self._frozen is not None:
                self._frozen = when  # exactly, whatever the float sum gave

    def saved(self) -> SavedClock:
        return SavedClock(self.mode, self.now(), self._offset)

    def restore(self, saved: SavedClock) -> None:
        """As saved: a manual clock at its time, a real one at its offset from the wall."""
        self._offset = saved.offset
        self._frozen = saved.time if saved.mode == MANUAL else None
        self._changed()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever the time jumps or the mode changes."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()
