"""The control API's route table: everything of ours lives under ``/_emulator/``.

The table is data: each route names its request and answer schemas in ``schemas/control/``,
so the OpenAPI document (:mod:`emulator.openapi`) is generated from the same list that serves
the requests, and can never describe a route that does not exist (or miss one).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from . import docs, faults, inspect, state, stream, ui

PREFIX = "/_emulator"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below PREFIX
    handler: Handler
    summary: str
    request: str | None = None  # schemas/control/<request>.request.json
    response: str | None = None  # schemas/control/<response>.response.json
    status: int = 200
    media_type: str = "application/json"
    waits: bool = False  # a long poll: 408 with what matched
    query: tuple[str, ...] = ()  # documented query parameters (emulator.openapi.QUERY)
    also: tuple[int, ...] = ()  # other success statuses


MESSAGE_FILTERS = ("provider", "account", "recipient", "sender", "status", "kind", "text",
                   "since", "cursor")
CALLBACK_FILTERS = ("provider", "account", "state", "kind", "message_id", "reply_id", "url")
REPLY_FILTERS = ("provider", "account", "phone")
WAIT = ("count", "timeout")


ROUTES = (
    Route("GET", "/health", inspect.health, "Is the emulator ready?", response="health"),
    Route("GET", "/messages", inspect.list_messages, "Messages of both gateways",
          response="messages.list", query=(*MESSAGE_FILTERS, "limit")),
    Route("GET", "/messages/wait", inspect.wait_messages, "Wait for messages",
          response="messages.wait", waits=True, query=(*MESSAGE_FILTERS, *WAIT)),
    Route("GET", "/messages/{id}", inspect.get_message, "One message with its history",
          response="message"),
    Route("GET", "/replies", inspect.list_replies, "Incoming messages", response="replies.list",
          query=(*REPLY_FILTERS, "limit")),
    Route("GET", "/replies/wait", inspect.wait_replies, "Wait for incoming messages",
          response="replies.list", waits=True, query=(*REPLY_FILTERS, *WAIT)),
    Route("POST", "/replies", state.inject_reply, "Simulate an incoming message",
          request="reply.create", response="reply", status=201),
    Route("GET", "/callbacks", inspect.list_callbacks, "The callback journal",
          response="callbacks.list", query=(*CALLBACK_FILTERS, "limit")),
    Route("GET", "/callbacks/wait", inspect.wait_callbacks, "Wait for callbacks",
          response="callbacks.list", waits=True, query=(*CALLBACK_FILTERS, *WAIT)),
    Route("POST", "/callbacks/{id}/redeliver", inspect.redeliver_callback,
          "Try a callback again now", response="callback", status=202),
    Route("GET", "/events", stream.events, "Every event, as Server-Sent Events",
          media_type="text/event-stream", query=("types",)),
    Route("POST", "/reset", state.reset, "Forget everything (or one account)",
          request="reset", response="reset"),
    Route("GET", "/accounts", state.list_accounts, "Accounts", response="accounts.list",
          query=("provider",)),
    Route("POST", "/accounts", state.create_account, "Define or change an account",
          request="account.create", response="account", also=(201,)),
    Route("GET", "/accounts/{provider}/{username}", state.get_account, "One account",
          response="account"),
    Route("PATCH", "/accounts/{provider}/{username}", state.update_account,
          "Change an account", request="account.update", response="account"),
    Route("DELETE", "/accounts/{provider}/{username}", state.delete_account,
          "Remove an account and everything of it", response="account.deleted"),
    Route("GET", "/clock", state.get_clock, "The emulator's clock", response="clock"),
    Route("POST", "/clock", state.set_clock, "Freeze or release the clock",
          request="clock.set", response="clock"),
    Route("POST", "/clock/advance", state.advance_clock,
          "Move time forward; everything due within the span happens",
          request="clock.advance", response="clock.advance"),
    Route("GET", "/rules", state.list_rules, "Scenario rules", response="rules.list"),
    Route("POST", "/rules", state.create_rule, "Add a scenario rule", request="rule.create",
          response="rule", status=201),
    Route("DELETE", "/rules", state.delete_rules, "Remove every rule", response="deleted"),
    Route("DELETE", "/rules/{id}", state.delete_rule, "Remove a rule", response="deleted"),
    Route("GET", "/faults", faults.list_faults, "Faults on provider endpoints",
          response="faults.list"),
    Route("POST", "/faults", faults.create_fault, "Add a fault", request="fault.create",
          response="fault", status=201),
    Route("DELETE", "/faults", faults.delete_faults, "Remove every fault", response="deleted"),
    Route("DELETE", "/faults/{id}", faults.delete_fault, "Remove a fault", response="deleted"),
    Route("GET", "/outcomes", state.outcomes, "The magic-number table", response="outcomes"),
    Route("GET", "/openapi/", docs.openapi_index, "The OpenAPI documents"),
    Route("GET", "/openapi/{name}.json", docs.openapi_document,
          "An OpenAPI 3.1 document: server2sms, serwersms or control"),
    Route("GET", "/docs/", docs.page, "The API documents, browsable", media_type="text/html"),
    Route("GET", "/ui/", ui.index, "The web inbox", media_type="text/html"),
)


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, PREFIX + route.path, route.handler)
    ui.add_assets(app, f"{PREFIX}/ui", ui.INBOX_FILES)
    ui.add_assets(app, f"{PREFIX}/docs", docs.FILES)
    app.router.add_route("*", PREFIX + r"/{tail:[\s\S]*}", inspect.not_found)
