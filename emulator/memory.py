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
from contextlib import contextmanager

BULK = 5000


@contextmanager
def long_lived(count: int) -> Iterator[None]:
    """Wrap the creation of ``count`` long-lived objects (a no-op for small counts)."""
    if count < BULK:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
