"""Messages: what was sent, to whom, and every status it went through.

A :class:`Batch` is one accepted send request; every recipient of it is a :class:`Message` that
shares the batch's sender, request and options, so a send to 100,000 numbers stores the common
parts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .jsondata import JsonObject

# The statuses live with the outcomes that step through them; named here too, as before.
from .outcomes import (
    BUFFERED as BUFFERED,
)
from .outcomes import (
    CANCELLED as CANCELLED,
)
from .outcomes import (
    DELIVERED as DELIVERED,
)
from .outcomes import (
    FINAL as FINAL,
)
from .outcomes import (
    QUEUED as QUEUED,
)
from .outcomes import (
    SCHEDULED as SCHEDULED,
)
from .outcomes import (
    SENT as SENT,
)
from .outcomes import (
    STATUSES as STATUSES,
)
from .outcomes import (
    UNDELIVERED as UNDELIVERED,
)
from .outcomes import (
    UNSENT as UNSENT,
)
from .outcomes import (
    Outcome,
)
from .plain import AS_JSON, SKIP


@dataclass(slots=True)
class RequestRecord:
    """How a send request looked (the control API shows it, secrets masked), kept as it
    came: made by the HTTP layer (emulator/httpio.py), plain data here."""

    method: str
    path: str
    query_string: str
    content_type: str
    body: JsonObject = field(metadata=AS_JSON)


Change = tuple[float, str, str | None]  # when, status, reason


@dataclass(slots=True, eq=False)
class Wave:
    """The messages of one batch that change status together (the same outcome and times):
    one schedule entry per wave and change (emulator/core/timeline.py), however many
    recipients the send had. A deferred wave's first change is its release (QUEUED)."""

    start: float  # when they go out
    delay: float  # seconds per outcome step unit
    outcome: Outcome
    deferred: bool
    ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.outcome.steps) + self.deferred

    def when(self, change: int) -> float:
        if self.deferred:
            if change == 0:
                return self.start
            change -= 1
        return self.start + self.outcome.steps[change].at * self.delay

    def next_change(self, now: float) -> int | None:
        """The first change due at ``now`` or later (None: all are past)."""
        return next((i for i in range(len(self)) if self.when(i) >= now), None)

    def change(self, change: int, provider: str) -> tuple[str, str | None]:
        """The status and reason of change ``change``."""
        if self.deferred:
            if change == 0:
                return QUEUED, None
            change -= 1
        step = self.outcome.steps[change]
        return step.status, step.reason_for(provider)


@dataclass(slots=True, eq=False)
class Batch:
    """One accepted send request, whose messages change status in waves."""

    id: int
    provider: str
    account: str
    kind: str  # "sms", "token", "unlock", "voice", "mms", ...
    sender: str
    created: float
    request: RequestRecord | None  # how the request looked (shown by the control API)
    options: JsonObject = field(default_factory=dict, metadata=AS_JSON)  # each provider's own
    waves: list[Wave] = field(default_factory=list)  # once its changes are on the schedule
    first: int = 0  # the sequence number of its first message (they are numbered in a row)
    size: int = 0  # how many messages it has


INF = float("inf")
BECOME_QUEUED = -1  # the step that releases a deferred message


def _no_clock() -> float:
    return -INF


