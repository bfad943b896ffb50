"""``/_emulator/messages``: messages of both gateways, one with its history, and waiting for
them (matched incrementally: :mod:`.waits`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from aiohttp import web

from ..context import Context
from ..core import phones
from ..core.jsondata import Document
from ..core.messages import Message
from . import api, views
from .api import context, endpoint, fail, ok
from .waits import WAITS, long_poll


@dataclass(frozen=True, slots=True)
class MessageFilter:
    provider: str | None = None
    account: str | None = None
    recipient: str | None = None
    sender: str | None = None
    status: str | None = None
    text: str | None = None
    kind: str | None = None
    since: float | None = None
    cursor: int = 0

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> MessageFilter:
        cursor = int(api.number(query, "cursor", 0, 0, 2**53))
        return cls(
            provider=query.get("provider") or None,
            account=query.get("account") or None,
            recipient=query.get("recipient") or None,
            sender=query.get("sender") or None,
            status=query.get("status") or None,
            text=query.get("text") or None,
            kind=query.get("kind") or None,
            since=api.time_of(query, "since"),
            cursor=cursor,
        )

    def candidates(self, ctx: Context) -> Iterable[Message]:
        store = ctx.gateway.store
        if self.provider and self.account:
            return store.for_account(self.provider, self.account)
        return store.messages.values()

    def __call__(self, m: Message) -> bool:
        batch = m.batch
        return (
            m.seq > self.cursor
            and (self.provider is None or batch.provider == self.provider)
            and (self.account is None or batch.account == self.account)
            and (self.recipient is None or phones.same_number(m.recipient, self.recipient))
            and (self.sender is None or batch.sender == self.sender)
            and (self.status is None or m.status == self.status)
            and (self.kind is None or batch.kind == self.kind)
            and (self.text is None or self.text in m.text)
            and (self.since is None or m.created >= self.since)
        )


def matching_messages(ctx: Context, flt: MessageFilter) -> Iterator[Message]:
    return (m for m in flt.candidates(ctx) if flt(m))


def _messages_answer(page: list[Message], flt: MessageFilter, ctx: Context) -> Document:
    return {
        "items": [views.message_summary(m, ctx.dispatcher.for_message(m.id)) for m in page],
        "count": len(page),
        "next_cursor": page[-1].seq if page else flt.cursor,
        "pruned": ctx.gateway.store.pruned,
    }


@endpoint
async def list_messages(request: web.Request) -> web.Response:
    flt = MessageFilter.from_query(request.query)
    limit = int(api.number(request.query, "limit", api.DEFAULT_LIMIT, 1, api.MAX_LIMIT))
    ctx = context(request)
    return ok(_messages_answer(api.page(matching_messages(ctx, flt), limit), flt, ctx))


@endpoint
async def get_message(request: web.Request) -> web.Response:
    message = context(request).gateway.store.get(request.match_info["id"])
    if message is None:
        fail(404, f"no message {request.match_info['id']!r}")
    return ok(views.message_detail(message, context(request).dispatcher.for_message(message.id)))


@endpoint
async def wait_messages(request: web.Request) -> web.Response:
    """Long poll for messages matching the same filters as the list (matched incrementally:
    :mod:`.waits`)."""
    ctx = context(request)
    flt = MessageFilter.from_query(request.query)
    return await long_poll(
        request,
        lambda n: api.page(matching_messages(ctx, flt), n),
        lambda items: _messages_answer(items, flt, ctx),
        functools.partial(request.app[WAITS].wait, flt),
        "messages",
    )
