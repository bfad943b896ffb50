"""The SerwerSMS.pl HTTPS API v2 (api2.serwersms.pl) at ``/<group>/<action>[.json|.xml]``."""

from __future__ import annotations

from aiohttp import web

from ...context import Context
from ...paths import PathHandler
from ...resources import load_fixture
from ..contract import Provider
from . import notifications, routes, service
from .models import NAME, SerwersmsBackend


def install(app: web.Application, ctx: Context) -> PathHandler:
    ctx.backends[NAME] = SerwersmsBackend(
        load_fixture("serwersms_demo.json"), load_fixture("serwersms.json"), seed=ctx.settings.seed
    )
    notifications.watch(ctx.gateway, ctx.hub, ctx.dispatcher, ctx.accounts)
    return routes.add_routes(app)


PROVIDER = Provider(
    NAME,
    segments=2,
    install=install,
    message_kinds=("sms", "personalized", "voice", "mms", "premium"),
    callback_kinds=("dlr", "reply", "hlr"),
    inject_reply=service.inject_reply,
)
