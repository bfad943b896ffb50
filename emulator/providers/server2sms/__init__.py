"""The server2sms JSON API (json.server2sms.com): 14 POST methods at ``/<Method>``."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from . import notifications, routes
from .models import Server2smsBackend

NAME = "server2sms"


def install(app: web.Application, ctx: Context) -> None:
    ctx.backends[NAME] = Server2smsBackend(seed=ctx.settings.seed)
    routes.add_routes(app, ctx.faults, ctx.schemas)
    notifications.watch(ctx.hub, ctx.dispatcher)
