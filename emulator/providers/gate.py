"""What every provider request passes before its gateway reads it, in one place.

* the Host rule (emulator/access.py): a DNS-rebinding page must not read message texts;
* the loop refusal: a request carrying the emulator's own callback header is one of its
  callbacks pointed back at it, and acting on it would loop for ever (answered with 508);
* the faults a test switched on (emulator/faults.py).

Each refusal is answered in the gateway's own format by the ``Refuse`` it gives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter

from aiohttp import web
from aiohttp.hdrs import HOST
from multidict import istr

from ..access import host_refusal
from ..context import Context
from ..faults import apply
from ..httpio import CALLBACK_HEADER, LOOP_DETAIL, LOOP_STATUS
from ..metrics import OPERATION, UNKNOWN
from .pipeline import ERROR_HEADER

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Refuse = Callable[[web.Request, int, str], web.StreamResponse]
"""The gateway's "access denied" answer, with an HTTP status and the detail."""
LOOP_HEADER = istr(CALLBACK_HEADER)  # looked up on every request: no case folding each time
ERROR_FLAG = istr(ERROR_HEADER)  # (the same)
OK, ERROR, REFUSED, FAULT = "ok", "error", "refused", "fault"  # a request's result, a label


class Gate:
    """One gateway's gate: built once with its routes."""

    def __init__(self, ctx: Context, provider: str, refuse: Refuse) -> None:
        self.ctx = ctx
        self.provider = provider
        self.refuse = refuse
        self.tally = ctx.metrics.tally(provider)

    async def run(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer ``request`` with ``handler`` unless the gate refuses it or a fault fires;
        the answer is counted (emulator/metrics.py)."""
        started = perf_counter()
        ctx = self.ctx
        result = REFUSED
        if request.headers.get(HOST) not in ctx.access.good or request.raw_path[:1] != "/":
            refused = host_refusal(request, ctx.access)  # (the common case is decided above)
            if refused is not None:
                self.tally.count(UNKNOWN, result, perf_counter() - started)
                return self.refuse(request, 403, refused)
        if LOOP_HEADER in request.headers:
            response = self.refuse(request, LOOP_STATUS, LOOP_DETAIL)
            response.headers[CALLBACK_HEADER] = "refused"
        elif ctx.faults and (fault := ctx.faults.pick(self.provider, request.path)) is not None:
            result = FAULT
            response = await apply(fault, request, handler)
        else:
            response = await handler(request)
            result = ERROR if ERROR_FLAG in response.headers else OK
        if ctx.data is not None and result is not REFUSED:  # on disk before it is answered
            failed = await ctx.data.written()
            if failed is not None:
                response, result = self.refuse(request, 503, failed), ERROR
        self.tally.count(request.get(OPERATION, UNKNOWN), result, perf_counter() - started)
        return response

    def guard(self, handler: Handler) -> Handler:
        """``handler`` behind the gate."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            return await self.run(request, handler)

        return guarded
