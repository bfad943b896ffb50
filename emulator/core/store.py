"""Where messages and replies are kept, with the indexes the providers query by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .messages import INF, Batch, Message, Reply

AccountKey = tuple[str, str]


class MessageStore:
    """Messages in the order they were accepted, indexed by id, account and own reference.

    ``max_messages`` bounds memory: past it, the oldest messages that reached a final status
    are pruned and counted in ``pruned``; a message still in flight is never pruned. Replies
    are bounded by the same number. ``max_age`` (seconds) prunes the messages that have been
    final for longer than that, too.
    """

    def __init__(self, max_messages: int | None = None, max_age: float | None = None) -> None:
        self.max_messages = max_messages
        self.max_age = max_age
        self.messages: dict[str, Message] = {}
        self.replies: dict[int, Reply] = {}
        self._by_account: dict[AccountKey, dict[str, Message]] = {}
        self._by_ref: dict[tuple[str, str, str], Message] = {}
        self._batches: dict[int, tuple[Batch, int]] = {}  # batch id → batch, messages kept
        self.pruned = 0
        # The batches changed since the data file (emulator/datafile.py) last wrote them;
        # None when nobody keeps them, so that memory-only costs nothing.
        self.touched: set[int] | None = None

    def touch(self, batch_id: int) -> None:
        """Note that ``batch_id`` changed (for the data file)."""
        if self.touched is not None:
            self.touched.add(batch_id)

    def __len__(self) -> int:
        return len(self.messages)

    def restore(self, batches: list[tuple[Batch, list[Message]]], replies: list[Reply]) -> None:
        """Keep exactly these (as saved: batches in the order sent); a cancelled message's
        own reference is free again."""
        if self.touched is not None:
            self.touched.update(self._batches)
        self.messages.clear()
        self.replies = {reply.id: reply for reply in replies}
        self._by_account.clear()
        self._by_ref.clear()
        self._batches.clear()
        for batch, messages in sorted(batches, key=lambda b: b[0].first):
            self.add_all(batch, messages)
            for message in messages:
                if message.cancelled is not None:
                    self.release_ref(message)

    def add_all(self, batch: Batch, messages: list[Message]) -> None:
        """Keep ``batch`` and its messages (a batch is added once, with all of them)."""
        every = self.messages
        key = (batch.provider, batch.account)
        bucket = self._by_account.get(key)
        if bucket is None:
            bucket = self._by_account[key] = {}
        for message in messages:
            every[message.id] = bucket[message.id] = message
            if message.ref is not None:
                self._by_ref[(key[0], key[1], message.ref)] = message
        self._batches[batch.id] = (batch, len(messages))
        if self.touched is not None:
            self.touched.add(batch.id)

    def batch(self, batch_id: int) -> Batch | None:
        """A batch while the store keeps any of its messages."""
        kept = self._batches.get(batch_id)
        return None if kept is None else kept[0]

    def get(self, message_id: str) -> Message | None:
        return self.messages.get(message_id)

    def for_account(self, provider: str, account: str) -> Iterable[Message]:
        return self._by_account.get((provider, account), {}).values()

    def by_ref(self, provider: str, account: str, ref: str) -> Message | None:
        """The newest message sent with this own reference (TRN, unique_id)."""
        return self._by_ref.get((provider, account, ref))

    def release_ref(self, message: Message) -> None:
        """Free a message's own reference for reuse (SerwerSMS after a delete)."""
        if message.ref is None:
            return
        key = (message.batch.provider, message.batch.account, message.ref)
        if self._by_ref.get(key) is message:
            del self._by_ref[key]

    def add_reply(self, reply: Reply) -> None:
        """Keep a reply; past ``max_messages`` replies the oldest one goes (counted as
        pruned)."""
        self.replies[reply.id] = reply
        if self.max_messages is not None and len(self.replies) > self.max_messages:
            del self.replies[next(iter(self.replies))]
            self.pruned += 1

    def replies_for(self, provider: str, account: str) -> Iterator[Reply]:
        return (r for r in self.replies.values() if r.provider == provider and r.account == account)

    def over_capacity(self) -> int:
        if self.max_messages is None:
            return 0
        return max(0, len(self.messages) - self.max_messages)

    def prune(self, now: float) -> list[Message]:
        """Drop the oldest messages final by ``now`` until the store is within its cap, and
        those final for longer than ``max_age``."""
        excess = self.over_capacity()
        aged = -INF if self.max_age is None else now - self.max_age
        victims: list[Message] = []
        for message in self.messages.values():
            if len(victims) >= excess and message.created > aged:
                break  # (later ones were made later still: none of them is old enough)
            final = message.final_at()
            if final <= aged or (final <= now and len(victims) < excess):
                victims.append(message)
        for message in victims:
            self._remove(message)
        self.pruned += len(victims)
        return victims

    def remove_where(
        self, provider: str | None = None, account: str | None = None
    ) -> tuple[int, int]:
        """Remove messages and replies of one account (or one provider, or all)."""

        def matches(p: str, a: str) -> bool:
            return (provider is None or p == provider) and (account is None or a == account)

        doomed = [m for m in self.messages.values() if matches(m.batch.provider, m.batch.account)]
        for message in doomed:
            self._remove(message)
        gone_replies = [r.id for r in self.replies.values() if matches(r.provider, r.account)]
        for reply_id in gone_replies:
            del self.replies[reply_id]
        return len(doomed), len(gone_replies)

    def _remove(self, message: Message) -> None:
        del self.messages[message.id]
        key = (message.batch.provider, message.batch.account)
        bucket = self._by_account.get(key)
        if bucket is not None:
            bucket.pop(message.id, None)
            if not bucket:
                del self._by_account[key]
        self.release_ref(message)
        batch, kept = self._batches[message.batch.id]
        self.touch(batch.id)
        if kept > 1:
            self._batches[batch.id] = (batch, kept - 1)
        else:
            del self._batches[batch.id]
