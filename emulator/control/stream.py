"""``GET /_emulator/events``: every event as Server-Sent Events, in order.

Each event carries ``id: <seq>`` (strictly increasing), ``event: <type>`` and a JSON ``data``
line. ``?types=message.created,callback.attempt`` narrows the stream.

Each event is rendered when it happens, so a reader's queue holds bytes, not the messages
themselves: a reader that does not read can never keep pruned messages alive. A reader that
falls more than ``QUEUE_BYTES`` behind is disconnected at once and its backlog dropped (it
could not read a last event anyway), rather than silently skipped or held for as long as it
stays connected. At most ``MAX_STREAMS`` streams are open at once; past that, 503.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from ..callbacks import CallbackDispatcher, CallbackJob
from ..context import CONTEXT
from ..core import events as ev
from ..core.events import Event
from ..core.jsondata import Document
from ..httpio import masked
from . import views
from .api import context, endpoint, fail, text_json

QUEUE_BYTES = 16 * 1024 * 1024
MAX_STREAMS = 100
HEARTBEAT = 15.0
CHUNK = 500  # frames written at once


def event_data(event: Event, journal: CallbackDispatcher) -> Document:
    subject = event.subject
    data: Document = {"seq": event.seq, "type": event.type, "time": views.iso(event.time)}
    if event.type == ev.MESSAGE_CREATED:
        data["message"] = views.message_summary(subject, journal.for_message(subject.id))
    elif event.type == ev.MESSAGE_STATUS:
        data["message"] = views.message_summary(subject, journal.for_message(subject.id))
        data["status"] = event.data["status"]
        data["reason"] = event.data["reason"]
    elif event.type == ev.CALLBACK_ATTEMPT:
        job: CallbackJob = subject
        data["callback"] = views.callback_view(job)
        data["attempt"] = views.attempt_view(event.data["attempt"])
        if job.message_id is not None:  # what the message's bubble shows now
            data["message_callback_state"] = views.callback_state(
                journal.for_message(job.message_id)
            )
    elif event.type == ev.REPLY_RECEIVED:
        data["reply"] = views.reply_view(subject, journal.for_reply(subject.id))
    else:
        data.update({k: masked(v) for k, v in event.data.items()})  # lookup.done's url
    return data


async def close_streams(app: web.Application) -> None:
    """On shutdown, end every open event stream so the server can stop at once."""
    for queue in app[CONTEXT].streams:
        queue.put_nowait(None)


def frame(event: Event, journal: CallbackDispatcher) -> bytes:
    data = text_json(event_data(event, journal))
    return f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n".encode()


@endpoint
async def events(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    if len(ctx.streams) >= MAX_STREAMS:
        fail(
            503,
            f"{len(ctx.streams)} event streams are open, the most the emulator keeps; "
            "close one first",
        )
    wanted = {t for t in request.query.get("types", "").split(",") if t}
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    queued = 0  # bytes waiting in the queue

    def on_event(event: Event) -> None:
        nonlocal queued
        data = frame(event, ctx.dispatcher)
        if queued + len(data) > QUEUE_BYTES:  # a reader that stopped reading: let it go now
            unsubscribe()
            while not queue.empty():
                queue.get_nowait()
            queued = 0
            queue.put_nowait(None)
            if request.transport is not None:
                request.transport.abort()
            return
        queued += len(data)
        queue.put_nowait(data)

    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",  # as the format always is
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    unsubscribe = ctx.hub.subscribe(on_event, wanted or None)
    ctx.streams.add(queue)
    try:
        await response.prepare(request)
        await response.write(
            f": sms-gateway-emulator events from seq {ctx.hub.last_seq}\n\n".encode()
        )
        while True:
            try:
                data = await asyncio.wait_for(queue.get(), HEARTBEAT)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if data is None:
                break
            chunk = [data]
            while not queue.empty() and len(chunk) < CHUNK:
                more = queue.get_nowait()
                if more is None:
                    queue.put_nowait(None)
                    break
                chunk.append(more)
            queued -= sum(len(c) for c in chunk)
            await response.write(b"".join(chunk))
    except ConnectionResetError:
        pass  # the reader went away, or was let go
    finally:
        unsubscribe()
        ctx.streams.discard(queue)
        with contextlib.suppress(Exception):
            await response.write_eof()
    return response
