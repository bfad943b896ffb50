"""The one schedule: everything the emulator does at a time of its clock.

Status changes of messages (a wave of a batch at a time), the release of deferred sends,
callback tries and their retries, and the store's pruning rounds are all entries here, keyed
by emulator time. An entry is plain data: its due time, its order number, a kind and a key of
numbers. Whoever does the work of a kind registers a handler for it
(:meth:`Timeline.on`); so the schedule can be written out and read back, and nothing else
keeps a timer. Entries due at the same instant run in the order they were scheduled, except
that a kind may ask to run in the order of its keys, before the others: status changes do, so
that the messages that change at one instant change in the order they were sent, whether their
batch was on the schedule from the start or woke later.

Nothing here knows about real time: the caller says what "now" is. On the real clock one
timer wakes it (emulator/ticker.py); on the manual clock ``clock/advance`` steps it.

Work may also sleep. A message's statuses follow from its times alone
(emulator/core/messages.py), so its changes need to run only for someone who needs them as
they happen: a provider's callbacks, a wait, an event stream, a clock advance that counts them.
When nobody does (the gateway decides), a batch is kept here asleep (:meth:`Timeline.sleep`: a
number in a list, costing a send nothing more); when somebody arrives, :meth:`Timeline.wake`
hands every sleeping batch, with one reading of the clock, to the gateway, which puts its
changes still to come on the schedule; so every change after that moment runs, for every
message alike, and none before it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

Key = tuple[int, ...]
Entry = tuple[float, int, str, Key]  # due, order (0: by kind and key), kind, key
Handler = Callable[[float, Key], None]
Owner = tuple[str, str]  # provider, account


STATUS = "status"  # key: batch id, wave, change (emulator/core/messages.py: Wave)
TRY = "try"  # key: callback job id
PRUNE = "prune"  # key: ()
KEY_SIZES = {STATUS: 3, TRY: 1, PRUNE: 0}
TIDY_AT = 1024


def _unhandled(*args: float) -> NoReturn:
    raise RuntimeError("a batch went to sleep, but nobody wakes batches (Timeline.on_wake)")


class Timeline:
    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._order = 0
        self._handlers: dict[str, Handler] = {}
        self._by_key: set[str] = set()  # kinds whose entries at one instant run in key order
        self._sooner: list[Callable[[float], None]] = []
        self._ran: list[Callable[[], None]] = []
        self._asleep: dict[Owner, list[int]] = {}  # owner → sleeping batch ids
        self._tidy_at = TIDY_AT  # sleeping batches of an owner that make a tidy-up due
        self._wake: Callable[[float, int], None] = _unhandled
        self._kept: Callable[[int], bool] = _unhandled

    def __len__(self) -> int:
        return len(self._heap)

    def on(self, kind: str, handler: Handler, *, by_key: bool = False) -> None:
        """``handler(due, key)`` does the work of entries of ``kind``; ``by_key``: entries of
        ``kind`` due at one instant run in the order of their keys, before any other."""
        self._handlers[kind] = handler
        if by_key:
            self._by_key.add(kind)

    def on_sooner(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(due)`` when an entry becomes the earliest (the timer re-arms)."""
        self._sooner.append(listener)

    def on_ran(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after a round of :meth:`run_due` that ran anything."""
        self._ran.append(listener)

    def at(self, due: float, kind: str, *key: int) -> None:
        """Schedule ``kind`` of ``key`` at ``due``."""
        sooner = not self._heap or due < self._heap[0][0]
        if kind in self._by_key:
            order = 0  # then the kind and the key decide
        else:
            order = self._order = self._order + 1
        heapq.heappush(self._heap, (due, order, kind, key))
        if sooner:
            for listener in self._sooner:
                listener(due)

    def on_wake(self, wake: Callable[[float, int], None], kept: Callable[[int], bool]) -> None:
        """``wake(now, batch)`` puts a sleeping batch's changes still to come (at ``now`` or
        later) on the schedule; ``kept(batch)`` says whether the batch is still there to
        wake (a pruned one is not)."""
        self._wake, self._kept = wake, kept

    def sleep(self, owner: Owner, batch: int) -> None:
        """Keep ``owner``'s batch asleep until :meth:`wake`: nobody needs its changes as they
        happen."""
        asleep = self._asleep.get(owner)
        if asleep is None:
            asleep = self._asleep[owner] = []
        asleep.append(batch)
        if len(asleep) >= self._tidy_at:
            self._tidy(asleep)

    def _tidy(self, asleep: list[int]) -> None:
        """Forget the sleeping batches that are gone (pruned); done when their number doubles,
        so a send pays for it only on average. So they are never more than the store's."""
        asleep[:] = [batch for batch in asleep if self._kept(batch)]
        self._tidy_at = max(TIDY_AT, 2 * len(asleep))

    def wake(self, now: float, owner: Owner | None = None) -> int:
        """Hand the sleeping batches (of ``owner``, or all) to the gateway, which puts their
        changes still to come (at ``now`` or later) on the schedule; how many woke."""
        if owner is None:
            batches = [batch for asleep in self._asleep.values() for batch in asleep]
            self._asleep.clear()
        else:
            batches = self._asleep.pop(owner, [])
        for batch in batches:
            self._wake(now, batch)
        return len(batches)

    def asleep(self) -> dict[Owner, list[int]]:
        """The sleeping batches, by owner (plain data)."""
        return {owner: list(batches) for owner, batches in self._asleep.items()}

    def keys(self, kind: str) -> set[Key]:
        """The keys of the entries of ``kind`` on the schedule."""
        return {entry[3] for entry in self._heap if entry[2] == kind}

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def run_due(self, now: float, limit: int | None = None) -> int:
        """Run the entries due by ``now``, earliest first, the ones they schedule for now
        included (at most ``limit``, so a caller can yield between rounds); how many ran."""
        heap, handlers = self._heap, self._handlers
        ran = 0
        while heap and heap[0][0] <= now and (limit is None or ran < limit):
            due, _, kind, key = heapq.heappop(heap)
            handlers[kind](due, key)
            ran += 1
        if ran:
            for listener in self._ran:
                listener()
        return ran

    def discard(self, drop: Callable[[str, Key], bool]) -> int:
        """Drop the entries ``drop(kind, key)`` is true of; how many went."""
        kept = [entry for entry in self._heap if not drop(entry[2], entry[3])]
        dropped = len(self._heap) - len(kept)
        if dropped:
            heapq.heapify(kept)
            self._heap = kept
        return dropped

    def forget_asleep(self, owner: Owner | None = None) -> None:
        """Drop the sleeping waves (of ``owner``, or all): their messages went."""
        if owner is None:
            self._asleep.clear()
        else:
            self._asleep.pop(owner, None)

    def clear(self) -> None:
        self._heap.clear()
        self._asleep.clear()

    # -- as plain data (GET/PUT /_emulator/state) -----------------------------------------------

    def saved(self, with_asleep: bool = True) -> SavedSchedule:
        """``with_asleep=False``: without the sleeping batches (the data file tells them by
        their batches: a batch asleep has no waves yet)."""
        asleep = self._asleep.items() if with_asleep else ()
        return SavedSchedule(
            sorted(self._heap),
            self._order,
            [(owner[0], owner[1], list(batches)) for owner, batches in asleep],
        )

    def restore(self, saved: SavedSchedule) -> None:
        """Replace the schedule with ``saved`` (the earliest entry re-arms the timer)."""
        self._heap = list(saved.entries)
        heapq.heapify(self._heap)
        self._order = saved.order
        self._asleep = {(provider, account): list(b) for provider, account, b in saved.asleep}
        self._tidy_at = max(TIDY_AT, 2 * max(map(len, self._asleep.values()), default=0))
        if self._heap:
            for listener in self._sooner:
                listener(self._heap[0][0])


@dataclass(slots=True)
class SavedSchedule:
    """The schedule as plain data: its entries, its order counter, the sleeping batches."""

    entries: list[Entry]
    order: int
    asleep: list[tuple[str, str, list[int]]]  # provider, account, batch ids

    def __post_init__(self) -> None:
        for n, (_, _, kind, key) in enumerate(self.entries):
            if KEY_SIZES.get(kind) != len(key):
                raise ValueError(
                    f"entries.{n}: an entry is one of {', '.join(KEY_SIZES)}, with a key of "
                    f"{', '.join(f'{size} numbers ({k})' for k, size in KEY_SIZES.items())}"
                )
