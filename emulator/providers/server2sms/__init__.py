"""The server2sms JSON API (json.server2sms.com): 14 POST methods at ``/<Method>``."""

from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from ...resources import load_fixture
from ..contract import Provider
from . import models, notifications, routes, service
from .models import NAME, Server2smsBackend


def install(app: web.Application, ctx: Context) -> PathHandler:
    defaults = load_fixture("accounts.json")["defaults"][NAME]
    backend = Server2smsBackend(Decimal(str(defaults["credits"])), seed=ctx.settings.seed)
    ctx.backends[NAME] = backend
    ctx.accounts.on_install(NAME, backend.installed, backend.removed)
    notifications.watch(ctx.gateway, ctx.dispatcher)
    return routes.add_routes(app, ctx, backend)


PROVIDER = Provider(
    NAME,
    segments=1,
    install=install,
    message_kinds=("sms", "token", "unlock"),
    callback_kinds=tuple(notifications.CALLBACK_KIND.values()),
    state=models.Saved,
    account_fields=models.ACCOUNT_FIELDS,
    account_view=models.ACCOUNT_VIEW,
    cost=service.cost,
    quote=service.quote,
)
