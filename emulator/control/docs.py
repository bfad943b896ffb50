"""``/_emulator/openapi/``: the OpenAPI documents, generated on first request (with this
emulator's address as their first server); ``/_emulator/docs/``: a page that renders them,
served from the package (no CDN: CI machines may have no internet)."""

from __future__ import annotations

from aiohttp import web

from ..core.jsondata import JsonObject
from .api import context, endpoint, fail, ok
from .ui import file_response

FILES = frozenset({"page.js", "docs.js", "docs.css"})
Documents = dict[tuple[str, str], JsonObject]  # (name, base URL) → the document
CACHE = web.AppKey("openapi_documents", Documents)


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


@endpoint
async def openapi_index(request: web.Request) -> web.Response:
    from ..openapi import NAMES

    base = _base(request)
    return ok({"documents": [{"name": name, "url": f"{base}/_emulator/openapi/{name}.json"}
                             for name in NAMES]})


@endpoint
async def openapi_document(request: web.Request) -> web.Response:
    from ..openapi import NAMES, document

    name = request.match_info["name"]
    if name not in NAMES:
        fail(404, f"no OpenAPI document {name!r}; documents: {', '.join(NAMES)}")
    base = _base(request)
    cache = request.app[CACHE]
    if (name, base) not in cache:
        cache[(name, base)] = document(name, context(request).schemas, base)
    return ok(cache[(name, base)])


@endpoint(public=True)
async def page(request: web.Request) -> web.FileResponse:
    return file_response("docs.html")
