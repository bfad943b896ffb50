"""The whole state of an emulator as one versioned JSON document (``GET``/``PUT
/_emulator/state``): accounts with their gateways' state, messages with their histories,
replies, the callback journal, rules, faults, the schedule, the clock and every counter.

A document read back into an emulator makes it answer every read exactly as the one it came
from, and go on the same way: the same advance makes the same status changes and the same
callbacks. Reading is all or nothing: the whole document is checked and made into objects
first (a problem is refused with the path where it is), and only then installed.

It is a backup: it carries the accounts' passwords and tokens.

Settings are not state: the clock's configured mode, ``--max-messages``, the start-up
accounts a reset brings back, the outcome table, are the importing emulator's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .callbacks import SavedJournal
from .clock import SavedClock
from .context import Context
from .core import events as ev
from .core import plain
from .core.accounts import Account
from .core.gateway import SavedBatch, SavedGateway
from .core.messages import Message
from .core.plain import JSON, PlainError
from .core.timeline import STATUS, SavedSchedule
from .faults import Fault
from .providers import PROVIDERS

FORMAT = "sms-gateway-emulator state"
VERSION = 1


@dataclass(slots=True)
class Saved:
    format: str
    version: int
    clock: SavedClock
    schedule: SavedSchedule
    gateway: SavedGateway
    callbacks: SavedJournal
    accounts: list[Account]
    faults: list[Fault]
    upcoming_fault: int
    events: int  # the last event's number
    providers: dict[str, Any]  # Any: each gateway's own (its backend reads it)


def export(ctx: Context, whole: bool = True) -> JSON:
    """The emulator's state, as a JSON value (``whole=False``: without the messages, the
    sleeping batches and the callback jobs, which the data file keeps row by row)."""
    return plain.dump(
        Saved(
            FORMAT,
            VERSION,
            ctx.clock.saved(),
            ctx.timeline.saved(with_asleep=whole),
            ctx.gateway.saved(with_batches=whole),
            ctx.dispatcher.saved(with_jobs=whole),
            ctx.accounts.saved(),
            list(ctx.faults),
            ctx.faults.upcoming,
            ctx.hub.last_seq,
            {name: backend.saved() for name, backend in ctx.backends.items()},
        )
    )


def install(ctx: Context, document: JSON) -> None:
    """Replace the emulator's state with ``document``; raises PlainError (nothing changed)
    when it is not a state document this emulator can read."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PlainError("format", f"is not {FORMAT!r}: this is no state document")
    if document.get("version") != VERSION:
        raise PlainError(
            "version",
            f"this emulator reads version {VERSION} documents, not {document.get('version')!r} "
            "(one from a newer emulator is read by that one)",
        )
    saved: Saved = plain.load(Saved, document)
    waves = {each.batch.id: each.batch.waves for each in saved.gateway.batches}
    for n, (_, _, kind, key) in enumerate(saved.schedule.entries):
        if kind == STATUS and key[0] in waves:
            batch = waves[key[0]]
            if not (0 <= key[1] < len(batch) and 0 <= key[2] < len(batch[key[1]])):
                raise PlainError(f"schedule.entries.{n}", "names no change of its batch's waves")
    for name in sorted(saved.providers.keys() ^ ctx.backends.keys()):
        problem = "is missing" if name in ctx.backends else "is no provider of this emulator"
        raise PlainError(f"providers.{name}", problem)
    restores: list[Callable[[], None]] = [
        backend.decode(saved.providers[name], f"providers.{name}")
        for name, backend in ctx.backends.items()
    ]
    restore_gateway = ctx.gateway.decode(saved.gateway, "gateway")
    # Nothing has changed so far; from here on nothing can fail.
    ctx.clock.restore(saved.clock)
    ctx.timeline.restore(saved.schedule)
    restore_gateway()
    ctx.dispatcher.restore(saved.callbacks)
    ctx.accounts.restore(saved.accounts)
    ctx.faults.restore(saved.faults, saved.upcoming_fault)
    for restore in restores:
        restore()
    ctx.hub.renumber(saved.events)
    ctx.hub.publish(ev.STATE_RESET, ctx.now(), None, provider=None, account=None, restored=True)


def schema() -> JSON:
    """The JSON Schema of a state document (schemas/control/state.*.json, written by
    ``python -m emulator.generated``)."""
    defs: dict[str, JSON] = {}
    root = plain.schema(Saved, defs)
    document = defs.pop(root["$ref"].removeprefix("#/$defs/"))
    document["properties"]["format"] = {"const": FORMAT}
    document["properties"]["version"] = {"const": VERSION}
    batch = defs[plain.schema(SavedBatch, defs)["$ref"].removeprefix("#/$defs/")]
    batch["properties"]["messages"]["items"] = plain.schema(Message, defs)  # read by the gateway
    document["properties"]["providers"] = {
        "type": "object",
        "properties": {p.name: plain.schema(p.state, defs) for p in PROVIDERS},
        "required": [p.name for p in PROVIDERS],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "The emulator's whole state (GET and PUT /_emulator/state)",
        **document,
        "$defs": dict(sorted(defs.items())),
    }
