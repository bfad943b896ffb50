"""Looking at what happened: health, messages, replies, callbacks, and waiting for them."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from aiohttp import web

from .. import __version__
from ..callbacks import CallbackDispatcher, CallbackJob
from ..clock import MANUAL
from ..context import Context
from ..core import events as ev
from ..core import phones
from ..core.jsondata import Document, JsonObject
from ..core.messages import Message, Reply
from ..httpio import mask_url
from ..providers import BY_NAME
from . import views
from .api import context, endpoint, fail, ok
from .waits import WAITS

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000_000
MAX_WAIT = 300.0
MAX_OPEN_WAITS = 1000  # long polls open at once; past it, 503 (README: Security)
T = TypeVar("T")


def _number(query: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        fail(400, f"{name} must be a number, not {raw!r}", name)
    if not low <= value <= high:
        fail(400, f"{name} must be between {low:g} and {high:g}", name)
    return value


def _time(query: Mapping[str, str], name: str) -> float | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.upper().replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):
        fail(400, f"{name} must be an ISO 8601 time or a Unix timestamp", name)


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
        cursor = int(_number(query, "cursor", 0, 0, 2**53))
        return cls(
            provider=query.get("provider") or None,
            account=query.get("account") or None,
            recipient=query.get("recipient") or None,
            sender=query.get("sender") or None,
            status=query.get("status") or None,
            text=query.get("text") or None,
            kind=query.get("kind") or None,
            since=_time(query, "since"),
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


def _page(items: Iterator[T], limit: int) -> list[T]:
    page: list[T] = []
    for item in items:
        page.append(item)
        if len(page) >= limit:
            break
    return page


@endpoint
async def health(request: web.Request) -> web.Response:
    ctx = context(request)
    ready = ctx.ready.is_set()
    return ok(
        {
            "status": "ok" if ready else "starting",
            "ready": ready,
            "version": __version__,
            "providers": list(BY_NAME),
            "clock": views.clock_view(ctx.clock),
            "messages": len(ctx.gateway.store),
            "pruned": ctx.gateway.store.pruned,
            "callbacks_pending": len(ctx.dispatcher.pending()),
            "callbacks_pruned": ctx.dispatcher.pruned,
            "message_waits": len(request.app[WAITS]),
            "open_waits": ctx.waits,
            "event_streams": len(ctx.streams),
        },
        status=200 if ready else 503,
    )


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
    limit = int(_number(request.query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT))
    ctx = context(request)
    return ok(_messages_answer(_page(matching_messages(ctx, flt), limit), flt, ctx))


@endpoint
async def get_message(request: web.Request) -> web.Response:
    message = context(request).gateway.store.get(request.match_info["id"])
    if message is None:
        fail(404, f"no message {request.match_info['id']!r}")
    return ok(views.message_detail(message, context(request).dispatcher.for_message(message.id)))


FROZEN_HINT = (
    "the emulator's clock is manual and was not advanced while waiting: statuses "
    "and callbacks move only when it is (POST /_emulator/clock/advance, or "
    "advance() in the client)"
)
RECHECK = 0.01  # seconds: events arriving in a burst are checked against once per interval


async def wait_for(
    ctx: Context, ready: Callable[[], bool], timeout: float, types: frozenset[str]
) -> bool:
    """Wait until ``ready()`` holds, re-checking after events of the given types (a burst of
    events costs one check per RECHECK, not one per event)."""
    if ready():
        return True
    wake = asyncio.Event()

    def on_event(event: ev.Event) -> None:
        wake.set()

    unsubscribe = ctx.hub.subscribe(on_event, types)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), remaining)
            except TimeoutError:
                return ready()
            await asyncio.sleep(min(RECHECK, max(0.0, deadline - loop.time())))
        return True
    finally:
        unsubscribe()


_CALLBACK_EVENTS = frozenset({ev.CALLBACK_ATTEMPT, ev.STATE_RESET})
_REPLY_EVENTS = frozenset({ev.REPLY_RECEIVED, ev.STATE_RESET})
Waiting = Callable[[int, float], Awaitable[bool]]


def rechecking(ctx: Context, matched: Callable[[int], list[T]], types: frozenset[str]) -> Waiting:
    """Wait by checking ``matched`` again after events of ``types``."""
    return lambda count, timeout: wait_for(
        ctx, lambda: len(matched(count)) >= count, timeout, types
    )


async def long_poll(
    request: web.Request,
    matched: Callable[[int], list[T]],
    answer: Callable[[list[T]], JsonObject],
    waiting: Waiting,
    noun: str,
) -> web.Response:
    """Answer as soon as ``count`` items match, or with 408 and what matched after ``timeout``.

    ``matched(n)`` returns the matching items (at least ``n`` when that many exist);
    ``waiting(count, timeout)`` waits until that many match.
    """
    count = int(_number(request.query, "count", 1, 1, MAX_LIMIT))
    timeout = _number(request.query, "timeout", 10, 0, MAX_WAIT)
    ctx = context(request)
    if ctx.waits >= MAX_OPEN_WAITS:
        fail(
            503,
            f"{ctx.waits} long polls are open, the most the emulator keeps; end some "
            "(a wait ends when its client goes away) or wait with a shorter timeout",
        )
    clock = ctx.clock
    advanced = clock.advanced_at
    ctx.waits += 1
    try:
        done = await waiting(count, timeout)
    finally:
        ctx.waits -= 1
    items = matched(max(count, DEFAULT_LIMIT))
    data = answer(items)
    if done:
        return ok(data)
    found = min(len(items), count)
    message = f"timed out after {timeout:g} s: {found} of {count} {noun} matched"
    error: Document = {"message": message, "matched": found}
    if clock.mode == MANUAL and clock.advanced_at == advanced:
        error["hint"] = FROZEN_HINT
    data["error"] = error
    return ok(data, status=408)


@endpoint
async def wait_messages(request: web.Request) -> web.Response:
    """Long poll for messages matching the same filters as the list (matched incrementally:
    :mod:`.waits`)."""
    ctx = context(request)
    flt = MessageFilter.from_query(request.query)
    return await long_poll(
        request,
        lambda n: _page(matching_messages(ctx, flt), n),
        lambda items: _messages_answer(items, flt, ctx),
        functools.partial(request.app[WAITS].wait, flt),
        "messages",
    )


def _callback_filter(query: Mapping[str, str]) -> Callable[[CallbackJob], bool]:
    provider, account = query.get("provider"), query.get("account")
    state, kind = query.get("state"), query.get("kind")
    message_id, reply_id = query.get("message_id"), query.get("reply_id")
    url = query.get("url")

    def keep(job: CallbackJob) -> bool:
        return (
            (not provider or job.provider == provider)
            and (not account or job.account == account)
            and (not state or job.state == state)
            and (not kind or job.kind == kind)
            and (not url or url in mask_url(job.url))  # never a probe of masked secrets
            and (not message_id or job.message_id == message_id)
            and (not reply_id or str(job.reply_id) == reply_id)
        )

    return keep


def _callbacks_answer(jobs: list[CallbackJob]) -> Document:
    return {"items": [views.callback_view(j) for j in jobs], "count": len(jobs)}


def _matching_callbacks(
    ctx: Context, query: Mapping[str, str]
) -> Callable[[int], list[CallbackJob]]:
    keep = _callback_filter(query)
    return lambda n: _page((j for j in ctx.dispatcher.jobs.values() if keep(j)), n)


@endpoint
async def list_callbacks(request: web.Request) -> web.Response:
    limit = int(_number(request.query, "limit", DEFAULT_LIMIT * 10, 1, MAX_LIMIT))
    return ok(_callbacks_answer(_matching_callbacks(context(request), request.query)(limit)))


@endpoint
async def wait_callbacks(request: web.Request) -> web.Response:
    """Long poll until ``count`` callbacks match (e.g. ``state=delivered``)."""
    ctx = context(request)
    matched = _matching_callbacks(ctx, request.query)
    return await long_poll(
        request, matched, _callbacks_answer, rechecking(ctx, matched, _CALLBACK_EVENTS), "callbacks"
    )


@endpoint
async def redeliver_callback(request: web.Request) -> web.Response:
    ctx = context(request)
    try:
        job = ctx.dispatcher.jobs[int(request.match_info["id"])]
    except (KeyError, ValueError):
        fail(404, f"no callback {request.match_info['id']!r}")
    ctx.dispatcher.redeliver(job)
    return ok(views.callback_view(job), status=202)


def _replies_answer(journal: CallbackDispatcher, replies: list[Reply]) -> Document:
    return {
        "items": [views.reply_view(r, journal.for_reply(r.id)) for r in replies],
        "count": len(replies),
    }


def _matching_replies(ctx: Context, query: Mapping[str, str]) -> Callable[[int], list[Reply]]:
    provider, account = query.get("provider"), query.get("account")
    phone = query.get("phone")

    def matched(n: int) -> list[Reply]:
        return _page(
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
    limit = int(_number(request.query, "limit", DEFAULT_LIMIT * 10, 1, MAX_LIMIT))
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
        rechecking(ctx, matched, _REPLY_EVENTS),
        "replies",
    )
