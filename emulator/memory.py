"""Garbage-collector care for bulk sends, in the emulator's own process only.

A send to 100,000 numbers creates several hundred thousand long-lived objects that hold no
reference cycles. Left alone, CPython's cyclic collector scans them over and over while they
are being created, and again at every full collection afterwards. For a large batch the
collector is paused while the messages are stored, and then everything alive is moved to the
permanent generation (``gc.freeze``), so later collections skip it. Frozen objects are still
freed by reference counting when a reset or pruning drops them.

The collector is process-wide: pausing or freezing it inside someone else's process (a pytest
run that embeds the emulator with ``EmulatorServer``) would change how *their* objects are
collected. So the care is on only where the process is the emulator's (``serve``, ``exec``);
elsewhere every method does nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

BULK = 5000
SETTLE_EVERY = 5_000


@contextmanager
def _bulk() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


_SMALL = nullcontext()


class GcCare:
    """The collector tuning of one emulator; inert unless ``enabled``."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._settled_at = 0

    def long_lived(self, count: int) -> AbstractContextManager[None]:
        """Wrap the creation of ``count`` long-lived objects (nothing to do for small counts)."""
        return _bulk() if self.enabled and count >= BULK else _SMALL

    def settle(self, stored: int) -> None:
        """Keeps full collections from re-scanning the whole message store: once the store has
        grown by ``SETTLE_EVERY`` messages, collect what is garbage now and freeze the rest.
        Called after every send (the messages of a load test may never pass through the
        ticker again: emulator/core/gateway.py)."""
        if stored < self._settled_at:  # a reset or pruning shrank the store
            self._settled_at = stored
        elif stored - self._settled_at >= SETTLE_EVERY:
            self._settled_at = stored
            if self.enabled:
                gc.collect()
                gc.freeze()

    def thaw(self) -> None:
        """After a full reset: hand what earlier bulk sends froze back to the collector, so
        whatever of it is now garbage in reference cycles is freed too."""
        if self.enabled:
            gc.unfreeze()
