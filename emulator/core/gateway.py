"""The fake network both providers send through.

It accepts messages, decides each one's outcome (scenario rules first, then the magic-number
table), moves it through its statuses as the emulator's time passes and publishes every change.
It is synchronous and knows nothing of HTTP: the server's runner calls :meth:`Gateway.run_due`
when time has moved.
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
    CANCELLED,
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

_BECOME_QUEUED = -1  # the schedule step that releases a deferred message


class Gateway:
    def __init__(
        self,
        now: Callable[[], float],
        outcomes: OutcomeTable,
        delivery_delay: float,
        hub: EventHub | None = None,
        store: MessageStore | None = None,
        rules: RuleBook | None = None,
    ) -> None:
        self.now = now
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
        return Batch(self._batches, provider, account, kind, sender, self.now(), request,
                     options or {})

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
    ) -> Message:
        """Store a message and schedule its outcome; ``start`` defers it. ``now`` saves a
        clock reading when a caller adds many messages at once."""
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
            status=status,
            history=[(now, status, None)],
            due=due,
            delay=self.delivery_delay if delay is None else delay,
        )
        self.store.add(message)
        if deferred:
            self.schedule.add(message.due, message, _BECOME_QUEUED)
        else:
            self._schedule_step(message, 0)
        self.hub.publish(ev.MESSAGE_CREATED, now, message)
        return message

    def reject(
        self, batch: Batch, recipient: str, text: str, parts: int, encoding: str,
        reason: str, ref: str | None = None,
    ) -> Message:
        """Store a message that was refused at submission (it never reaches the network)."""
        now = self.now()
        seq, message_id = self.ids.next()
        message = Message(
            id=message_id, seq=seq, batch=batch, recipient=recipient, text=text, parts=parts,
            encoding=encoding, ref=ref, outcome=None, status=UNSENT, reason=reason, due=now,
            history=[(now, UNSENT, reason)],
        )
        self.store.add(message)
        self.hub.publish(ev.MESSAGE_CREATED, now, message)
        return message

    def _schedule_step(self, message: Message, step: int) -> None:
        outcome = message.outcome
        if outcome is None or step >= len(outcome.steps):
            return
        self.schedule.add(message.due + outcome.steps[step].at * message.delay, message, step)

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
                if step == _BECOME_QUEUED:
                    message.due = when
                    self._set_status(message, when, QUEUED, None)
                    self._schedule_step(message, 0)
                else:
                    assert message.outcome is not None
                    state = message.outcome.steps[step]
                    self._set_status(message, when, state.status,
                                     state.reason_for(message.batch.provider))
                    self._schedule_step(message, step + 1)
                applied += 1
        if store.over_capacity():
            pruned = store.prune()
            if pruned:
                self.hub.publish(ev.MESSAGES_PRUNED, now, None, count=len(pruned),
                                 total=store.pruned)
        return applied

    def _set_status(self, message: Message, when: float, status: str, reason: str | None) -> None:
        message.status = status
        message.reason = reason
        message.history.append((when, status, reason))
        self.hub.publish(ev.MESSAGE_STATUS, when, message, status=status, reason=reason)

    def cancel(self, message: Message) -> bool:
        """Delete a scheduled message before it goes out; False if it is already on its way."""
        if message.status != SCHEDULED:
            return False
        self._set_status(message, self.now(), CANCELLED, None)
        self.store.release_ref(message)
        return True

    # -- inbound ---------------------------------------------------------------------------

    def add_reply(self, provider: str, account: str, type_: str, phone: str, text: str, *,
                  to_number: str | None = None, message_id: str | None = None) -> Reply:
        now = self.now()
        reply = Reply(id=next(self._reply_ids), provider=provider, account=account,
                      type=type_, phone=phone, text=text, received=now, to_number=to_number,
                      message_id=message_id)
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
