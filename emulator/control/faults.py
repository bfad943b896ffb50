"""Fault endpoints and the middleware that applies faults to provider requests.

* ``latency``: wait ``latency_ms``, then answer normally;
* ``status``: answer HTTP ``status`` (500, 503, ...) with a plain-text body; nothing is processed;
* ``drop``: close the connection without an answer; nothing is processed;
* ``truncate``: process the request, then send only half the body and close the connection.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus

from aiohttp import web

from ..context import Context
from ..faults import Fault
from .api import body as read_body
from .api import context, endpoint, fail, ok

log = logging.getLogger("emulator.faults")


def middleware(ctx: Context) -> web.middleware:  # type: ignore[valid-type]
    faults = ctx.faults

    @web.middleware
    async def apply_faults(request: web.Request, handler: web.RequestHandler
                           ) -> web.StreamResponse:
        if not faults:
            return await handler(request)
        fault = faults.pick(request.path)
        if fault is None:
            return await handler(request)
        log.info("fault #%d (%s) on %s %s", fault.id, fault.kind, request.method, request.path)
        return await _apply(fault, request, handler)

    return apply_faults


async def _apply(fault: Fault, request: web.Request, handler: web.RequestHandler
                 ) -> web.StreamResponse:
    if fault.kind == "latency":
        await asyncio.sleep(fault.latency_ms / 1000)
        return await handler(request)
    if fault.kind == "status":
        phrase = HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ \
            else "Error"
        return web.Response(status=fault.status, text=f"{fault.status} {phrase}\n")
    if fault.kind == "drop":
        await request.read()
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else b""
    if not isinstance(body, bytes):
        body = b""
    truncated = web.StreamResponse(status=response.status, headers=response.headers)
    truncated.content_length = len(body)
    await truncated.prepare(request)
    await truncated.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return truncated


@endpoint
async def list_faults(request: web.Request) -> web.Response:
    faults = list(context(request).faults)
    return ok({"items": [f.view() for f in faults], "count": len(faults)})


@endpoint
async def create_fault(request: web.Request) -> web.Response:
    data = await read_body(request, "fault.create")
    fields = {k: v for k, v in data.items() if v is not None}
    try:
        fault = context(request).faults.add(**fields)
    except (ValueError, TypeError) as exc:
        fail(400, str(exc))
    return ok(fault.view(), status=201)


@endpoint
async def delete_fault(request: web.Request) -> web.Response:
    try:
        fault_id = int(request.match_info["id"])
    except ValueError:
        fault_id = -1
    if not context(request).faults.remove(fault_id):
        fail(404, f"no fault {request.match_info['id']!r}")
    return ok({"deleted": True})


@endpoint
async def delete_faults(request: web.Request) -> web.Response:
    return ok({"deleted": context(request).faults.clear()})
