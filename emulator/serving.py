"""Putting an app on a socket: the CLI and EmulatorServer both start the emulator this way."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from aiohttp import web

from .config import Settings
from .logs import ACCESS, AccessLogger

SHUTDOWN_TIMEOUT = 5.0


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
            raise StartupError(f"cannot prepare TLS certificates in {where}: "
                               f"{exc.strerror or exc}") from None
    runner = web.AppRunner(
        app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT,
        access_log=ACCESS if settings.access_log else None, access_log_class=AccessLogger)
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
