"""The control endpoints that list, add and remove faults (see emulator/faults.py)."""

from __future__ import annotations

from aiohttp import web

from ..context import Context
from ..core.jsondata import JsonObject
from ..faults import Fault
from .api import body as read_body
from .api import context, delete_numbered, endpoint, fail, ok


@endpoint
async def list_faults(request: web.Request) -> web.Response:
    faults = list(context(request).faults)
    return ok({"items": [f.view() for f in faults], "count": len(faults)})


@endpoint
async def create_fault(request: web.Request) -> web.Response:
    fault = add_fault(context(request), await read_body(request, "fault.create"))
    return ok(fault.view(), status=201)


def add_fault(ctx: Context, data: JsonObject) -> Fault:
    """A fault from a ``fault.create`` body (the control API's, or a scenario's)."""
    try:
        return ctx.faults.add(**{k: v for k, v in data.items() if v is not None})
    except (ValueError, TypeError) as exc:
        fail(400, str(exc))


@endpoint
async def delete_fault(request: web.Request) -> web.Response:
    return delete_numbered(request, context(request).faults.remove, "fault")


@endpoint
async def delete_faults(request: web.Request) -> web.Response:
    return ok({"deleted": context(request).faults.clear()})
