"""``/_emulator/clock``: the emulator's clock, manual or real, and moving it forward."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ..core import events as ev
from . import views
from .api import body as read_body
from .api import context, endpoint, ok


@endpoint
async def get_clock(request: web.Request) -> web.Response:
    return ok(views.clock_view(context(request).clock))


@endpoint
async def set_clock(request: web.Request) -> web.Response:
    data = await read_body(request, "clock.set")
    ctx = context(request)
    ctx.clock.set_mode(data["mode"])
    ctx.hub.publish(ev.CLOCK_CHANGED, ctx.now(), None, **views.clock_view(ctx.clock))
    return ok(views.clock_view(ctx.clock))


@endpoint
async def advance_clock(request: web.Request) -> web.Response:
    """Move time forward; everything due within the span happens before the answer: status
    changes, and every callback try (first tries and retries, on the emulator's clock)."""
    data = await read_body(request, "clock.advance")
    ctx = context(request)
    first_new_job = ctx.dispatcher.next_id
    changes = ctx.gateway.changes
    # Shielded: a client that goes away does not leave time half-moved.
    tries = await asyncio.shield(
        ctx.ticker.advance(float(data["seconds"]), ctx.settings.callback_timeout + 1)
    )
    applied = ctx.gateway.changes - changes
    ctx.hub.publish(ev.CLOCK_CHANGED, ctx.now(), None, **views.clock_view(ctx.clock))
    fired = [job for job_id, job in ctx.dispatcher.jobs.items() if job_id >= first_new_job]
    return ok(
        {
            **views.clock_view(ctx.clock),
            "applied": applied,
            "callbacks": len(fired),
            "callbacks_attempted": all(job.attempts for job in fired),
            "callback_attempts": tries,
        }
    )
