"""The SerwerSMS.pl HTTPS API v2 (api2.serwersms.pl) at ``/<group>/<action>[.json|.xml]``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...context import Context
from ...core import phones
from ...core.messages import Reply
from ...paths import PathHandler
from ...resources import load_fixture
from . import notifications, routes
from .models import SerwersmsBackend

NAME = "serwersms"
SEGMENTS = 2  # /<group>/<action>


def install(app: web.Application, ctx: Context) -> PathHandler:
    ctx.backends[NAME] = SerwersmsBackend(load_fixture("serwersms_demo.json"),
                                          load_fixture("serwersms.json"), seed=ctx.settings.seed)
    notifications.watch(ctx.hub, ctx.dispatcher, ctx.accounts)
    return routes.add_routes(app, ctx.faults)


def inject_reply(ctx: Context, data: dict[str, Any]) -> Reply:
    """An incoming message, as the control API simulates it. An ECO reply without
    ``message_id`` answers the account's latest ECO message to that phone."""
    phone = phones.polish(data["phone"]) or data["phone"]
    type_ = data.get("type") or "eco"
    message_id = data.get("message_id")
    if type_ in ("eco", "2way") and not message_id:
        sent = [m for m in ctx.gateway.store.for_account(NAME, data["account"])
                if m.recipient == phone]
        message_id = sent[-1].id if sent else None
    to_number = data.get("to_number")
    return ctx.gateway.add_reply(NAME, data["account"], type_, phone, data["text"],
                                 to_number=phones.polish(to_number) or to_number
                                 if to_number else None, message_id=message_id)
