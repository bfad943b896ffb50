"""The control endpoints that list, add and remove faults (see emulator/faults.py)."""

from __future__ import annotations

from aiohttp import web

from .api import body as read_body
from .api import context, endpoint, fail, ok


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
