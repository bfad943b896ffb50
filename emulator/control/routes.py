"""The control API's route table: everything of ours lives under ``/_emulator/``.

The table is data: each route names its request and answer schemas in ``schemas/control/``,
so the OpenAPI document (:mod:`emulator.openapi`) is generated from the same list that serves
the requests, and can never describe a route that does not exist (or miss one).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from ..core.jsondata import JsonObject
from ..core.messages import STATUSES
from ..providers import PROVIDERS
from . import (
    accounts,
    analyse,
    callbacks,
    clock,
    docs,
    faults,
    messages,
    metrics,
    replies,
    rules,
    state,
    stream,
    ui,
)
from .api import endpoint, error_response, fail, guarded

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
    query: Mapping[str, JsonObject] = field(default_factory=dict)  # its query parameters
    also: tuple[int, ...] = ()  # other success statuses
    public: bool = False  # reachable without the control token (probes, the inbox's page)


def _choice(values: tuple[str, ...]) -> JsonObject:
    return {"enum": list(values)}


TEXT: JsonObject = {"type": "string"}
PROVIDER_NAME = _choice(tuple(p.name for p in PROVIDERS))
MESSAGE_FILTERS: dict[str, JsonObject] = {
    "provider": PROVIDER_NAME,
    "account": TEXT,
    "recipient": TEXT,
    "sender": TEXT,
    "status": _choice(STATUSES),
    "kind": _choice(tuple(dict.fromkeys(k for p in PROVIDERS for k in p.message_kinds))),
    "text": TEXT,
    "since": {
        "anyOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
        ],
        "description": "ISO 8601 time or Unix seconds",
    },
    "cursor": {"type": "integer", "minimum": 0},
}
CALLBACK_FILTERS: dict[str, JsonObject] = {
    "provider": PROVIDER_NAME,
    "account": TEXT,
    "state": _choice(("pending", "delivered", "failed")),
    "kind": _choice(tuple(k for p in PROVIDERS for k in p.callback_kinds)),
    "message_id": TEXT,
    "reply_id": TEXT,
    "url": TEXT,
}
REPLY_FILTERS: dict[str, JsonObject] = {"provider": PROVIDER_NAME, "account": TEXT, "phone": TEXT}
LIMIT: dict[str, JsonObject] = {"limit": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}
WAIT: dict[str, JsonObject] = {
    "count": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "timeout": {"type": "number", "minimum": 0, "maximum": 300},
}


ROUTES = (
    Route("GET", "/health", state.health, "Is the emulator ready?", response="health", public=True),
    Route(
        "GET",
        "/messages",
        messages.list_messages,
        "Messages of both gateways",
        response="messages.list",
        query={**MESSAGE_FILTERS, **LIMIT},
    ),
    Route(
        "GET",
        "/messages/wait",
        messages.wait_messages,
        "Wait for messages",
        response="messages.wait",
        waits=True,
        query={**MESSAGE_FILTERS, **WAIT},
    ),
    Route(
        "GET",
        "/messages/{id}",
        messages.get_message,
        "One message with its history",
        response="message",
    ),
    Route(
        "GET",
        "/replies",
        replies.list_replies,
        "Incoming messages",
        response="replies.list",
        query={**REPLY_FILTERS, **LIMIT},
    ),
    Route(
        "GET",
        "/replies/wait",
        replies.wait_replies,
        "Wait for incoming messages",
        response="replies.list",
        waits=True,
        query={**REPLY_FILTERS, **WAIT},
    ),
    Route(
        "POST",
        "/replies",
        replies.inject_reply,
        "Simulate an incoming message",
        request="reply.create",
        response="reply",
        status=201,
    ),
    Route(
        "GET",
        "/callbacks",
        callbacks.list_callbacks,
        "The callback journal",
        response="callbacks.list",
        query={**CALLBACK_FILTERS, **LIMIT},
    ),
    Route(
        "GET",
        "/callbacks/wait",
        callbacks.wait_callbacks,
        "Wait for callbacks",
        response="callbacks.list",
        waits=True,
        query={**CALLBACK_FILTERS, **WAIT},
    ),
    Route(
        "POST",
        "/callbacks/{id}/redeliver",
        callbacks.redeliver_callback,
        "Try a callback again now",
        response="callback",
        status=202,
    ),
    Route(
        "GET",
        "/events",
        stream.events,
        "Every event, as Server-Sent Events",
        media_type="text/event-stream",
        query={"types": TEXT},
    ),
    Route(
        "POST",
        "/reset",
        state.reset,
        "Forget everything (or one account)",
        request="reset",
        response="reset",
    ),
    Route("GET", "/state", state.get_state, "The whole state, as one document", response="state"),
    Route(
        "PUT",
        "/state",
        state.put_state,
        "Replace the whole state with a document GET /state gave",
        request="state",
        response="state",
    ),
    Route(
        "GET",
        "/accounts",
        accounts.list_accounts,
        "Accounts",
        response="accounts.list",
        query={"provider": PROVIDER_NAME},
    ),
    Route(
        "POST",
        "/accounts",
        accounts.create_account,
        "Define or change an account",
        request="account.create",
        response="account",
        also=(201,),
    ),
    Route(
        "GET",
        "/accounts/{provider}/{username}",
        accounts.get_account,
        "One account",
        response="account",
    ),
    Route(
        "PATCH",
        "/accounts/{provider}/{username}",
        accounts.update_account,
        "Change an account",
        request="account.update",
        response="account",
    ),
    Route(
        "DELETE",
        "/accounts/{provider}/{username}",
        accounts.delete_account,
        "Remove an account and everything of it",
        response="account.deleted",
    ),
    Route("GET", "/clock", clock.get_clock, "The emulator's clock", response="clock"),
    Route(
        "POST",
        "/clock",
        clock.set_clock,
        "Freeze or release the clock",
        request="clock.set",
        response="clock",
    ),
    Route(
        "POST",
        "/clock/advance",
        clock.advance_clock,
        "Move time forward; everything due within the span happens",
        request="clock.advance",
        response="clock.advance",
    ),
    Route("GET", "/rules", rules.list_rules, "Scenario rules", response="rules.list"),
    Route(
        "POST",
        "/rules",
        rules.create_rule,
        "Add a scenario rule",
        request="rule.create",
        response="rule",
        status=201,
    ),
    Route("DELETE", "/rules", rules.delete_rules, "Remove every rule", response="deleted"),
    Route("DELETE", "/rules/{id}", rules.delete_rule, "Remove a rule", response="deleted"),
    Route(
        "GET", "/faults", faults.list_faults, "Faults on provider endpoints", response="faults.list"
    ),
    Route(
        "POST",
        "/faults",
        faults.create_fault,
        "Add a fault",
        request="fault.create",
        response="fault",
        status=201,
    ),
    Route("DELETE", "/faults", faults.delete_faults, "Remove every fault", response="deleted"),
    Route("DELETE", "/faults/{id}", faults.delete_fault, "Remove a fault", response="deleted"),
    Route("GET", "/outcomes", rules.outcomes, "The magic-number table", response="outcomes"),
    Route(
        "GET",
        "/metrics",
        metrics.metrics,
        "The emulator's metrics, in the Prometheus text format",
        media_type="text/plain",
    ),
    Route(
        "POST",
        "/analyse",
        analyse.analyse,
        "What a text would cost on a gateway, and why (nothing is sent)",
        request="analyse",
        response="analyse",
    ),
    Route("GET", "/openapi/", docs.openapi_index, "The OpenAPI documents"),
    Route(
        "GET",
        "/openapi/{name}.json",
        docs.openapi_document,
        "An OpenAPI 3.1 document: server2sms, serwersms or control",
    ),
    Route("GET", "/docs/", docs.page, "The API documents, browsable", media_type="text/html"),
    Route("GET", "/ui/", ui.index, "The web inbox", media_type="text/html", public=True),
)


ALWAYS = frozenset({"token"})  # the control token may come in the query of any request


def query_problem(route: Route, query: Mapping[str, str]) -> tuple[str, str] | None:
    """Why a filtering route cannot take this query: an unknown parameter (a typo such as
    ``stauts`` would otherwise match everything) or a value outside its choices (``status=
    failed`` would match nothing), each named with what is valid."""
    for name, value in query.items():
        schema = route.query.get(name)
        if schema is None:
            if name in ALWAYS:
                continue
            return name, (
                f"unknown query parameter {name!r}; {PREFIX}{route.path} takes "
                f"{', '.join(route.query)}"
            )
        choices = schema.get("enum")
        if choices is not None and value and value not in choices:
            return name, f"{name} must be one of {', '.join(choices)}, not {value!r}"
    return None


def _checked(route: Route) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        problem = query_problem(route, request.query)
        if problem is not None:
            name, message = problem
            return error_response(400, message, name)
        return await route.handler(request)

    return checked


def add_routes(app: web.Application) -> None:
    """Every control route, behind the access checks (:func:`.api.guarded`)."""
    for route in ROUTES:
        handler = _checked(route) if route.query else route.handler
        app.router.add_route(
            route.method, PREFIX + route.path, guarded(handler, public=route.public)
        )
    ui.add_assets(app, f"{PREFIX}/ui", ui.INBOX_FILES)
    ui.add_assets(app, f"{PREFIX}/docs", docs.FILES)
    app.router.add_route("*", PREFIX + r"/{tail:[\s\S]*}", guarded(_elsewhere()))


def _elsewhere() -> Handler:
    """What answers a control path no route takes: 405 with ``Allow`` when the path exists
    for other methods (``POST /_emulator/messages``), else 404."""
    patterns = [
        (
            re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(PREFIX + route.path)) + "$"),
            route.method,
        )
        for route in ROUTES
    ]

    @endpoint
    async def elsewhere(request: web.Request) -> web.Response:
        allowed = sorted({method for pattern, method in patterns if pattern.match(request.path)})
        if allowed:
            if "GET" in allowed:
                allowed.append("HEAD")
            response = error_response(
                405, f"{request.path} takes {', '.join(allowed)}, not {request.method}"
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        fail(404, f"no control endpoint {request.method} {request.path}; see README.md")

    return elsewhere
