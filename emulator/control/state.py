"""The emulator as a whole: health, reset, and its whole state as one document
(emulator/state.py)."""

from __future__ import annotations

from aiohttp import web

from .. import __version__
from .. import state as saved_state
from ..core.plain import PlainError
from ..providers import BY_NAME
from . import views
from .api import body as read_body
from .api import context, endpoint, fail, ok
from .waits import WAITS


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
            "data_file": None
            if ctx.data is None
            else {"path": str(ctx.data.path), "bytes": ctx.data.size(), "error": ctx.data.error},
        },
        status=200 if ready else 503,
    )


@endpoint
async def reset(request: web.Request) -> web.Response:
    data = await read_body(request, "reset")
    provider, account = data.get("provider"), data.get("account")
    if account is not None and provider is None:
        fail(400, "resetting one account needs its provider too", "provider")
    return ok({"cleared": context(request).reset(provider, account)})


@endpoint
async def get_state(request: web.Request) -> web.Response:
    return ok(saved_state.export(context(request)))


@endpoint
async def put_state(request: web.Request) -> web.Response:
    """Replace the whole state; a document with a problem is refused, naming where, and
    changes nothing."""
    ctx = context(request)
    document = await read_body(request, "state")
    try:
        saved_state.install(ctx, document)
    except PlainError as exc:
        fail(400, exc.message, exc.path or None)
    return ok(saved_state.export(ctx))
