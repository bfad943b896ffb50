"""The emulator as a whole: health, reset, and its whole state as one document
(emulator/state.py)."""

from __future__ import annotations

from aiohttp import web

from .. import __version__
from .. import state as saved_state
from ..config import ConfigError
from ..context import Context
from ..core.plain import PlainError
from ..providers import BY_NAME
from . import views
from .api import ControlError, context, endpoint, fail, ok
from .api import body as read_body
from .faults import add_fault
from .replies import add_reply
from .rules import add_rule
from .waits import WAITS


@endpoint
async def health(request: web.Request) -> web.Response:
    ctx = context(request)
    ready = ctx.ready.is_set()
    return ok(
        {
            "status": "ok" if ready else "starting",
            "ready": ready,
            "version": __version__,
            "providers": list(BY_NAME),
            "clock": views.clock_view(ctx.clock),
            "messages": len(ctx.gateway.store),
            "pruned": ctx.gateway.store.pruned,
            "callbacks_pending": len(ctx.dispatcher.pending()),
            "callbacks_pruned": ctx.dispatcher.pruned,
            "message_waits": len(request.app[WAITS]),
            "open_waits": ctx.waits,
            "event_streams": len(ctx.streams),
            "data_file": None
            if ctx.data is None
            else {"path": str(ctx.data.path), "bytes": ctx.data.size(), "error": ctx.data.error},
        },
        status=200 if ready else 503,
    )


@endpoint
async def reset(request: web.Request) -> web.Response:
    data = await read_body(request, "reset")
    provider, account = data.get("provider"), data.get("account")
    if account is not None and provider is None:
        fail(400, "resetting one account needs its provider too", "provider")
    ctx = context(request)
    cleared = ctx.reset(provider, account)
    if provider is None:
        seed(ctx)  # back to the seeded state
    return ok({"cleared": cleared})


def seed(ctx: Context) -> None:
    """Make the config file's scenario (its rules, faults and replies) as the control API
    makes them: at start, and again after a full reset. A ConfigError names the file and the
    entry that cannot be made (an outcome the table lacks, a regex that does not compile)."""
    scenario = ctx.settings.scenario
    makers = {"rules": add_rule, "faults": add_fault, "replies": add_reply}
    for section, make in makers.items():
        for n, entry in enumerate(getattr(scenario, section)):
            try:
                make(ctx, entry)
            except ControlError as exc:
                where = f"{ctx.settings.config_file}: {section}[{n}]"
                field = f"{exc.field}: " if exc.field else ""
                raise ConfigError(f"{where}: {field}{exc.message}") from None


@endpoint
async def get_state(request: web.Request) -> web.Response:
    return ok(saved_state.export(context(request)))


@endpoint
async def put_state(request: web.Request) -> web.Response:
    """Replace the whole state; a document with a problem is refused, naming where, and
    changes nothing."""
    ctx = context(request)
    document = await read_body(request, "state")
    try:
        saved_state.install(ctx, document)
    except PlainError as exc:
        fail(400, exc.message, exc.path or None)
    return ok(saved_state.export(ctx))
