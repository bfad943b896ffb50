"""The shared objects of one running emulator, kept on the aiohttp app under one typed key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from .access import Access
from .callbacks import CallbackDispatcher, CallbackJob
from .clock import Clock
from .config import Settings
from .core import events as ev
from .core.accounts import Account, AccountRegistry
from .core.events import EventHub
from .core.gateway import Gateway
from .core.jsondata import Document
from .core.plain import JSON
from .core.timeline import Timeline
from .faults import FaultBook
from .memory import GcCare
from .metrics import Metrics
from .ticker import Ticker
from .validation import SchemaRegistry

if TYPE_CHECKING:
    from .datafile import DataFile


class Backend(Protocol):
    """A provider's state beyond messages: each account's own (credits, limits, callback URLs,
    ...) and the rest (tokens, vouchers, contacts, ...)."""

    account_fields: frozenset[str]  # what its accounts are defined with besides identity

    def configure(self, account: Account, settings: Mapping[str, Any]) -> None:  # Any: JSON
        """Apply the fields of a definition (config file, control API) to the account."""
        ...

    def account_view(self, account: Account) -> Document:
        """The account's own fields, as the control API shows them (secrets masked)."""
        ...

    def reset(self, account: str | None = None) -> dict[str, int]:
        """Forget the state of one account (or all); how many of each thing went."""
        ...

    def saved(self) -> object:
        """Its state, for GET /_emulator/state (a dataclass core/plain.py can dump)."""
        ...

    def decode(self, data: JSON, path: str) -> Callable[[], None]:
        """Read a saved state (raising PlainError at ``path`` when it is wrong); the answer
        installs it. Nothing changes before it is called."""
        ...


@dataclass(eq=False)
class Context:
    settings: Settings
    access: Access  # who may reach it (the Host rule's answers kept)
    clock: Clock
    timeline: Timeline
    hub: EventHub
    gateway: Gateway
    accounts: AccountRegistry
    dispatcher: CallbackDispatcher
    schemas: SchemaRegistry
    memory: GcCare
    ticker: Ticker
    backends: dict[str, Backend] = field(default_factory=dict)
    faults: FaultBook = field(default_factory=FaultBook)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    pending_at_shutdown: list[CallbackJob] = field(default_factory=list)
    streams: set[asyncio.Queue[bytes | None]] = field(default_factory=set)  # live event streams
    waits: int = 0  # long polls open now
    metrics: Metrics = field(default_factory=Metrics)  # counted as requests are answered
    data: DataFile | None = None  # --data: where the state is kept (emulator/datafile.py)

    def now(self) -> float:
        return self.clock.now()

    def reset(
        self, provider: str | None = None, account: str | None = None
    ) -> dict[str, int | dict[str, int]]:
        """Forget messages, replies, callbacks and provider state (of one account, or all); a
        full reset also clears rules and faults and puts the clock back on the wall clock, in
        its configured mode. Returns how many of each thing went."""
        cleared: dict[str, int | dict[str, int]] = dict(self.gateway.reset(provider, account))
        cleared["callbacks"] = self.dispatcher.forget(
            lambda job: (
                not (
                    (provider is None or job.provider == provider)
                    and (account is None or job.account == account)
                )
            )
        )
        for name, backend in self.backends.items():
            if provider is None or name == provider:
                cleared[name] = backend.reset(account)
        cleared["accounts"] = len(self.accounts.reset(provider, account))
        if provider is None and account is None:
            cleared["rules"] = self.gateway.rules.clear()
            cleared["faults"] = self.faults.clear()
            self.clock.reset(self.settings.clock)
            self.memory.thaw()
        self.hub.publish(
            ev.STATE_RESET, self.now(), None, provider=provider, account=account, cleared=cleared
        )
        return cleared


CONTEXT = web.AppKey("context", Context)
