"""``/_emulator/replies``: incoming messages, waiting for them, and simulating one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from aiohttp import web

from ..callbacks import CallbackDispatcher
from ..context import Context
from ..core import phones
from ..core.jsondata import Document, JsonObject
from ..core.messages import Reply
from ..providers import BY_NAME
from . import api, views
from .api import body as read_body
from .api import context, endpoint, fail, ok
from .waits import REPLY_EVENTS, long_poll, rechecking


def _replies_answer(journal: CallbackDispatcher, replies: list[Reply]) -> Document:
    return {
        "items": [views.reply_view(r, journal.for_reply(r.id)) for r in replies],
        "count": len(replies),
    }


def _matching_replies(ctx: Context, query: Mapping[str, str]) -> Callable[[int], list[Reply]]:
    provider, account = query.get("provider"), query.get("account")
    phone = query.get("phone")

    def matched(n: int) -> list[Reply]:
        return api.page(
            (
                r
                for r in ctx.gateway.store.replies.values()
                if (not provider or r.provider == provider)
                and (not account or r.account == account)
                and (not phone or phones.same_number(r.phone, phone))
            ),
            n,
        )

    return matched


@endpoint
async def list_replies(request: web.Request) -> web.Response:
    limit = int(api.number(request.query, "limit", api.DEFAULT_LIMIT * 10, 1, api.MAX_LIMIT))
    ctx = context(request)
    return ok(_replies_answer(ctx.dispatcher, _matching_replies(ctx, request.query)(limit)))


@endpoint
async def wait_replies(request: web.Request) -> web.Response:
    ctx = context(request)
    matched = _matching_replies(ctx, request.query)
    return await long_poll(
        request,
        matched,
        functools.partial(_replies_answer, ctx.dispatcher),
        rechecking(ctx, matched, REPLY_EVENTS),
        "replies",
    )


@endpoint
async def inject_reply(request: web.Request) -> web.Response:
    ctx = context(request)
    reply = add_reply(ctx, await read_body(request, "reply.create"))
    return ok(views.reply_view(reply, ctx.dispatcher.for_reply(reply.id)), status=201)


def add_reply(ctx: Context, data: JsonObject) -> Reply:
    """An incoming message from a ``reply.create`` body (the control API's, or a
    scenario's); it fires the account's replies callback."""
    provider = BY_NAME[data["provider"]]
    if provider.inject_reply is None:  # the schema names the providers that have them
        fail(400, f"{provider.name} has no incoming messages", "provider")
    return provider.inject_reply(ctx, data)
