"""The web inbox: three static files from ``emulator/control/ui/``, no build step.

Its pages go through the same Host check as the control API (a DNS-rebinding page must not
read it), and carry a Content-Security-Policy that allows only its own script, style and API:
no inline script, no framing.
"""

from __future__ import annotations

from aiohttp import web

from ..resources import ui_dir
from .api import endpoint, fail

FILES = {"inbox.js": "text/javascript", "inbox.css": "text/css"}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "connect-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@endpoint(public=True)
async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(ui_dir() / "index.html", headers={
        **SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8"})


@endpoint(public=True)
async def _static(request: web.Request) -> web.StreamResponse:
    """Only the inbox's own files, by name: nothing else of the folder (or outside it) can
    be reached, whatever the path spells."""
    name = request.match_info["name"]
    if name not in FILES:
        fail(404, f"no file {name!r} in the web inbox")
    return web.FileResponse(ui_dir() / name, headers={
        **SECURITY_HEADERS, "Content-Type": f"{FILES[name]}; charset=utf-8"})


@endpoint(public=True)
async def _redirect(request: web.Request) -> web.Response:
    query = f"?{request.query_string}" if request.query_string else ""
    return web.Response(status=302, headers={"Location": f"{request.path}/{query}"})


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(prefix, _redirect)
    app.router.add_get(prefix + "/", _index)
    app.router.add_get(prefix + "/static/{name:.*}", _static)