@dataclass(slots=True, eq=False)
class Message:
    """One recipient of one batch.

    Its statuses follow from its outcome and times alone: ``due`` is when it goes out (later
    than ``created`` for a deferred send), each outcome step ``at`` delivery-delay units after
    that. So its status, reason and history at any time are read, never stepped: nothing
    happens to a message that nobody looks at, and everyone who looks sees the same history.
    ``clock`` is what ``status``, ``reason`` and ``history`` read the time from.
    """

    id: str
    seq: int  # position in acceptance order; the control API's cursor
    batch: Batch = field(metadata=SKIP)  # the owner restores the reference
    recipient: str
    text: str
    parts: int
    encoding: str
    ref: str | None
    outcome: Outcome | None  # None: refused at submission (``unsent`` says why)
    created: float
    due: float  # when it goes out
    delay: float = 0.5  # seconds per outcome step unit (the delivery delay)
    unsent: str | None = None  # why it was refused at submission
    cancelled: float | None = None  # when it was deleted before it went out
    clock: Callable[[], float] = field(default=_no_clock, metadata=SKIP)

    def step_due(self, step: int) -> float:
        """When outcome step ``step`` falls due (INF when the outcome has no such step)."""
        if step == BECOME_QUEUED:
            return self.due
        outcome = self.outcome
        if outcome is None or step >= len(outcome.steps):
            return INF
        return self.due + outcome.steps[step].at * self.delay

    def change_at(self, step: int) -> Change:
        """The status change of outcome step ``step`` (or of the release, BECOME_QUEUED)."""
        if step == BECOME_QUEUED:
            return self.due, QUEUED, None
        assert self.outcome is not None
        state = self.outcome.steps[step]
        return self.step_due(step), state.status, state.reason_for(self.batch.provider)

    def changes(self) -> list[Change]:
        """Every status it takes, the ones still to come too."""
        if self.outcome is None:
            return [(self.created, UNSENT, self.unsent)]
        deferred = self.due > self.created
        changes: list[Change] = [(self.created, SCHEDULED if deferred else QUEUED, None)]
        if deferred:
            changes.append(self.change_at(BECOME_QUEUED))
        changes += [self.change_at(step) for step in range(len(self.outcome.steps))]
        if self.cancelled is not None:
            changes = [c for c in changes if c[0] < self.cancelled]
            changes.append((self.cancelled, CANCELLED, None))
        return changes

    def history_at(self, now: float) -> list[Change]:
        return [change for change in self.changes() if change[0] <= now]

    def status_at(self, now: float) -> str:
        if self.outcome is None:
            return UNSENT
        if self.cancelled is not None and now >= self.cancelled:
            return CANCELLED
        if now < self.due:
            return SCHEDULED
        status = QUEUED
        due, delay = self.due, self.delay
        for step in self.outcome.steps:
            if due + step.at * delay > now:
                break
            status = step.status
        return status

    def reason_at(self, now: float) -> str | None:
        return self.history_at(now)[-1][2]

    def final_at(self) -> float:
        """When it reaches a final status (INF: never, e.g. "sent, never reported")."""
        if self.outcome is None:
            return self.created
        if self.cancelled is not None:
            return self.cancelled
        steps = self.outcome.steps
        if not steps or steps[-1].status not in FINAL:
            return INF
        return self.step_due(len(steps) - 1)

    def is_final(self, now: float) -> bool:
        return self.final_at() <= now

    @property
    def status(self) -> str:
        return self.status_at(self.clock())

    @property
    def reason(self) -> str | None:
        return self.reason_at(self.clock())

    @property
    def history(self) -> list[Change]:
        return self.history_at(self.clock())

    @property
    def updated(self) -> float:
        return self.history[-1][0]

    def time_of(self, status: str) -> float | None:
        """When the message last entered ``status``, if it did by now."""
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


class IdSource:
    """Deterministic, unique, random-looking ids: 10 hex digits, as SerwerSMS shows them.

    Multiplying a counter by an odd constant modulo 2**40 is a bijection, so ids never repeat
    within 2**40 messages and come out in the same order on every run.
    """

    _MULTIPLIER = 0x9E3779B97F4A7C15 & 0xFFFFFFFFFF | 1
    _SPACE = 1 << 40

    def __init__(self, upcoming: int = 1) -> None:
        self.upcoming = upcoming  # the next sequence number

    def next(self) -> tuple[int, str]:
        """A sequence number and the hex id derived from it."""
        seq = self.upcoming
        self.upcoming += 1
        return seq, f"{(seq * self._MULTIPLIER) % self._SPACE:010x}"  # id_of(seq), inline

    @classmethod
    def id_of(cls, seq: int) -> str:
        """The id of sequence number ``seq``."""
        return f"{(seq * cls._MULTIPLIER) % cls._SPACE:010x}"
