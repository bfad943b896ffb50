"""The SerwerSMS.pl request pipeline for ``/<group>/<action>[.json|.xml]``: find the action →
gather its parameters → authenticate → check them against its schema → run the handler →
render.

Parameters come from the query string and the body (JSON, a form, or multipart), merged into one
dict; authentication is a Bearer token or ``username``/``password`` anywhere in them. Every
answer is HTTP 200, errors as ``{"error": {...}}`` (or ``<error>`` in XML), as the real API does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import aiohttp
from aiohttp import web

from ...access import from_foreign_page
from ...context import Context
from ...core.accounts import Account, token_account_name
from ...core.jsondata import JsonObject
from ...httpio import (
    BodyError,
    decode_text,
    json_object,
    read_body,
    record,
)
from ...metrics import OPERATION
from ...rendering import json_response, xml_response
from ...validation import describe
from .. import hints, pipeline
from . import wire
from .errors import (
    INVALID_ACTION,
    INVALID_DATA,
    INVALID_ID,
    INVALID_TOKEN,
    INVALID_USER,
    NO_PERMISSION,
    REQUIRED,
    SYSTEM_ERROR,
    ApiError,
    error_body,
)
from .models import NAME, STORING, AccountState, SerwersmsBackend
from .notifications import CALLBACK_URLS

FORMATS = ("json", "xml")
METHODS = ("GET", "HEAD", "POST")  # the documentation's links are GETs
K = TypeVar("K")
T = TypeVar("T")
log = logging.getLogger("emulator.serwersms")


Call = pipeline.Call[SerwersmsBackend]
Handler = pipeline.Handler[SerwersmsBackend]  # answers a Document, a list, or a response
Operation = pipeline.Operation[SerwersmsBackend]


def account_state(call: Call) -> AccountState:
    """The state of the account the call logged in as."""
    return call.backend.state(call.account)


def is_demo(call: Call) -> bool:
    return account_state(call).demo


def by_id(call: Call, table: Mapping[int, T], noun: str) -> T:
    """The entry of ``table`` the ``id`` parameter names by number, or error 1004."""
    return entry(call, table, noun, wire.integer(call.params.get("id")))


def entry(call: Call, table: Mapping[K, T], noun: str, key: K | None) -> T:
    """The entry of ``table`` under ``key`` (read from the ``id`` parameter), or error 1004."""
    item = table.get(key) if key is not None else None
    if item is None:
        raise ApiError(INVALID_ID, f"no {noun} {call.params.get('id')!r}")
    return item


def split_action(action: str) -> tuple[str, str]:
    """``send_sms.xml`` → (``send_sms``, ``xml``); no suffix means JSON."""
    stem, dot, suffix = action.rpartition(".")
    if dot and suffix.lower() in FORMATS:
        return stem, suffix.lower()
    return action, "json"


def render(data: object, fmt: str, detail: str | None = None) -> web.StreamResponse:
    if isinstance(data, web.StreamResponse):
        return data
    headers = pipeline.error_headers(detail)
    if fmt == "xml":
        if isinstance(data, dict) and set(data) == {"error"}:
            return xml_response(data["error"], root="error", headers=headers)
        return xml_response(data, root="result", headers=headers)
    return json_response(data, headers=headers)


async def gather_params(request: web.Request) -> JsonObject:
    """Query string, then the body (JSON object, form or multipart) on top."""
    params: JsonObject = wire.form_params(request.query_string) if request.query_string else {}
    if request.content_type == "multipart/form-data":
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge as exc:
            raise BodyError(413, "request body is too large") from exc
        except (ValueError, UnicodeDecodeError, aiohttp.ClientPayloadError) as exc:
            raise BodyError(400, f"the multipart body cannot be read: {exc}") from None
        for name, value in form.items():
            params[name] = (
                wire.Upload(value.file.read(), value.filename)
                if isinstance(value, web.FileField)
                else value
            )
        return params
    raw = await read_body(request)
    stripped = raw.lstrip()
    if not stripped:
        return params
    if stripped[:1] in (b"{", b"\xef"):
        params.update(json_object(raw))
    elif stripped[:1] == b"[":
        raise BodyError(400, "the request body must be a JSON object or a form, not an array")
    else:
        params.update(wire.form_params(decode_text(raw)))
    return params


def authenticate(
    ctx: Context, backend: SerwersmsBackend, request: web.Request, params: JsonObject
) -> tuple[Account | None, int]:
    """The account a request logs in as, and the error to answer when it logs in as none: a
    Bearer token the emulator does not accept is 1012 InvalidToken (as the gateway answers
    it), a user name and password that do not match are 1001 InvalidUser. An unknown token
    opens a fresh account (unless strict) named after its hash: the token never shows."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        if not token:
            return None, INVALID_TOKEN
        owner = backend.token_owner(token)
        if owner is not None:
            return ctx.accounts.get(NAME, owner), INVALID_TOKEN
        account = ctx.accounts.open(NAME, token_account_name(token))
        if account is not None:
            backend.add_token(account.username, token)
        return account, INVALID_TOKEN
    username = wire.text(params.get("username")).strip()
    if not username:
        return None, INVALID_USER
    return ctx.accounts.authenticate(
        NAME, username, wire.text(params.get("password"))
    ), INVALID_USER


