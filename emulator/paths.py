"""Tolerant paths: whatever path a client builds, it gets its gateway's answer.

Clients build URLs from a base URL and a method name, and get the slashes wrong: the
third-party ``pyaspsms`` calls ``//SendSimpleTextSMS``, others add a trailing ``/``. The real
gateways' web servers forgive that, so the emulator does too: a path that the exact routes do
not take is read as its non-empty segments (``//a//b/`` → ``a``, ``b``) and handed to the
gateway whose paths have that many segments (server2sms: one, SerwerSMS: two). A path with
any other number of segments, or with characters no route takes (``{``, ``}``), gets that
gateway's "unknown method/action" answer in its own format, never a plain-text 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from .rendering import json_response

CONTROL = "_emulator"  # the control API's own routes take its paths; odd spellings end here

PathHandler = Callable[[web.Request, list[str]], Awaitable[web.StreamResponse]]


def segments_of(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def add_fallback(app: web.Application, by_segments: Mapping[int, PathHandler]) -> None:
    """The last route: odd paths go to the gateway with that many segments (the nearest one
    when no gateway has exactly that many); each gateway's handler applies its own faults."""
    counts = sorted(by_segments)

    async def fallback(request: web.Request) -> web.StreamResponse:
        segments = segments_of(request.path)
        if segments[:1] == [CONTROL]:
            return json_response(
                {"error": {"message": f"no control endpoint {request.method} {request.path}"}},
                status=404,
            )
        count = min(counts, key=lambda n: (abs(n - len(segments)), n))
        return await by_segments[count](request, segments)

    app.router.add_route("*", r"/{tail:[\s\S]*}", fallback)
