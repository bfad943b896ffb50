"""Putting an app on a socket: the CLI and EmulatorServer both start the emulator this way."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from aiohttp import web

from .config import Settings
from .logs import ACCESS, HTTP, AccessLogger

SHUTDOWN_TIMEOUT = 5.0
MAX_LINE = 256 * 1024
"""Bytes in a request line: SerwerSMS takes GET, and a GET send to 500 numbers is longer than
aiohttp's 8 KB (this takes one to about 20,000)."""
MAX_FIELD = 64 * 1024  # bytes in one header (a long Bearer token, a developer's cookies)


class StartupError(Exception):
    """The emulator cannot start; the message names what failed and why."""


@dataclass
class Listening:
    runner: web.AppRunner
    host: str
    port: int
    tls_ca: Path | None

    @property
    def url(self) -> str:
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls_ca else 'http'}://{host}:{self.port}"


async def listen(app: web.Application, settings: Settings) -> Listening:
    """Start serving ``app`` as ``settings`` say (host, port 0 = any free one, TLS, access log)."""
    ssl_context = None
    tls_ca = None
    if settings.tls:
        from .tls import UnsafeFolder, make_server_context

        try:
            ssl_context, tls_ca = make_server_context(settings.tls_dir, settings.host)
        except UnsafeFolder as exc:
            raise StartupError(f"TLS: {exc}") from None
        except OSError as exc:
            where = exc.filename or settings.tls_dir or "the TLS folder"
            raise StartupError(
                f"cannot prepare TLS certificates in {where}: {exc.strerror or exc}"
            ) from None
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        access_log=ACCESS if settings.access_log else None,
        access_log_class=AccessLogger,
        logger=HTTP,
        max_line_size=MAX_LINE,
        max_field_size=MAX_FIELD,
        handler_cancellation=True,
    )  # a long poll whose client went away ends at once
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, ssl_context=ssl_context)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    server = site._server
    assert server is not None
    port: int = cast(asyncio.Server, server).sockets[0].getsockname()[1]
    return Listening(runner, settings.host, port, tls_ca)