def refuse(request: web.Request, http_status: int, detail: str) -> web.StreamResponse:
    """No permission (1005), as the gate answers it (emulator/providers/gate.py), in the
    format the path asks for."""
    response = render(error_body(NO_PERMISSION), split_action(request.path)[1], detail)
    response.set_status(http_status)
    return response


def make_endpoint(
    operations: dict[str, Operation], ctx: Context, backend: SerwersmsBackend
) -> Callable[[web.Request, str, str], Awaitable[web.StreamResponse]]:
    """The one handler for ``/<group>/<action>`` (called with both as the path gives them)."""

    async def endpoint(request: web.Request, group: str, action: str) -> web.StreamResponse:
        action, fmt = split_action(action)
        path = f"{group}/{action}"
        operation = operations.get(path) or (
            operations.get(f"{group}/{{code}}") if group == "error" else None
        )
        if operation is None:
            log.info("%s %s: unknown action", request.method, request.path)
            return render(
                error_body(INVALID_ACTION),
                fmt,
                hints.joined(f"unknown action {path!r}", hints.method_with_group(group, action)),
            )
        request[OPERATION] = operation.name
        if request.method not in METHODS:
            response = render(
                error_body(INVALID_ACTION), fmt, f"{path} takes POST (or GET), not {request.method}"
            )
            response.set_status(405)
            response.headers["Allow"] = ", ".join(METHODS)
            return response
        try:
            params = await gather_params(request)
        except BodyError as exc:
            log.info("%s %s: %s", request.method, request.path, exc.detail)
            return render(error_body(INVALID_DATA), fmt, exc.detail)
        if group == "error":
            params["code"] = action
        if CALLBACK_URLS.get(operation.name) in params and from_foreign_page(request, ctx.access):
            log.warning("%s from a page of another site: its callback URL is not called", path)
            del params[CALLBACK_URLS[operation.name]]
        account, refused = authenticate(ctx, backend, request, params)
        if account is None and operation.authenticated:
            return render(
                error_body(refused),
                fmt,
                hints.joined(
                    pipeline.no_login(
                        ctx,
                        NAME,
                        "the Bearer token is not accepted"
                        if refused == INVALID_TOKEN
                        else "no valid username/password (or Bearer token)",
                    ),
                    hints.looks_like_server2sms(params),
                ),
            )
        call = pipeline.Call(ctx, backend, operation.name, params, account, record(request, params))
        answer = pipeline.attempt(log, path, ApiError, act, operation, call)
        if isinstance(answer, ApiError):
            return render(
                error_body(answer.code),
                fmt,
                hints.joined(answer.detail, hints.looks_like_server2sms(params)),
            )
        if isinstance(answer, pipeline.Broken):
            response = render(error_body(SYSTEM_ERROR), fmt, pipeline.BUG_DETAIL)
            response.set_status(500)
            return response
        return render(answer, fmt)

    return endpoint


def act(operation: Operation, call: Call) -> object:
    problem = schema_problem(call.ctx, operation.name, call.params)
    if problem is not None:
        raise ApiError(*problem)
    if operation.name in STORING:
        call.backend.check_room(call.params, max(1, len(wire.items(call.params.get("contact")))))
    return operation.handler(call)


def schema_problem(ctx: Context, operation: str, params: JsonObject) -> tuple[int, str] | None:
    """2000 for a required parameter not given (absent, null or empty), 1006 for a parameter
    of a type no client sends (``schemas/serwersms/<group>.<action>.request.json``)."""
    key = (NAME, operation.replace("/", "."), "request")
    for name in ctx.schemas.schema(*key).get("required", ()):
        if not wire.given(params.get(name)):
            return REQUIRED, f"missing required parameter {name!r}"
    for error in ctx.schemas.errors(*key, params):
        return INVALID_DATA, describe(error)
    return None
