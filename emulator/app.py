"""``create_app(settings)``: both providers and the control API on one aiohttp application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from . import control, paths
from .access import Access
from .callbacks import CallbackDispatcher
from .clock import Clock
from .config import Settings
from .context import CONTEXT, Context
from .control.state import seed
from .core.accounts import AccountRegistry, AccountSpec
from .core.events import EventHub
from .core.gateway import Gateway
from .core.outcomes import OutcomeTable
from .core.store import MessageStore
from .core.timeline import Timeline
from .httpio import mask_url
from .memory import GcCare
from .providers import PROVIDERS
from .resources import load_fixture
from .ticker import Ticker
from .validation import SchemaRegistry

log = logging.getLogger("emulator")


def load_accounts(settings: Settings) -> AccountRegistry:
    """The accounts defined at start-up: the sample ones of fixtures/ (unless
    ``--no-fixtures``), then the config file's."""
    specs: list[AccountSpec] = []
    if settings.fixtures:
        data = load_fixture("accounts.json")
        specs += [
            AccountSpec.from_data(provider.name, entry, origin="fixtures")
            for provider in PROVIDERS
            for entry in data.get(provider.name, [])
        ]
    specs += settings.accounts
    return AccountRegistry(specs, strict=settings.strict_accounts)


def build_context(settings: Settings, own_process: bool = False) -> Context:
    clock = Clock(settings.clock)
    hub = EventHub()
    timeline = Timeline()
    gateway = Gateway(
        clock.now,
        OutcomeTable.from_data(load_fixture("outcomes.json")),
        settings.delivery_delay,
        timeline,
        hub=hub,
        store=MessageStore(settings.max_messages, settings.max_age),
    )
    dispatcher = CallbackDispatcher(
        hub,
        clock,
        timeline,
        timeout=settings.callback_timeout,
        attempts=settings.callback_attempts,
        backoff=settings.callback_backoff,
        backoff_max=settings.callback_backoff_max,
        concurrency=settings.callback_concurrency,
        max_jobs=settings.max_messages,
        max_age=settings.max_age,
    )
    return Context(
        settings=settings,
        access=Access(settings),
        clock=clock,
        timeline=timeline,
        hub=hub,
        gateway=gateway,
        accounts=load_accounts(settings),
        dispatcher=dispatcher,
        schemas=SchemaRegistry(),
        memory=GcCare(enabled=own_process),
        ticker=Ticker(clock, timeline, dispatcher.settle),
    )


async def _background(app: web.Application) -> AsyncIterator[None]:
    ctx = app[CONTEXT]
    await ctx.dispatcher.start()
    ctx.ticker.start()
    ctx.ready.set()
    yield
    ctx.ready.clear()
    ctx.ticker.stop()
    pending = await ctx.dispatcher.stop()
    if pending:
        log.warning(
            "stopped with %d callbacks still pending: %s",
            len(pending),
            ", ".join(f"#{job.id} {mask_url(job.url)}" for job in pending[:10]),
        )
    ctx.pending_at_shutdown = pending


def create_app(settings: Settings | None = None, *, own_process: bool = False) -> web.Application:
    """The emulator as an aiohttp application. ``own_process``: the process is the emulator's
    alone (``serve``, ``exec``), so it may tune the garbage collector (emulator/memory.py)."""
    settings = settings or Settings()
    ctx = build_context(settings, own_process)
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[CONTEXT] = ctx
    control.install(app, ctx)
    paths.add_fallback(
        app, {provider.segments: provider.install(app, ctx) for provider in PROVIDERS}
    )
    app.cleanup_ctx.append(_background)
    seed(ctx)
    return app
