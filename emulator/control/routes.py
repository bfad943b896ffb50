"""The control API's route table: everything of ours lives under ``/_emulator/``."""

from __future__ import annotations

from aiohttp import web

from . import faults, inspect, state, stream, ui

PREFIX = "/_emulator"


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(f"{PREFIX}/health", inspect.health)
    r.add_get(f"{PREFIX}/messages", inspect.list_messages)
    r.add_get(f"{PREFIX}/messages/wait", inspect.wait_messages)
    r.add_get(f"{PREFIX}/messages/{{id}}", inspect.get_message)
    r.add_get(f"{PREFIX}/replies", inspect.list_replies)
    r.add_get(f"{PREFIX}/replies/wait", inspect.wait_replies)
    r.add_post(f"{PREFIX}/replies", state.inject_reply)
    r.add_get(f"{PREFIX}/callbacks", inspect.list_callbacks)
    r.add_get(f"{PREFIX}/callbacks/wait", inspect.wait_callbacks)
    r.add_post(f"{PREFIX}/callbacks/{{id}}/redeliver", inspect.redeliver_callback)
    r.add_get(f"{PREFIX}/events", stream.events)
    r.add_post(f"{PREFIX}/reset", state.reset)
    r.add_get(f"{PREFIX}/accounts", state.list_accounts)
    r.add_post(f"{PREFIX}/accounts", state.create_account)
    r.add_get(f"{PREFIX}/accounts/{{provider}}/{{username}}", state.get_account)
    r.add_patch(f"{PREFIX}/accounts/{{provider}}/{{username}}", state.update_account)
    r.add_delete(f"{PREFIX}/accounts/{{provider}}/{{username}}", state.delete_account)
    r.add_get(f"{PREFIX}/clock", state.get_clock)
    r.add_post(f"{PREFIX}/clock", state.set_clock)
    r.add_post(f"{PREFIX}/clock/advance", state.advance_clock)
    r.add_get(f"{PREFIX}/rules", state.list_rules)
    r.add_post(f"{PREFIX}/rules", state.create_rule)
    r.add_delete(f"{PREFIX}/rules", state.delete_rules)
    r.add_delete(f"{PREFIX}/rules/{{id}}", state.delete_rule)
    r.add_get(f"{PREFIX}/faults", faults.list_faults)
    r.add_post(f"{PREFIX}/faults", faults.create_fault)
    r.add_delete(f"{PREFIX}/faults", faults.delete_faults)
    r.add_delete(f"{PREFIX}/faults/{{id}}", faults.delete_fault)
    r.add_get(f"{PREFIX}/outcomes", state.outcomes)
    ui.add_routes(app, f"{PREFIX}/ui")
    r.add_route("*", PREFIX + r"/{tail:[\s\S]*}", inspect.not_found)
