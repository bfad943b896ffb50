"""The fake network both providers send through.

It accepts messages, decides each one's outcome (scenario rules first, then the magic-number
table) and tells whoever needs it when their statuses change. It is synchronous and knows
nothing of HTTP.

A message's statuses follow from its outcome and times (emulator/core/messages.py); what
happens *at* those times is on the one schedule (emulator/core/timeline.py): one entry per
wave of a batch (the messages with the same outcome and timing) and change. When an entry runs,
its change is published to the event hub if anybody listens there (a wait, an event stream),
and handed to the provider's watcher if the provider wants it (its callbacks): each provider
registers what it wants with :meth:`Gateway.watch`, and the gateway asks at the time of each
change.

The gateway alone decides whether a new batch's changes go on the schedule at once: when
somebody listens to status changes, or the provider's watcher is interested in the batch.
Otherwise the batch sleeps in the schedule (emulator/core/timeline.py says how) and costs a
send of a load test nothing; it is grouped into waves only when it wakes. It wakes when a
listener subscribes (the hub tells the gateway), when a clock advance starts, or when the
provider says its interest in an account changed (:meth:`Gateway.reconsider`: a callback URL
set after the send).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from . import events as ev
from . import plain
from .events import EventHub
from .jsondata import JsonObject
from .messages import (
    CANCELLED,
    INF,
    SCHEDULED,
    Batch,
    IdSource,
    Message,
    Reply,
    RequestRecord,
    Wave,
)
from .numbered import Serial
from .outcomes import Outcome, OutcomeTable
from .plain import AS_JSON, JSON
from .rules import Decision, Rule, RuleBook
from .store import MessageStore
from .timeline import PRUNE, STATUS, Key, Timeline

New = tuple[str, str, int, str, str | None, Outcome | None, float | None, str | None]
"""A message to add: recipient, text, parts, encoding, own reference (TRN, unique_id), outcome
(None: refused at submission), delivery delay (None: the default), why it was refused."""

Restore = Callable[[], None]


@dataclass(slots=True)
class SavedBatch:
    batch: Batch
    messages: list[JSON] = field(metadata=AS_JSON)  # Messages, without their batch


@dataclass(slots=True)
class SavedGateway:
    """Messages (by batch), replies, rules and the counters, as plain data."""

    messages: int  # the next message's sequence number
    batch_ids: Serial
    reply_ids: Serial
    changes: int
    pruned: int
    batches: list[SavedBatch]
    replies: list[Reply]
    rules: list[Rule]
    upcoming_rule: int


class Interned:
    """One object per distinct outcome (a batch groups its messages into waves by outcome
    object): the table's own where they are equal."""

    def __init__(self, table: OutcomeTable) -> None:
        self._seen = {_signature(o): o for o in table.outcomes.values()}

    def get(self, outcome: Outcome) -> Outcome:
        return self._seen.setdefault(_signature(outcome), outcome)


def _signature(outcome: Outcome) -> object:
    steps = tuple((s.status, s.at, tuple(sorted(s.reason.items()))) for s in outcome.steps)
    return outcome.name, outcome.description, steps


PRUNE_EVERY = 0.02
"""Seconds: a store over its cap is pruned in rounds at least this far apart, not after every
send."""


@dataclass(frozen=True, slots=True)
class Watcher:
    """What a provider needs of its messages' status changes: ``interested(batch)`` says
    whether any change of this batch may matter now (a callback URL for some of them),
    ``wants(batch, status)`` whether a change of it to ``status`` does, and
    ``changed(message, when, status, reason)`` is told each one that does. When what
    ``interested`` depends on changes (a dlr_url is set), the provider calls
    :meth:`Gateway.reconsider`."""

    interested: Callable[[Batch], bool]
    wants: Callable[[Batch, str], bool]
    changed: Callable[[Message, float, str, str | None], None]


