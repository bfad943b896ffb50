"""The server2sms JSON API (json.server2sms.com): 14 POST methods at ``/<Method>``."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from ..contract import Provider
from . import notifications, routes
from .models import NAME, Server2smsBackend


def install(app: web.Application, ctx: Context) -> PathHandler:
    ctx.backends[NAME] = Server2smsBackend(seed=ctx.settings.seed)
    notifications.watch(ctx.gateway, ctx.dispatcher)
    return routes.add_routes(app, ctx.schemas)


PROVIDER = Provider(
    NAME,
    segments=1,
    install=install,
    message_kinds=("sms", "token", "unlock"),
    callback_kinds=tuple(notifications.CALLBACK_KIND.values()),
)
