"""``EmulatorServer``: the emulator in a background thread, for tests, scripts and other
frameworks. It knows nothing of pytest.

    with EmulatorServer() as emulator:
        requests.post(emulator.url + "/CheckCredits", json={...})

The server binds port 0 by default inside its own event loop and publishes the port it got;
``start()`` returns once the server answers (or raises what went wrong in its thread).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from ..config import Settings
from ..context import CONTEXT, Context
from ..launch import launched
from ..serving import Listening

T = TypeVar("T")


class EmulatorError(RuntimeError):
    """The emulator's thread failed; the original exception is the cause."""


class EmulatorServer:
    def __init__(
        self, settings: Settings | None = None, *, startup_timeout: float = 15.0, **overrides: Any
    ) -> None:  # Any: each Settings field's own type
        base = settings or Settings(port=0)
        self.settings = base.replace(**overrides) if overrides else base
        self.startup_timeout = startup_timeout
        self.host = self.settings.host
        self.port: int | None = None
        self.tls_ca: Path | None = None
        self.app: web.Application | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._listening: Listening | None = None

    # -- public ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self._listening is None or self.port is None:
            raise RuntimeError("the emulator is not running")
        return self._listening.url

    @property
    def context(self) -> Context:
        if self.app is None:
            raise RuntimeError("the emulator is not running")
        return self.app[CONTEXT]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.port is not None

    def start(self) -> EmulatorServer:
        if self._thread is not None:
            raise RuntimeError("the emulator is already started")
        self._thread = threading.Thread(target=self._run, name="sms-emulator", daemon=True)
        self._thread.start()
        if not self._started.wait(self.startup_timeout):
            raise EmulatorError(f"the emulator did not start within {self.startup_timeout} s")
        self.check()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None
        self.port = None
        self.check()

    def check(self) -> None:
        """Re-raise, in the caller's thread, an error the server's thread ran into."""
        if self._error is not None:
            error, self._error = self._error, None
            raise EmulatorError(f"the emulator failed: {error!r}") from error

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        # Any, Any: what a coroutine is sent and yields is asyncio's business
        """Run a coroutine on the server's loop and return its result."""
        if self._loop is None:
            raise RuntimeError("the emulator is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # handed to the caller by check()
            self._error = exc
        finally:
            self._started.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        ready = launched(self.settings, own_process=False, ready_timeout=self.startup_timeout)
        async with ready as (listening, _):
            self.app = listening.runner.app
            self._listening = listening
            self.port = listening.port
            self.tls_ca = listening.tls_ca
            self._started.set()
            await self._stop.wait()
