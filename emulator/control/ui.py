"""The emulator's pages: the web inbox and the API documents, static files from
``emulator/control/ui/``, no build step.

They go through the same Host check as the control API (a DNS-rebinding page must not read
them), and carry a Content-Security-Policy that allows only their own script, style and API:
no inline script, no framing.
"""

from __future__ import annotations

from aiohttp import web

from ..resources import ui_dir
from .api import endpoint, fail, guarded

MEDIA = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def file_response(name: str) -> web.FileResponse:
    media = MEDIA[name[name.rindex(".") :]]
    return web.FileResponse(
        ui_dir() / name, headers={**SECURITY_HEADERS, "Content-Type": f"{media}; charset=utf-8"}
    )


def add_assets(app: web.Application, prefix: str, files: frozenset[str]) -> None:
    """``prefix`` redirects to ``prefix/`` (the query kept: it may carry the token), and
    ``prefix/static/<name>`` serves the page's own files, by name only: nothing else of the
    folder (or outside it) can be reached, whatever the path spells."""

    @endpoint
    async def redirect(request: web.Request) -> web.Response:
        query = f"?{request.query_string}" if request.query_string else ""
        return web.Response(status=302, headers={"Location": f"{request.path}/{query}"})

    @endpoint
    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in files:
            fail(404, f"no file {name!r} here")
        return file_response(name)

    app.router.add_get(prefix, guarded(redirect, public=True))
    app.router.add_get(prefix + "/static/{name:.*}", guarded(static, public=True))


@endpoint
async def index(request: web.Request) -> web.FileResponse:
    return file_response("index.html")


INBOX_FILES = frozenset({"page.js", "inbox.js", "inbox.css"})
