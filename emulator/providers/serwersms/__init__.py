"""The SerwerSMS.pl HTTPS API v2 (api2.serwersms.pl) at ``/<group>/<action>[.json|.xml]``."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from ...resources import load_fixture
from ..contract import Provider
from . import models, notifications, routes, service
from .models import NAME, SerwersmsBackend


def install(app: web.Application, ctx: Context) -> PathHandler:
    backend = SerwersmsBackend(
        load_fixture("serwersms_demo.json"),
        load_fixture("serwersms.json"),
        load_fixture("accounts.json")["defaults"][NAME]["limits"],
        lambda username: ctx.gateway.reconsider(NAME, username),
        seed=ctx.settings.seed,
    )
    ctx.backends[NAME] = backend
    ctx.accounts.on_install(NAME, backend.installed, backend.removed)
    notifications.watch(ctx.gateway, ctx.hub, ctx.dispatcher, backend)
    return routes.add_routes(app, ctx, backend)


PROVIDER = Provider(
    NAME,
    segments=2,
    install=install,
    message_kinds=("sms", "personalized", "voice", "mms", "premium"),
    callback_kinds=("dlr", "reply", "hlr"),
    state=models.Saved,
    account_fields=models.ACCOUNT_FIELDS,
    account_view=models.ACCOUNT_VIEW,
    cost=service.cost,
    quote=service.quote,
    inject_reply=service.inject_reply,
)
