"""The web inbox: static files served from ``emulator/control/ui/``, no build step."""

from __future__ import annotations

from aiohttp import web

from ..resources import ui_dir


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(ui_dir() / "index.html")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.path + "/")


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(prefix, _redirect)
    app.router.add_get(prefix + "/", _index)
    app.router.add_static(prefix + "/static", ui_dir(), follow_symlinks=False,
                          show_index=False)
