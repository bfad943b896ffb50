"""The server2sms request pipeline: find the method → read the body → check it against the
method's schema → authenticate → run the handler → render.

Every method answers HTTP 200 with ``StatusCode``/``StatusInfo`` strings, errors included, as the
real gateway does. A body that is not a JSON object, or a method that does not exist, gets a
4xx status with a server2sms-format body; the reason is in the ``X-Emulator-Error`` header and
the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import cast

from aiohttp import web

from ...access import SEC_FETCH_SITE, from_foreign_page
from ...context import Context
from ...core.accounts import Account
from ...core.jsondata import JsonObject
from ...core.messages import RequestRecord
from ...httpio import (
    BodyError,
    json_object,
    read_body,
    record,
)
from ...metrics import OPERATION
from ...rendering import json_response
from ...validation import describe
from .. import hints, pipeline
from . import errors, wire
from .errors import ApiError, status
from .models import NAME, Server2smsBackend
from .notifications import URL_FIELDS

log = logging.getLogger("emulator.server2sms")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}


Call = pipeline.Call[Server2smsBackend]
Answer = Mapping[str, object]  # a JSON object of strings, lists of them, or objects
Handler = pipeline.Handler[Server2smsBackend]  # the one handler type, with its backend


def respond(
    request: web.Request, answer: object, http_status: int = 200, detail: str | None = None
) -> web.Response:
    """The JSON answer; CORS headers when a browser asks (the documented examples run in
    one), and the reason for an error in ``X-Emulator-Error``."""
    headers = dict(CORS_HEADERS) if "Origin" in request.headers else {}
    headers.update(pipeline.error_headers(detail))
    return json_response(answer, status=http_status, headers=headers)


def refuse(request: web.Request, http_status: int, detail: str) -> web.Response:
    """Access denied (25), as the gate answers it (emulator/providers/gate.py)."""
    return respond(request, status(errors.ACCESS_DENIED), http_status, detail)


def make_endpoint(
    operations: dict[str, Handler], ctx: Context, backend: Server2smsBackend
) -> Callable[[web.Request, str], Awaitable[web.StreamResponse]]:
    """The one handler for ``/<Method>`` (called with the method's name as the path gives it):
    finds the method, reads the body, answers."""
    by_lower = {
        name.lower(): pipeline.Operation(
            name,
            handler,
            "UserName" in ctx.schemas.schema(NAME, name, "request").get("required", ()),
        )
        for name, handler in operations.items()
    }

    async def endpoint(request: web.Request, name: str) -> web.StreamResponse:
        operation = by_lower.get(name.lower())
        if operation is None:
            detail = hints.joined(
                f"unknown server2sms method {name!r} at {request.path!r}; "
                f"methods: {', '.join(operations)}",
                hints.action_without_group(name),
            )
            log.info("%s %s: unknown method", request.method, request.path)
            return respond(request, status(errors.UNKNOWN_METHOD), 404, detail)
        request[OPERATION] = operation.name
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=CORS_HEADERS)
        if request.method != "POST":
            detail = f"{operation.name} takes POST, not {request.method}"
            response = respond(request, status(errors.INVALID_DATA), 405, detail)
            response.headers["Allow"] = "POST, OPTIONS"  # RFC 9110 asks for it with a 405
            return response
        raw = b""
        try:
            raw = await read_body(request)
            body = json_object(raw)
        except BodyError as exc:
            detail = hints.joined(exc.detail, hints.form_body(raw))
            log.info("POST %s: %s", request.path, detail)
            return respond(request, status(errors.INVALID_DATA), exc.status, detail)
        if (
            SEC_FETCH_SITE in request.headers
            and from_foreign_page(request, ctx.access)
            and URL_FIELDS.keys() & body.keys()
        ):
            log.warning(
                "%s from a page of another site: its notification URLs are not called",
                operation.name,
            )
            body = {k: v for k, v in body.items() if k not in URL_FIELDS}
        answer = pipeline.attempt(
            log,
            operation.name,
            ApiError,
            handle,
            ctx,
            backend,
            operation,
            body,
            record(request, body),
        )
        if isinstance(answer, ApiError):
            return respond(
                request,
                status(answer.code),
                200,
                hints.joined(answer.detail, hints.looks_like_serwersms(body)),
            )
        if isinstance(answer, pipeline.Broken):
            return respond(request, status(errors.SERVICE_UNAVAILABLE), 500, pipeline.BUG_DETAIL)
        return respond(request, answer)

    return endpoint


def handle(
    ctx: Context,
    backend: Server2smsBackend,
    operation: pipeline.Operation[Server2smsBackend],
    body: JsonObject,
    request: RequestRecord,
) -> object:
    """Check the body against the method's schema and log in (in the order the gateway
    answers their errors), then run the method."""
    if "UserName" not in body and "UserKey" in body:
        body["UserName"] = body["UserKey"]
    problem = schema_problem(ctx, operation.name, body)
    if problem is not None and problem[0] == errors.AUTHORIZATION_FAILED:
        raise ApiError(*problem)
    account: Account | None = None
    if operation.authenticated:
        account = ctx.accounts.authenticate(
            NAME, wire.text(body.get("UserName")).strip(), wire.text(body.get("Password"))
        )
        if account is None:
            raise ApiError(
                errors.AUTHORIZATION_FAILED,
                pipeline.no_login(ctx, NAME, "unknown user name or wrong password"),
            )
    if problem is not None:
        raise ApiError(*problem)
    return operation.handler(pipeline.Call(ctx, backend, operation.name, body, account, request))


def schema_problem(ctx: Context, operation: str, body: JsonObject) -> tuple[str, str] | None:
    """The status code of the first field (in documented order) that breaks the schema."""
    found = list(ctx.schemas.errors(NAME, operation, "request", body))
    if not found:
        return None
    properties: JsonObject = ctx.schemas.schema(NAME, operation, "request")["properties"]
    order = list(properties)
    best: tuple[int, str, str] | None = None
    for error in found:
        if error.validator == "required":
            field = next(p for p in cast(list[str], error.validator_value) if p not in body)
            detail = f"{field} is missing"
        else:
            field = str(error.path[0]) if error.path else ""
            detail = describe(error)
        rank = order.index(field) if field in order else len(order)
        code = properties.get(field, {}).get("x-status-code", errors.INVALID_DATA)
        if best is None or rank < best[0]:
            best = (rank, code, detail)
    return None if best is None else (best[1], best[2])
