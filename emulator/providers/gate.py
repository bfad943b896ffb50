"""What every provider request passes before its gateway reads it, in one place.

* the Host rule (emulator/access.py): a DNS-rebinding page must not read message texts;
* the loop refusal: a request carrying the emulator's own callback header is one of its
  callbacks pointed back at it, and acting on it would loop for ever (answered with 508);
* the faults a test switched on (emulator/faults.py).

Each refusal is answered in the gateway's own format by the ``Refuse`` it gives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.hdrs import HOST
from multidict import istr

from ..access import host_refusal
from ..context import Context
from ..faults import apply
from ..httpio import CALLBACK_HEADER, LOOP_DETAIL, LOOP_STATUS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Refuse = Callable[[web.Request, int, str], web.StreamResponse]
"""The gateway's "access denied" answer, with an HTTP status and the detail."""
LOOP_HEADER = istr(CALLBACK_HEADER)  # looked up on every request: no case folding each time


async def run(
    ctx: Context, provider: str, refuse: Refuse, request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Answer ``request`` with ``handler`` unless the gate refuses it or a fault fires."""
    if request.headers.get(HOST) not in ctx.access.good or request.raw_path[:1] != "/":
        refused = host_refusal(request, ctx.access)  # (the common case is decided above)
        if refused is not None:
            return refuse(request, 403, refused)
    if LOOP_HEADER in request.headers:
        response = refuse(request, LOOP_STATUS, LOOP_DETAIL)
        response.headers[CALLBACK_HEADER] = "refused"
        return response
    if ctx.faults:
        fault = ctx.faults.pick(provider, request.path)
        if fault is not None:
            return await apply(fault, request, handler)
    return await handler(request)


def guard(ctx: Context, provider: str, refuse: Refuse, handler: Handler) -> Handler:
    """``handler`` behind the gate."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        return await run(ctx, provider, refuse, request, handler)

    return guarded
