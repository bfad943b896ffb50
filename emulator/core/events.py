"""A synchronous event hub: the core records what happened, listeners react.

The core never performs side effects itself. It publishes "message created", "status changed",
"reply received" and so on; the callback dispatcher, the live event stream and the waiters of
the control API subscribe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .jsondata import JsonObject

MESSAGE_CREATED = "message.created"
MESSAGE_STATUS = "message.status"
REPLY_RECEIVED = "reply.received"
LOOKUP_DONE = "lookup.done"  # a check of several numbers (SerwerSMS HLR/lookup) is finished
CALLBACK_ATTEMPT = "callback.attempt"
STATE_RESET = "state.reset"
CLOCK_CHANGED = "clock.changed"
MESSAGES_PRUNED = "messages.pruned"


class Event:
    """One thing that happened; ``subject`` is the Message, Reply or callback job it is about.

    ``subject`` is ``Any``: which of them it is follows from ``type``, which listeners check
    before they read it (the core cannot import the callback job's class)."""

    __slots__ = ("data", "seq", "subject", "time", "type")

    def __init__(
        self,
        seq: int,
        type_: str,
        time: float,
        subject: Any,  # Any: see above
        data: JsonObject,
    ) -> None:
        self.seq = seq
        self.type = type_
        self.time = time
        self.subject = subject
        self.data = data


Listener = Callable[[Event], None]


class EventHub:
    """Listeners subscribe to the event types they care about (or to all of them), so an event
    costs only the calls that matter, and nothing at all when nobody listens (the gateway asks
    :meth:`listens` before it builds the events of a status change)."""

    def __init__(self) -> None:
        self._everything: list[Listener] = []
        self._by_type: dict[str, list[Listener]] = {}
        self._seq = 0
        self._arrivals: dict[str, list[Callable[[], object]]] = {}

    @property
    def last_seq(self) -> int:
        return self._seq

    def renumber(self, last_seq: int) -> None:
        """Number the next event ``last_seq + 1`` (a restored state goes on from its own)."""
        self._seq = last_seq

    def subscribe(
        self, listener: Listener, types: Iterable[str] | None = None
    ) -> Callable[[], None]:
        """Add a listener for ``types`` (all types if None); returns the function that removes
        it again."""
        keys: list[str | None] = [None] if types is None else list(types)
        lists = [
            self._everything if key is None else self._by_type.setdefault(key, []) for key in keys
        ]
        for entries in lists:
            entries.append(listener)
        for type_, hooks in self._arrivals.items():
            if None in keys or type_ in keys:
                for hook in hooks:
                    hook()
        done = False

        def unsubscribe() -> None:
            nonlocal done
            if done:
                return
            done = True
            for entries in lists:
                if listener in entries:
                    entries.remove(listener)

        return unsubscribe

    def on_listen(self, type_: str, hook: Callable[[], object]) -> None:
        """Call ``hook()`` whenever a listener subscribes to events of ``type_`` (before any
        event reaches it)."""
        self._arrivals.setdefault(type_, []).append(hook)

    def listens(self, type_: str) -> bool:
        """Whether anybody listens to events of ``type_`` now."""
        return bool(self._everything or self._by_type.get(type_))

    def publish(
        self,
        type_: str,
        time: float,
        subject: Any = None,  # Any: see Event
        **data: object,
    ) -> None:
        self._seq += 1
        typed = self._by_type.get(type_)
        if not typed and not self._everything:
            return  # nobody listens: nothing to build
        event = Event(self._seq, type_, time, subject, data)
        if typed:
            for listener in tuple(typed):
                listener(event)
        if self._everything:
            for listener in tuple(self._everything):
                listener(event)
