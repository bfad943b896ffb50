"""Messages: what was sent, to whom, and every status it went through.

A :class:`Batch` is one accepted send request; every recipient of it is a :class:`Message` that
shares the batch's sender, request and options, so a send to 100,000 numbers stores the common
parts once.
"""

from __future__ import annotations

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


@dataclass(slots=True, eq=False)
class Message:
    """One recipient of one batch."""

    id: str
    seq: int  # position in acceptance order; the control API's cursor
    batch: Batch
    recipient: str
    text: str
    parts: int
    encoding: str
    ref: str | None
    outcome: Outcome | None
    status: str
    reason: str | None = None
    history: list[tuple[float, str, str | None]] = field(default_factory=list)
    callbacks: list[Any] | None = None  # Any: CallbackJob, which the core cannot import
    due: float = 0.0  # when the outcome's steps start counting
    delay: float = 0.5  # seconds per outcome step unit (the delivery delay)

    @property
    def created(self) -> float:
        return self.history[0][0]

    @property
    def updated(self) -> float:
        return self.history[-1][0]

    def time_of(self, status: str) -> float | None:
        """When the message last entered ``status``, if it did."""
        for when, name, _ in reversed(self.history):
            if name == status:
                return when
        return None


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
