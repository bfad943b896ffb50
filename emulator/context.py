"""The shared objects of one running emulator, kept on the aiohttp app under one typed key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .callbacks import CallbackDispatcher, CallbackJob
from .clock import Clock
from .config import Settings
from .core.accounts import AccountRegistry
from .core.events import EventHub
from .core.gateway import Gateway
from .faults import FaultBook
from .ticker import Ticker
from .validation import SchemaRegistry


@dataclass(eq=False)
class Context:
    settings: Settings
    clock: Clock
    hub: EventHub
    gateway: Gateway
    accounts: AccountRegistry
    dispatcher: CallbackDispatcher
    schemas: SchemaRegistry
    backends: dict[str, Any] = field(default_factory=dict)
    faults: FaultBook = field(default_factory=FaultBook)
    ticker: Ticker | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    pending_at_shutdown: list[CallbackJob] = field(default_factory=list)
    streams: set[asyncio.Queue[Any]] = field(default_factory=set)  # live event streams

    def now(self) -> float:
        return self.clock.now()


CONTEXT = web.AppKey("context", Context)
