"""Pending ``messages/wait`` long polls, matched incrementally.

A waiter scans the store once, when it starts; after that each new or changed message is
tested only against the waiters that could match it: those whose ``recipient`` filter has the
message's number key (:func:`phones.match_key`), and those without a recipient filter. So
10,000 pending waits for other numbers cost a send one dictionary lookup, and the store is
never re-scanned. With no waiter, nothing listens to the hub at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Protocol

from aiohttp import web

from ..core import events as ev
from ..core import phones
from ..core.events import Event, EventHub
from ..core.messages import Message

_EVENTS = (ev.MESSAGE_CREATED, ev.MESSAGE_STATUS, ev.STATE_RESET)


class Filter(Protocol):
    @property
    def recipient(self) -> str | None: ...

    def __call__(self, message: Message, /) -> bool: ...


class Waiter:
    __slots__ = ("count", "done", "found", "key", "matches")

    def __init__(self, matches: Filter, count: int, key: str | None) -> None:
        self.matches = matches
        self.count = count
        self.key = key
        self.found: set[str] = set()
        self.done = asyncio.Event()

    def scan(self, messages: Iterable[Message]) -> None:
        self.found = {m.id for m in messages if self.matches(m)}
        self._check()

    def see(self, message: Message) -> None:
        if self.matches(message):
            self.found.add(message.id)
            self._check()
        else:
            self.found.discard(message.id)

    def _check(self) -> None:
        if len(self.found) >= self.count:
            self.done.set()


class MessageWaits:
    def __init__(self, hub: EventHub, messages: Callable[[], Iterable[Message]]) -> None:
        self._hub = hub
        self._messages = messages
        self._by_key: dict[str, list[Waiter]] = {}
        self._general: list[Waiter] = []
        self._unsubscribe: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self._general) + sum(len(w) for w in self._by_key.values())

    async def wait(self, matches: Filter, count: int, timeout: float) -> bool:
        """True once ``count`` messages match, False after ``timeout`` seconds. The waiter
        listens before it scans the store, so no change can fall between the two."""
        key = phones.match_key(matches.recipient) if matches.recipient else None
        waiter = Waiter(matches, count, key or None)
        bucket = self._general if waiter.key is None else self._by_key.setdefault(waiter.key, [])
        bucket.append(waiter)
        if self._unsubscribe is None:
            self._unsubscribe = self._hub.subscribe(self._on_event, _EVENTS)
        try:
            waiter.scan(self._messages())
            await asyncio.wait_for(waiter.done.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            bucket.remove(waiter)
            if waiter.key is not None and not bucket:
                del self._by_key[waiter.key]
            if not self and self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        if event.type == ev.STATE_RESET:
            for waiter in self._all():
                waiter.scan(self._messages())
            return
        message: Message = event.subject
        for waiter in self._by_key.get(phones.match_key(message.recipient), ()):
            waiter.see(message)
        for waiter in self._general:
            waiter.see(message)

    def _all(self) -> list[Waiter]:
        return [*self._general, *(w for bucket in self._by_key.values() for w in bucket)]


WAITS = web.AppKey("message_waits", MessageWaits)
