"""Garbage-collector care for bulk sends.

A send to 100,000 numbers creates several hundred thousand long-lived objects that hold no
reference cycles. Left alone, CPython's cyclic collector scans them over and over while they
are being created, and again at every full collection afterwards. For a large batch the
collector is paused while the messages are stored, and then everything alive is moved to the
permanent generation (``gc.freeze``), so later collections skip it. Frozen objects are still
freed by reference counting when a reset or pruning drops them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

BULK = 5000


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


def long_lived(count: int) -> AbstractContextManager[None]:
    """Wrap the creation of ``count`` long-lived objects (nothing to do for small counts)."""
    return _bulk() if count >= BULK else _SMALL


def thaw() -> None:
    """After a full reset: hand what earlier bulk sends froze back to the collector, so
    whatever of it is now garbage in reference cycles is freed too."""
    gc.unfreeze()


SETTLE_EVERY = 5_000


class Settler:
    """Keeps full collections from re-scanning the whole message store: once the store has
    grown by ``SETTLE_EVERY`` messages, collect what is garbage now and freeze the rest."""

    def __init__(self) -> None:
        self._settled_at = 0

    def note(self, stored: int) -> None:
        if stored < self._settled_at:  # a reset or pruning shrank the store
            self._settled_at = stored
        elif stored - self._settled_at >= SETTLE_EVERY:
            gc.collect()
            gc.freeze()
            self._settled_at = stored
