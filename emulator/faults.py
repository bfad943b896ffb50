"""Faults injected into provider endpoints, off until asked for.

A fault matches a provider and, optionally, a path substring; it fires on every match or, with
``rate``, on a seeded random share of them, so the same sequence of requests fails the same way
every run. ``times`` limits how often it fires. Kinds:

* ``latency``: wait ``latency_ms``, then answer normally;
* ``status``: answer HTTP ``status`` (500, 503, ...) with a plain-text body; nothing is processed;
* ``drop``: close the connection without an answer; nothing is processed;
* ``truncate``: process the request, then send only half the body and close the connection.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

from aiohttp import web

from .core.jsondata import Document
from .core.numbered import Numbered
from .core.plain import one_of

log = logging.getLogger("emulator.faults")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

KINDS = ("latency", "status", "drop", "truncate")


@dataclass(slots=True)
class Fault:
    id: int
    kind: str = field(metadata=one_of(KINDS))
    provider: str | None = None
    path: str | None = None
    status: int = 500
    latency_ms: float = 0.0
    rate: float = 1.0
    seed: int = 0
    times: int | None = None
    used: int = 0
    draws: int = 0  # numbers drawn from its seeded generator: where it stands
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self._rng = random.Random(self.seed)
        for _ in range(self.draws):
            self._rng.random()

    def fires(self, provider: str, path: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.provider is not None and self.provider != provider:
            return False
        if self.path is not None and self.path.lower() not in path.lower():
            return False
        if self.rate < 1.0:
            self.draws += 1
            if self._rng.random() >= self.rate:
                return False
        self.used += 1
        return True

    def view(self) -> Document:
        return {
            "id": self.id,
            "kind": self.kind,
            "provider": self.provider,
            "path": self.path,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "rate": self.rate,
            "seed": self.seed,
            "times": self.times,
            "used": self.used,
        }


class FaultBook(Numbered[Fault]):
    def __init__(self) -> None:
        super().__init__(Fault)

    def pick(self, provider: str, path: str) -> Fault | None:
        for fault in self.entries():
            if fault.fires(provider, path):
                return fault
        return None


async def apply(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ``request`` as ``fault`` says (emulator/providers/gate.py decides when)."""
    log.info("fault #%d (%s) on %s %s", fault.id, fault.kind, request.method, request.path)
    if fault.kind == "latency":
        await asyncio.sleep(fault.latency_ms / 1000)
        return await handler(request)
    if fault.kind == "status":
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        return web.Response(status=fault.status, text=f"{fault.status} {phrase}\n")
    if fault.kind == "drop":
        await request.read()
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else b""
    if not isinstance(body, bytes):
        body = b""
    truncated = web.StreamResponse(status=response.status, headers=response.headers)
    truncated.content_length = len(body)
    await truncated.prepare(request)
    await truncated.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return truncated
