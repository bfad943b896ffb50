"""The fake network both providers send through.

It accepts messages, decides each one's outcome (scenario rules first, then the magic-number
table), moves it through its statuses as the emulator's time passes and publishes every change.
It is synchronous and knows nothing of HTTP: the server's runner calls :meth:`Gateway.run_due`
when time has moved.

Work per message follows what is observed. A message whose changes someone needs as they
happen (its callbacks, a wait, an event stream, or a manual clock that tests move on purpose) is
put on the schedule and each change is published. Any other message is lazy: it takes its steps
when it is read (emulator/core/messages.py), which costs nothing for the many messages of a load
test that nobody looks at again. When an observer appears, :meth:`Gateway.observe_all` first
hands every lazy message still in flight to the schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import count

from . import events as ev
from .events import EventHub
from .jsondata import JsonObject
from .lifecycle import Schedule
from .messages import (
    BECOME_QUEUED,
    CANCELLED,
    INF,
    QUEUED,
    SCHEDULED,
    UNSENT,
    Batch,
    IdSource,
    Message,
    Reply,
    RequestView,
)
from .outcomes import Outcome, OutcomeTable
from .rules import Decision, RuleBook
from .store import MessageStore

PRUNE_EVERY = 0.02
"""Seconds: a store over its cap asks the runner to prune this long after a send at the latest,
so that under load it prunes in rounds, not after every send."""


def _never() -> bool:
    return False


class Gateway:
    def __init__(
        self,
        now: Callable[[], float],
        outcomes: OutcomeTable,
        delivery_delay: float,
        hub: EventHub | None = None,
        store: MessageStore | None = None,
        rules: RuleBook | None = None,
        follow: Callable[[], bool] = _never,
    ) -> None:
        """``follow()``: whether every message is observed now (under a manual clock); a
        listener to every status change on ``hub`` makes them observed too."""
        self.now = now
        self.follow = follow
        self.outcomes = outcomes
        self.delivery_delay = delivery_delay
        self.hub = EventHub() if hub is None else hub
        self.store = MessageStore() if store is None else store
        self.rules = RuleBook() if rules is None else rules
        self.ids = IdSource()
        self.schedule = Schedule()
        self._batches = 0
        self._reply_ids = count(2_470_000)
        self._plain: dict[str, Decision] = {}  # the decision without rules, per outcome
        self._lazy = 0  # lazy messages made since observe_all last ran
        self._on_due: list[Callable[[float], None]] = []
        self.hub.when_observed(ev.MESSAGE_STATUS, self.observe_all)

    # -- accepting -------------------------------------------------------------------------

    def decide(self, provider: str, account: str, recipient: str, text: str) -> Decision:
        """What happens to a message: a matching scenario rule, else the magic-number table."""
        if self.rules:
            decision = self.rules.decide(provider, account, recipient, text)
            if decision is not None:
                if decision.outcome is None and decision.reject is None:
                    return replace(decision, outcome=self.outcomes.for_recipient(recipient))
                return decision
        outcome = self.outcomes.for_recipient(recipient)
        plain = self._plain.get(outcome.name)
        if plain is None:
            plain = self._plain[outcome.name] = Decision(outcome=outcome)
        return plain

    def new_batch(
        self,
        provider: str,
        account: str,
        kind: str,
        sender: str,
        request: RequestView | None,
        options: JsonObject | None = None,
    ) -> Batch:
        self._batches += 1
        return Batch(
            self._batches, provider, account, kind, sender, self.now(), request, options or {}
        )

    def add_message(
        self,
        batch: Batch,
        recipient: str,
        text: str,
        parts: int,
        encoding: str,
        ref: str | None = None,
        *,
        start: float | None = None,
        outcome: Outcome | None = None,
        delay: float | None = None,
        now: float | None = None,
        observed: bool = False,
    ) -> Message:
        """Store a message and schedule its outcome; ``start`` defers it. ``now`` saves a
        clock reading when a caller adds many messages at once; ``observed``: its status
        changes have callbacks."""
        if now is None:
            now = self.now()
        due = start if start is not None and start > now else now
        deferred = due > now
        seq, message_id = self.ids.next()
        status = SCHEDULED if deferred else QUEUED
        message = Message(
            id=message_id,
            seq=seq,
            batch=batch,
            recipient=recipient,
            text=text,
            parts=parts,
            encoding=encoding,
            ref=ref,
            outcome=outcome,
            _status=status,
            _history=[(now, status, None)],
            due=due,
            delay=self.delivery_delay if delay is None else delay,
        )
        self.store.add(message)
        step = BECOME_QUEUED if deferred else 0
        if observed or self.follow() or self.hub.observed(ev.MESSAGE_STATUS):
            self._schedule_step(message, step)
            self._wake(message.step_due(step))
        else:
            message.go_lazy(step, self.now)
            self._lazy += 1
            if self.store.over_capacity():
                self._wake(now + PRUNE_EVERY)  # the runner's round prunes
        self.hub.publish(ev.MESSAGE_CREATED, now, message)
        return message

    def reject(
        self,
        batch: Batch,
        recipient: str,
        text: str,
        parts: int,
        encoding: str,
        reason: str,
        ref: str | None = None,
    ) -> Message:
        """Store a message that was refused at submission (it never reaches the network)."""
        now = self.now()
        seq, message_id = self.ids.next()
        message = Message(
            id=message_id,
            seq=seq,
            batch=batch,
            recipient=recipient,
            text=text,
            parts=parts,
            encoding=encoding,
            ref=ref,
            outcome=None,
            _status=UNSENT,
            _reason=reason,
            due=now,
            _history=[(now, UNSENT, reason)],
        )
        self.store.add(message)
        self.hub.publish(ev.MESSAGE_CREATED, now, message)
        return message

    def _schedule_step(self, message: Message, step: int) -> None:
        when = message.step_due(step)
        if when != INF:
            self.schedule.add(when, message, step)

    def observe_all(self) -> int:
        """Hand every lazy message still in flight to the schedule, after it took the steps
        that fell due while nobody was looking; returns how many went."""
        if not self._lazy:
            return 0
        self._lazy = 0
        handed = 0
        earliest = INF
        for message in self.store.messages.values():
            if message.next_at != INF:
                message.catch_up()
                if message.next_at != INF:
                    earliest = min(earliest, message.next_at)
                    self.schedule.add(message.next_at, message, message.pending)
                    message.stop()
                    handed += 1
        if handed:
            self._wake(earliest)
        return handed

    def on_due(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(when)`` when something falls due at ``when`` that the runner may
        not expect: a step put on the schedule, or a store over its cap to prune."""
        self._on_due.append(listener)

    def _wake(self, when: float) -> None:
        for listener in self._on_due:
            listener(when)

    # -- time passing ----------------------------------------------------------------------

    def next_due(self) -> float | None:
        return self.schedule.next_due()

    def run_due(self, now: float | None = None, limit: int | None = None) -> int:
        """Apply the status changes due by ``now`` (at most about ``limit`` of them, so a caller
        can yield between rounds); returns how many were applied."""
        now = self.now() if now is None else now
        applied = 0
        store = self.store
        while limit is None or applied < limit:
            due = self.schedule.pop_due(now, None if limit is None else limit - applied)
            if not due:
                break
            messages = store.messages
            for when, message, step in due:
                if messages.get(message.id) is not message or message.status == CANCELLED:
                    continue
                message.take_step(step, when)
                self._published(message, when)
                self._schedule_step(message, step + 1)
                applied += 1
        if store.over_capacity():
            pruned = store.prune(now)
            if pruned:
                self.hub.publish(
                    ev.MESSAGES_PRUNED, now, None, count=len(pruned), total=store.pruned
                )
        return applied

    def _published(self, message: Message, when: float) -> None:
        self.hub.publish(
            ev.MESSAGE_STATUS, when, message, status=message.status, reason=message.reason
        )

    def cancel(self, message: Message) -> bool:
        """Delete a scheduled message before it goes out; False if it is already on its way."""
        if message.status != SCHEDULED:
            return False
        now = self.now()
        message.stop()
        message.set_status(now, CANCELLED, None)
        self._published(message, now)
        self.store.release_ref(message)
        return True

    # -- inbound ---------------------------------------------------------------------------

    def add_reply(
        self,
        provider: str,
        account: str,
        type_: str,
        phone: str,
        text: str,
        *,
        to_number: str | None = None,
        message_id: str | None = None,
    ) -> Reply:
        now = self.now()
        reply = Reply(
            id=next(self._reply_ids),
            provider=provider,
            account=account,
            type=type_,
            phone=phone,
            text=text,
            received=now,
            to_number=to_number,
            message_id=message_id,
        )
        self.store.add_reply(reply)
        self.hub.publish(ev.REPLY_RECEIVED, now, reply)
        return reply

    # -- housekeeping ----------------------------------------------------------------------

    def reset(self, provider: str | None = None, account: str | None = None) -> dict[str, int]:
        messages, replies = self.store.remove_where(provider, account)
        if provider is None and account is None:
            self.schedule.discard()
        else:
            self.schedule.discard({id(m) for m in self.store.messages.values()})
        return {"messages": messages, "replies": replies}
