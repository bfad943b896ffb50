"""``/_emulator/analyse``: what a text would cost on a gateway, and why, without sending it."""

from __future__ import annotations

from aiohttp import web

from ..providers import BY_NAME, PROVIDERS
from . import views
from .api import body as read_body
from .api import endpoint, ok

DEFAULT_PROVIDER = PROVIDERS[0].name


@endpoint
async def analyse(request: web.Request) -> web.Response:
    data = await read_body(request, "analyse")
    provider = BY_NAME[data.get("provider") or DEFAULT_PROVIDER]
    return ok(views.cost_view(provider.quote(data["text"], data)))