class Gateway:
    def __init__(
        self,
        now: Callable[[], float],
        outcomes: OutcomeTable,
        delivery_delay: float,
        timeline: Timeline,
        hub: EventHub | None = None,
        store: MessageStore | None = None,
        rules: RuleBook | None = None,
    ) -> None:
        self.now = now
        self.outcomes = outcomes
        self.delivery_delay = delivery_delay
        self.timeline = timeline
        self.hub = EventHub() if hub is None else hub
        self.store = MessageStore() if store is None else store
        self.rules = RuleBook() if rules is None else rules
        self.ids = IdSource()
        self.batch_ids = Serial(1)
        self.reply_ids = Serial(2_470_000)
        self.changes = 0  # status changes so far (what a clock advance reports)
        self._pruning = False  # a pruning round is on the schedule
        self._plain: dict[str, Decision] = {}  # the decision without rules, per outcome
        self._watchers: dict[str, Watcher] = {}
        timeline.on(STATUS, self._change, by_key=True)  # at one instant: in the order sent
        timeline.on(PRUNE, self._prune)
        timeline.on_wake(self._wake_batch, self._kept)
        self.hub.on_listen(ev.MESSAGE_STATUS, self.wake)

    def watch(self, provider: str, watcher: Watcher) -> None:
        """``provider``'s status changes go to ``watcher`` when it wants them."""
        self._watchers[provider] = watcher

    def wake(self) -> None:
        """Somebody needs every change from now on (a listener, a clock advance): every
        sleeping batch's changes still to come go on the schedule."""
        self.timeline.wake(self.now())

    def reconsider(self, provider: str, account: str) -> None:
        """What ``provider``'s watcher is interested in for ``account`` may have changed (a
        callback URL was set): that account's sleeping batches wake."""
        self.timeline.wake(self.now(), (provider, account))

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
        request: RequestRecord | None,
        options: JsonObject | None = None,
    ) -> Batch:
        return Batch(
            self.batch_ids.take(),
            provider,
            account,
            kind,
            sender,
            self.now(),
            request,
            options or {},
        )

    def add_messages(
        self, batch: Batch, new: Iterable[New], start: float | None = None
    ) -> list[Message]:
        """Store a batch's messages (all at once, with one clock reading; ``start`` defers
        them) and put their status changes on the schedule, or to sleep when nobody needs
        them as they happen. A message without an outcome was refused at submission (its
        ``unsent`` says why)."""
        now = self.now()
        due = start if start is not None and start > now else now
        next_id, clock, default_delay = self.ids.next, self.now, self.delivery_delay
        messages = []
        sent = False
        for recipient, text, parts, encoding, ref, outcome, delay, unsent in new:
            seq, message_id = next_id()
            if outcome is None:
                message = Message(
                    message_id, seq, batch, recipient, text, parts, encoding, ref, None, now,
                    now, unsent=unsent, clock=clock,
                )  # fmt: skip
            else:
                sent = True
                message = Message(
                    message_id, seq, batch, recipient, text, parts, encoding, ref, outcome, now,
                    due, default_delay if delay is None else delay, clock=clock,
                )  # fmt: skip
            messages.append(message)
        if messages:
            batch.first, batch.size = messages[0].seq, len(messages)
        self.store.add_all(batch, messages)
        publish = self.hub.publish
        for message in messages:
            publish(ev.MESSAGE_CREATED, now, message)
        if sent:
            watcher = self._watchers.get(batch.provider)
            if self.hub.listens(ev.MESSAGE_STATUS) or (
                watcher is not None and watcher.interested(batch)
            ):
                self._schedule(batch, messages, now)
            else:
                self.timeline.sleep((batch.provider, batch.account), batch.id)
        if self.store.over_capacity():
            self._prune_later(now)
        elif self.store.max_age is not None and not self._pruning:
            self._pruning = True
            self.timeline.at(self._aged_at(now), PRUNE)
        return messages

    def _members(self, batch: Batch) -> list[Message]:
        """The messages of ``batch`` the store still keeps."""
        get, id_of = self.store.messages.get, self.ids.id_of
        first = batch.first
        return [m for m in map(get, map(id_of, range(first, first + batch.size))) if m]

    def _schedule(self, batch: Batch, messages: list[Message], now: float) -> None:
        """Group the messages of ``batch`` into waves (the same outcome and times: they
        change together) and put each wave's next change (at ``now`` or later) on the
        schedule."""
        waves = batch.waves
        self.store.touch(batch.id)
        wave_of: dict[tuple[int, float, float], Wave] = {}
        for message in messages:
            outcome = message.outcome
            if outcome is None or message.cancelled is not None:
                continue
            key = (id(outcome), message.delay, message.due)
            wave = wave_of.get(key)
            if wave is None:
                deferred = message.due > message.created
                wave = wave_of[key] = Wave(message.due, message.delay, outcome, deferred)
                waves.append(wave)
                change = wave.next_change(now)
                if change is not None:
                    self.timeline.at(wave.when(change), STATUS, batch.id, len(waves) - 1, change)
            wave.ids.append(message.id)

    def _kept(self, batch_id: int) -> bool:
        return self.store.batch(batch_id) is not None

    def _wake_batch(self, now: float, batch_id: int) -> None:
        """A sleeping batch wakes: its changes still to come go on the schedule."""
        batch = self.store.batch(batch_id)
        if batch is not None:
            self._schedule(batch, self._members(batch), now)

    def cancel(self, message: Message) -> bool:
        """Delete a scheduled message before it goes out; False if it is already on its way."""
        now = self.now()
        if message.status_at(now) != SCHEDULED:
            return False
        message.cancelled = now
        self.store.touch(message.batch.id)
        self.changes += 1
        self._tell(message.batch, [message], now, CANCELLED, None)
        self.store.release_ref(message)
        return True

    # -- time passing ----------------------------------------------------------------------

    def _change(self, when: float, key: Key) -> None:
        """A wave of a batch takes its change ``key[2]`` (the schedule's entry)."""
        batch_id, index, step = key
        batch = self.store.batch(batch_id)
        if batch is None:
            return  # reset or pruned
        wave = batch.waves[index]
        get = self.store.messages.get
        members = [m for m in map(get, wave.ids) if m is not None and m.cancelled is None]
        if not members:
            return
        status, reason = wave.change(step, batch.provider)
        self.changes += len(members)
        self._tell(batch, members, when, status, reason)
        step += 1
        if step < len(wave):
            self.timeline.at(wave.when(step), STATUS, batch_id, index, step)

    def _tell(
        self, batch: Batch, members: list[Message], when: float, status: str, reason: str | None
    ) -> None:
        """Publish a change of ``members`` to whoever needs it: the hub's listeners, and the
        provider's watcher when it wants this one."""
        listened = self.hub.listens(ev.MESSAGE_STATUS)
        watcher = self._watchers.get(batch.provider)
        wanted = watcher is not None and watcher.wants(batch, status)
        if not (listened or wanted):
            return
        for message in members:
            if listened:
                self.hub.publish(ev.MESSAGE_STATUS, when, message, status=status, reason=reason)
            if wanted:
                assert watcher is not None
                watcher.changed(message, when, status, reason)

    def _prune_later(self, now: float) -> None:
        if not self._pruning:
            self._pruning = True
            self.timeline.at(now + PRUNE_EVERY, PRUNE)

    def _prune(self, when: float, key: Key) -> None:
        """A pruning round: the oldest final messages go until the store is within its cap; if
        it is still over, the next round is due when the next message becomes final."""
        self._pruning = False
        store = self.store
        pruned = store.prune(when)
        if pruned:
            self.hub.publish(ev.MESSAGES_PRUNED, when, None, count=len(pruned), total=store.pruned)
        if store.over_capacity():
            upcoming = min(
                (m.final_at() for m in store.messages.values() if not m.is_final(when)), default=INF
            )
            if upcoming != INF:
                self._pruning = True
                self.timeline.at(max(upcoming, when + PRUNE_EVERY), PRUNE)
        elif store.max_age is not None and store.messages:
            self._pruning = True
            self.timeline.at(self._aged_at(when), PRUNE)

    def _aged_at(self, now: float) -> float:
        """When the oldest message may be past ``--max-age`` (checked again then if it is not
        final yet; a round at most every ``max_age`` while it is in flight)."""
        age = self.store.max_age
        assert age is not None
        oldest = next(iter(self.store.messages.values()))
        final = oldest.final_at()
        return max(now + PRUNE_EVERY, (final if final != INF else now) + age)

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
            id=self.reply_ids.take(),
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

    # -- as plain data (GET/PUT /_emulator/state) -----------------------------------------

    def saved(self, with_batches: bool = True) -> SavedGateway:
        """``with_batches=False``: without them (the data file keeps each batch on its own,
        see :meth:`saved_batch`)."""
        kept: dict[int, list[Message]] = {}
        batches: dict[int, Batch] = {}
        for message in self.store.messages.values() if with_batches else ():
            kept.setdefault(message.batch.id, []).append(message)
            batches[message.batch.id] = message.batch
        return SavedGateway(
            self.ids.upcoming,
            self.batch_ids,
            self.reply_ids,
            self.changes,
            self.store.pruned,
            [SavedBatch(batches[b], [plain.dump(m) for m in kept[b]]) for b in kept],
            list(self.store.replies.values()),
            list(self.rules),
            self.rules.upcoming,
        )

    def saved_batch(self, batch_id: int) -> SavedBatch | None:
        """One batch with the messages the store keeps (None once none is kept)."""
        batch = self.store.batch(batch_id)
        if batch is None:
            return None
        return SavedBatch(batch, [plain.dump(m) for m in self._members(batch)])

    def decode(self, saved: SavedGateway, path: str) -> Restore:
        """What ``saved`` restores (its messages made and checked now; nothing changes until
        the answer is called)."""
        outcomes = Interned(self.outcomes)
        batches = []
        for n, each in enumerate(saved.batches):
            batch = each.batch
            for wave in batch.waves:
                wave.outcome = outcomes.get(wave.outcome)
            messages: list[Message] = []
            for i, data in enumerate(each.messages):
                message = plain.load(
                    Message, data, f"{path}.batches.{n}.messages.{i}", batch=batch, clock=self.now
                )
                if message.outcome is not None:
                    message.outcome = outcomes.get(message.outcome)
                messages.append(message)
            batches.append((batch, messages))
        for rule in saved.rules:
            if rule.outcome is not None:
                rule.outcome = outcomes.get(rule.outcome)

        def restore() -> None:
            self.ids.upcoming = saved.messages
            self.batch_ids, self.reply_ids = saved.batch_ids, saved.reply_ids
            self.changes = saved.changes
            self.store.pruned = saved.pruned
            self.store.restore(batches, saved.replies)
            self.rules.restore(saved.rules, saved.upcoming_rule)
            self._pruning = bool(self.timeline.keys(PRUNE))

        return restore

    # -- housekeeping ----------------------------------------------------------------------

    def reset(self, provider: str | None = None, account: str | None = None) -> dict[str, int]:
        """Forget messages and replies (of one account, or all); the schedule's entries of
        the messages that went come to nothing."""
        messages, replies = self.store.remove_where(provider, account)
        if provider is None and account is None:
            self.timeline.discard(lambda kind, key: kind in (STATUS, PRUNE))
            self.timeline.forget_asleep()
            self._pruning = False
        elif provider is not None and account is not None:
            self.timeline.forget_asleep((provider, account))
        return {"messages": messages, "replies": replies}
