"""The emulator's own API under ``/_emulator/`` and the web inbox."""

from __future__ import annotations

from aiohttp import web

from ..context import Context
from . import docs, routes, stream
from .waits import WAITS, MessageWaits


def install(app: web.Application, ctx: Context) -> None:
    app[WAITS] = MessageWaits(ctx.hub, lambda: ctx.gateway.store.messages.values())
    app[docs.CACHE] = {}
    routes.add_routes(app)
    app.on_shutdown.append(stream.close_streams)
