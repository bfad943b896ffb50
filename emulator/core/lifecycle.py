"""The delivery schedule: which message takes its next step when.

A heap holds one entry per message still in flight: its next step and the time it is due.
Nothing here knows about real time; the caller says what "now" is.
"""

from __future__ import annotations

import heapq
from itertools import count

from .messages import Message


class Schedule:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Message, int]] = []
        self._order = count()

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, when: float, message: Message, step: int) -> None:
        heapq.heappush(self._heap, (when, next(self._order), message, step))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float, limit: int | None = None) -> list[tuple[float, Message, int]]:
        """Remove and return the entries due at or before ``now`` (at most ``limit``), earliest
        first."""
        due: list[tuple[float, Message, int]] = []
        heap = self._heap
        while heap and heap[0][0] <= now and (limit is None or len(due) < limit):
            when, _, message, step = heapq.heappop(heap)
            due.append((when, message, step))
        return due

    def discard(self, keep: set[int] | None = None) -> None:
        """Drop entries whose message is not in ``keep`` (ids of live messages); all if None."""
        if keep is None:
            self._heap.clear()
            return
        self._heap = [entry for entry in self._heap if id(entry[2]) in keep]
        heapq.heapify(self._heap)
