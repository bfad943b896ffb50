"""The baseline: a bare aiohttp handler that reads the body and answers a fixed JSON document.

python -m bench.bare PORT
"""

from __future__ import annotations

import sys

from aiohttp import web

S2S_ANSWER = b'{"StatusCode":"1","StatusInfo":"OK"}'
SERWERSMS_ANSWER = (
    b'{"success":true,"queued":1,"unsent":0,"items":[{"id":"c2451e1302",'
    b'"phone":"+48500600700","status":"queued","queued":"2014-10-16 16:49:05",'
    b'"parts":1,"text":"This is a test message from SerwerSMS.pl"}]}'
)


async def server2sms(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=S2S_ANSWER, content_type="application/json")


async def serwersms(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=SERWERSMS_ANSWER, content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ready": True})


CALLBACKS = web.AppKey("callbacks", list)


async def callback(request: web.Request) -> web.Response:
    """Callback receiver for the callback benchmark: any GET under /cb/ answers OK."""
    request.app[CALLBACKS].append(request.path_qs)
    return web.Response(text="OK")


async def callback_count(request: web.Request) -> web.Response:
    calls = request.app[CALLBACKS]
    return web.json_response({"received": len(calls), "distinct": len(set(calls))})


def make_app() -> web.Application:
    app = web.Application()
    app[CALLBACKS] = []
    app.router.add_get("/_emulator/health", health)
    app.router.add_get("/cb/{tail:.*}", callback)
    app.router.add_get("/cb-count", callback_count)
    app.router.add_post("/{method}", server2sms)
    app.router.add_post("/{group}/{action}", serwersms)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
