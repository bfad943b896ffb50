"""``CallbackReceiver``: a real local HTTP server that records what the emulator calls.

    with CallbackReceiver() as receiver:
        url = receiver.url + "/dlr?trn=<TRN>"
        ...
        hits = receiver.wait_for(1)           # blocks on an event, no sleeping
        assert hits[0].query["trn"] == "76532"

It answers ``200 OK`` by default; ``answer_with(503, times=2)`` scripts failures, and
``go_down()`` / ``come_up()`` stop listening (connection refused) and start again on the same
port, to test retries.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from aiohttp import web


@dataclass(frozen=True)
class ReceivedCall:
    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes
    time: float
    answered: int
    query_lists: dict[str, list[str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.path + (f"?{self.raw_query}" if self.raw_query else "")


class CallbackReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        # Why nothing may have come, asked when a wait times out (given when it started): the
        # pytest plugin says so when the test's emulator has a manual clock nobody advanced.
        self.timeout_hint: Callable[[float], str | None] | None = None
        self.calls: list[ReceivedCall] = []
        self._answers: deque[tuple[int, str, float]] = deque()
        self._default = (200, "OK", 0.0)
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- life ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> CallbackReceiver:
        self._thread = threading.Thread(target=self._run, name="callback-receiver", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._error is not None:
            raise RuntimeError(f"the callback receiver did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._setup())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

    async def _setup(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = cast(asyncio.Server, server).sockets[0].getsockname()[1]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._changed:
            status, text, delay = self._answers.popleft() if self._answers else self._default
        if delay:
            await asyncio.sleep(delay)
        parts = urlsplit(str(request.rel_url))
        lists = parse_qs(parts.query, keep_blank_values=True)
        call = ReceivedCall(
            method=request.method,
            path=request.path,
            query={k: v[-1] for k, v in lists.items()},
            raw_query=parts.query,
            headers=dict(request.headers),
            body=body,
            time=time.time(),
            answered=status,
            query_lists=lists,
        )
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.Response(status=status, text=text)

    def _in_loop(self, coroutine_factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
        # Any, Any: what the coroutine is sent and yields is asyncio's business
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coroutine_factory(), self._loop).result(10)

    # -- scripting -------------------------------------------------------------------------

    def answer_with(
        self, status: int, text: str = "", *, times: int = 1, delay: float = 0.0
    ) -> None:
        """The next ``times`` calls get this answer (after ``delay`` seconds)."""
        with self._changed:
            self._answers.extend([(status, text or f"{status}", delay)] * times)

    def go_down(self) -> None:
        """Stop listening: callbacks meet a refused connection until ``come_up()``."""

        async def close() -> None:
            assert self._site is not None
            await self._site.stop()

        self._in_loop(close)

    def come_up(self) -> None:
        self._in_loop(self._listen)

    def clear(self) -> None:
        with self._changed:
            self.calls.clear()
            self._answers.clear()

    # -- waiting ---------------------------------------------------------------------------

    def wait_for(
        self,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[ReceivedCall], bool] | None = None,
    ) -> list[ReceivedCall]:
        """Block until ``count`` matching calls arrived; raise AssertionError on timeout,
        listing what did arrive."""

        def matching() -> list[ReceivedCall]:
            return [c for c in self.calls if where is None or where(c)]

        started = time.time()
        with self._changed:
            if self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            got = "\n  ".join(f"{c.method} {c.url} -> {c.answered}" for c in self.calls)
            found = len(matching())
        hint = self.timeout_hint(started) if self.timeout_hint is not None else None
        raise AssertionError(
            f"expected {count} callback(s) within {timeout:g} s, got {found}"
            f"{f' ({hint})' if hint else ''}; all calls received:\n  {got or '(none)'}"
        )
