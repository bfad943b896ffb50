"""Pending ``messages/wait`` long polls, matched incrementally.

A waiter scans the store once, when it starts; after that each new or changed message is
tested only against the waiters that could match it: those whose ``recipient`` filter has the
message's number key (:func:`phones.match_key`), and those without a recipient filter. So
10,000 pending waits for other numbers cost a send one dictionary lookup, and the store is
never re-scanned. With no waiter, nothing listens to the hub at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, TypeVar

from aiohttp import web

from ..clock import MANUAL
from ..context import Context
from ..core import events as ev
from ..core import phones
from ..core.events import Event, EventHub
from ..core.jsondata import Document, JsonObject
from ..core.messages import Message
from . import api
from .api import context, fail, ok

T = TypeVar("T")

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


# -- long polls ----------------------------------------------------------------------------

MAX_WAIT = 300.0
MAX_OPEN_WAITS = 1000  # long polls open at once; past it, 503 (README: Security)


FROZEN_HINT = (
    "the emulator's clock is manual and was not advanced while waiting: statuses "
    "and callbacks move only when it is (POST /_emulator/clock/advance, or "
    "advance() in the client)"
)
RECHECK = 0.01  # seconds: events arriving in a burst are checked against once per interval


async def wait_for(
    ctx: Context, ready: Callable[[], bool], timeout: float, types: frozenset[str]
) -> bool:
    """Wait until ``ready()`` holds, re-checking after events of the given types (a burst of
    events costs one check per RECHECK, not one per event)."""
    if ready():
        return True
    wake = asyncio.Event()

    def on_event(event: ev.Event) -> None:
        wake.set()

    unsubscribe = ctx.hub.subscribe(on_event, types)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), remaining)
            except TimeoutError:
                return ready()
            await asyncio.sleep(min(RECHECK, max(0.0, deadline - loop.time())))
        return True
    finally:
        unsubscribe()


CALLBACK_EVENTS = frozenset({ev.CALLBACK_ATTEMPT, ev.STATE_RESET})
REPLY_EVENTS = frozenset({ev.REPLY_RECEIVED, ev.STATE_RESET})
Waiting = Callable[[int, float], Awaitable[bool]]


def rechecking(ctx: Context, matched: Callable[[int], list[T]], types: frozenset[str]) -> Waiting:
    """Wait by checking ``matched`` again after events of ``types``."""
    return lambda count, timeout: wait_for(
        ctx, lambda: len(matched(count)) >= count, timeout, types
    )


async def long_poll(
    request: web.Request,
    matched: Callable[[int], list[T]],
    answer: Callable[[list[T]], JsonObject],
    waiting: Waiting,
    noun: str,
) -> web.Response:
    """Answer as soon as ``count`` items match, or with 408 and what matched after ``timeout``.

    ``matched(n)`` returns the matching items (at least ``n`` when that many exist);
    ``waiting(count, timeout)`` waits until that many match.
    """
    count = int(api.number(request.query, "count", 1, 1, api.MAX_LIMIT))
    timeout = api.number(request.query, "timeout", 10, 0, MAX_WAIT)
    ctx = context(request)
    if ctx.waits >= MAX_OPEN_WAITS:
        fail(
            503,
            f"{ctx.waits} long polls are open, the most the emulator keeps; end some "
            "(a wait ends when its client goes away) or wait with a shorter timeout",
        )
    clock = ctx.clock
    advanced = clock.advanced_at
    ctx.waits += 1
    try:
        done = await waiting(count, timeout)
    finally:
        ctx.waits -= 1
    items = matched(max(count, api.DEFAULT_LIMIT))
    data = answer(items)
    if done:
        return ok(data)
    found = min(len(items), count)
    message = f"timed out after {timeout:g} s: {found} of {count} {noun} matched"
    error: Document = {"message": message, "matched": found}
    if clock.mode == MANUAL and clock.advanced_at == advanced:
        error["hint"] = FROZEN_HINT
    data["error"] = error
    return ok(data, status=408)
