"""Messages: what was sent, to whom, and every status it went through.

A :class:`Batch` is one accepted send request; every recipient of it is a :class:`Message` that
shares the batch's sender, request and options, so a send to 100,000 numbers stores the common
parts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .jsondata import Document, JsonObject
from .outcomes import Outcome

# Statuses every provider's wire vocabulary is mapped from.
SCHEDULED = "scheduled"  # waiting for its deferred delivery time
QUEUED = "queued"  # accepted, not yet handed to the network
SENT = "sent"  # handed to the network, no report yet
BUFFERED = "buffered"  # the network keeps it for a phone that is off
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
UNSENT = "unsent"  # refused at submission
CANCELLED = "cancelled"  # a scheduled message that was deleted

FINAL = frozenset({DELIVERED, UNDELIVERED, UNSENT, CANCELLED})
STATUSES = (SCHEDULED, QUEUED, SENT, BUFFERED, DELIVERED, UNDELIVERED, UNSENT, CANCELLED)


class RequestView(Protocol):
    """The HTTP layer's record of a request (emulator/httpio.py), kept without the core
    importing HTTP."""

    def view(self) -> Document: ...


@dataclass(slots=True, eq=False)
class Batch:
    """One accepted send request."""

    id: int
    provider: str
    account: str
    kind: str  # "sms", "token", "unlock", "voice", "mms", ...
    sender: str
    created: float
    request: RequestView | None  # how the request looked (shown by the control API)
    options: JsonObject = field(default_factory=dict)  # each provider's own, read back by it


INF = float("inf")
BECOME_QUEUED = -1  # the step that releases a deferred message


def _no_clock() -> float:
    return -INF


@dataclass(slots=True, eq=False)
class Message:
    """One recipient of one batch.

    Its status moves along its outcome's steps in one of two ways. An *observed* message (a
    callback, a wait, an event stream or a manual clock needs each change as it happens) is on
    the gateway's schedule, which applies each step when it falls due and publishes it. Any
    other message is *lazy*: nothing happens to it until someone reads its status, reason or
    history, which first takes the steps that fell due by ``clock()`` (``next_at`` is when the
    next one does). Either way it holds the same history at any time anyone can look.
    """

    id: str
    seq: int  # position in acceptance order; the control API's cursor
    batch: Batch
    recipient: str
    text: str
    parts: int
    encoding: str
    ref: str | None
    outcome: Outcome | None
    _status: str
    _reason: str | None = None
    _history: list[tuple[float, str, str | None]] = field(default_factory=list)
    callbacks: list[Any] | None = None  # Any: CallbackJob, which the core cannot import
    due: float = 0.0  # when the outcome's steps start counting
    delay: float = 0.5  # seconds per outcome step unit (the delivery delay)
    pending: int = 0  # a lazy message's next step
    next_at: float = INF  # when a lazy message's next step falls due (INF: not lazy)
    clock: Callable[[], float] = _no_clock  # what a lazy message reads the time from

    @property
    def status(self) -> str:
        if self.next_at != INF:
            self.catch_up()
        return self._status

    @property
    def reason(self) -> str | None:
        if self.next_at != INF:
            self.catch_up()
        return self._reason

    @property
    def history(self) -> list[tuple[float, str, str | None]]:
        if self.next_at != INF:
            self.catch_up()
        return self._history

    @property
    def created(self) -> float:
        return self._history[0][0]

    @property
    def updated(self) -> float:
        return self.history[-1][0]

    def time_of(self, status: str) -> float | None:
        """When the message last entered ``status``, if it did."""
        for when, name, _ in reversed(self.history):
            if name == status:
                return when
        return None

    def step_due(self, step: int) -> float:
        """When outcome step ``step`` falls due (INF when the outcome has no such step)."""
        if step == BECOME_QUEUED:
            return self.due
        outcome = self.outcome
        if outcome is None or step >= len(outcome.steps):
            return INF
        return self.due + outcome.steps[step].at * self.delay

    def take_step(self, step: int, when: float) -> None:
        """Enter the status of outcome step ``step`` (or leave SCHEDULED) at ``when``."""
        if step == BECOME_QUEUED:
            self.due = when
            self.set_status(when, QUEUED, None)
        else:
            assert self.outcome is not None
            state = self.outcome.steps[step]
            self.set_status(when, state.status, state.reason_for(self.batch.provider))

    def set_status(self, when: float, status: str, reason: str | None) -> None:
        self._status = status
        self._reason = reason
        self._history.append((when, status, reason))

    def go_lazy(self, step: int, clock: Callable[[], float]) -> None:
        """From now on take ``step`` and the ones after it when read."""
        self.pending = step
        self.clock = clock
        self.next_at = self.step_due(step)

    def stop(self) -> None:
        """No more steps (cancelled, or handed to the schedule)."""
        self.next_at = INF

    def is_final(self, now: float) -> bool:
        """Whether the message reached a final status by ``now`` (read once by a caller that
        looks at many messages)."""
        if self.next_at <= now:
            self.catch_up(now)
        return self._status in FINAL

    def catch_up(self, now: float | None = None) -> None:
        """Take the steps of a lazy message that fell due by ``now`` (by its clock if None)."""
        if now is None:
            now = self.clock()
        while self.next_at <= now:
            step = self.pending
            self.take_step(step, self.next_at)
            self.pending = step + 1
            self.next_at = self.step_due(step + 1)


@dataclass(slots=True, eq=False)
class Reply:
    """An incoming message (a reply to an ECO message, an ND/NDI message, ...)."""

    id: int
    provider: str
    account: str
    type: str
    phone: str
    text: str
    received: float
    to_number: str | None = None
    message_id: str | None = None
    extra: JsonObject = field(default_factory=dict)
    callbacks: list[Any] | None = None  # Any: CallbackJob, which the core cannot import


class IdSource:
    """Deterministic, unique, random-looking ids: 10 hex digits, as SerwerSMS shows them.

    Multiplying a counter by an odd constant modulo 2**40 is a bijection, so ids never repeat
    within 2**40 messages and come out in the same order on every run.
    """

    _MULTIPLIER = 0x9E3779B97F4A7C15 & 0xFFFFFFFFFF | 1
    _SPACE = 1 << 40

    def __init__(self, start: int = 1) -> None:
        self._next = start

    def next(self) -> tuple[int, str]:
        """A sequence number and the hex id derived from it."""
        seq = self._next
        self._next += 1
        return seq, f"{(seq * self._MULTIPLIER) % self._SPACE:010x}"
