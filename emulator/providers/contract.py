"""What the app needs from an emulated gateway, typed: each provider package exports one
``PROVIDER`` and ``providers/__init__.py`` lists them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

from ..context import Context
from ..core.gsm import Cost
from ..core.jsondata import JsonObject
from ..core.messages import Message, Reply
from ..paths import PathHandler

Install = Callable[[web.Application, Context], PathHandler]
"""Add the provider's routes (with its backend and its notifications) to the app; returns the
handler for the same endpoints reached by an odd path."""

InjectReply = Callable[[Context, JsonObject], Reply]
"""An incoming message, as the control API simulates it (``reply.create`` schema)."""


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    segments: int  # how many path segments its endpoints have: the odd-path fallback's key
    install: Install
    message_kinds: tuple[str, ...]  # what its sends are (the control API's ``kind`` filter)
    callback_kinds: tuple[str, ...]  # what its callbacks report (``kind`` of the journal)
    state: type  # its backend's state as plain data (models.Saved: GET /_emulator/state)
    account_fields: Mapping[str, JsonObject]  # what its accounts are defined with: schemas
    account_view: Mapping[str, JsonObject]  # what the control API shows of them: schemas
    cost: Callable[[Message], Cost]  # what a message cost, and why
    quote: Callable[[str, Mapping[str, object]], Cost]  # what a text would cost (options)
    inject_reply: InjectReply | None = None  # None: the gateway has no incoming messages
