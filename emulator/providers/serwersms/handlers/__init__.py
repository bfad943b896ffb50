"""SerwerSMS.pl actions at ``/<group>/<action>[.json|.xml]``: gather → authenticate → act →
render.

Parameters come from the query string and the body (JSON, a form, or multipart), merged into one
dict; authentication is a Bearer token or ``username``/``password`` anywhere in them. Every
answer is HTTP 200, errors as ``{"error": {...}}`` (or ``<error>`` in XML), as the real API does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from ....context import CONTEXT, Context
from ....core.accounts import Account
from ....httpio import (
    CALLBACK_HEADER,
    LOOP_DETAIL,
    LOOP_STATUS,
    BodyError,
    RequestRecord,
    decode_text,
    header_safe,
    json_object,
    read_body,
)
from ....rendering import json_response, xml_response
from ....validation import describe
from .. import wire
from ..errors import (
    INTERNAL,
    INVALID_ACTION,
    INVALID_DATA,
    INVALID_ID,
    INVALID_USER,
    NO_PERMISSION,
    REQUIRED,
    ApiError,
    error_body,
)
from ..models import AccountState, SerwersmsBackend

PROVIDER = "serwersms"
FORMATS = ("json", "xml")
METHODS = ("GET", "HEAD", "POST")  # the documentation's links are GETs
log = logging.getLogger("emulator.serwersms")


@dataclass(slots=True)
class Call:
    ctx: Context
    operation: str  # the canonical name, e.g. "messages/send_sms"
    path: str  # the name the client used, e.g. "messages/received"
    params: dict[str, Any]
    account: Account
    request: RequestRecord | None

    @property
    def backend(self) -> SerwersmsBackend:
        backend = self.ctx.backends[PROVIDER]
        assert isinstance(backend, SerwersmsBackend)
        return backend

    @property
    def state(self) -> AccountState:
        return self.backend.state(self.account)

    @property
    def demo(self) -> bool:
        return self.account.demo

    def get(self, name: str) -> Any:
        return self.params.get(name)


Handler = Callable[[Call], Any]
T = TypeVar("T")


def by_id(call: Call, table: Mapping[Any, T], noun: str, key: Any = None) -> T:
    """The entry of ``table`` the ``id`` parameter names (a number unless ``key`` is given),
    or error 1004."""
    item = table.get(wire.integer(call.get("id")) if key is None else key)
    if item is None:
        raise ApiError(INVALID_ID, f"no {noun} {call.get('id')!r}")
    return item


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    authenticated: bool = True


def split_action(action: str) -> tuple[str, str]:
    """``send_sms.xml`` → (``send_sms``, ``xml``); no suffix means JSON."""
    stem, dot, suffix = action.rpartition(".")
    if dot and suffix.lower() in FORMATS:
        return stem, suffix.lower()
    return action, "json"


def render(data: Any, fmt: str, detail: str | None = None) -> web.StreamResponse:
    if isinstance(data, web.StreamResponse):
        return data
    headers = {"X-Emulator-Error": header_safe(detail)} if detail else None
    if fmt == "xml":
        if isinstance(data, dict) and set(data) == {"error"}:
            return xml_response(data["error"], root="error", headers=headers)
        return xml_response(data, root="result", headers=headers)
    return json_response(data, headers=headers)


async def gather_params(request: web.Request) -> dict[str, Any]:
    """Query string, then the body (JSON object, form or multipart) on top."""
    params: dict[str, Any] = wire.form_params(request.query_string) if request.query_string \
        else {}
    if request.content_type == "multipart/form-data":
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge as exc:
            raise BodyError(413, "request body is too large") from exc
        except (ValueError, UnicodeDecodeError, aiohttp.ClientPayloadError) as exc:
            raise BodyError(400, f"the multipart body cannot be read: {exc}") from None
        for name, value in form.items():
            params[name] = wire.Upload(value.file.read(), value.filename) \
                if isinstance(value, web.FileField) else value
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


def authenticate(ctx: Context, request: web.Request, params: dict[str, Any]) -> Account | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return ctx.accounts.by_token(PROVIDER, header[7:].strip())
    username = wire.text(params.get("username")).strip()
    if not username:
        return None
    return ctx.accounts.authenticate(PROVIDER, username, wire.text(params.get("password")))


def make_endpoint(operations: dict[str, Operation]
                  ) -> Callable[[web.Request, str, str], Awaitable[web.StreamResponse]]:
    """The one handler for ``/<group>/<action>`` (called with both as the path gives them)."""

    async def endpoint(request: web.Request, group: str, action: str) -> web.StreamResponse:
        action, fmt = split_action(action)
        path = f"{group}/{action}"
        operation = operations.get(path) or (operations.get(f"{group}/{{code}}")
                                             if group == "error" else None)
        if operation is None:
            log.info("%s %s: unknown action", request.method, request.path)
            return render(error_body(INVALID_ACTION), fmt, f"unknown action {path!r}")
        if request.method not in METHODS:
            response = render(error_body(INVALID_ACTION), fmt,
                              f"{path} takes POST (or GET), not {request.method}")
            response.set_status(405)
            response.headers["Allow"] = ", ".join(METHODS)
            return response
        if CALLBACK_HEADER in request.headers:
            response = render(error_body(NO_PERMISSION), fmt, LOOP_DETAIL)
            response.set_status(LOOP_STATUS)
            response.headers[CALLBACK_HEADER] = "refused"
            return response
        ctx = request.app[CONTEXT]
        try:
            params = await gather_params(request)
        except BodyError as exc:
            log.info("%s %s: %s", request.method, request.path, exc.detail)
            return render(error_body(INVALID_DATA), fmt, exc.detail)
        if group == "error":
            params["code"] = action
        account = authenticate(ctx, request, params)
        if account is None and operation.authenticated:
            return render(error_body(INVALID_USER), fmt,
                          "no valid Bearer token or username/password")
        call = Call(ctx, operation.name, path, params, account,  # type: ignore[arg-type]
                    RequestRecord(request, params))
        try:
            problem = schema_problem(ctx, operation.name, params)
            if problem is not None:
                raise ApiError(*problem)
            return render(operation.handler(call), fmt)
        except ApiError as exc:
            log.info("%s refused with %d: %s", path, exc.code, exc)
            return render(error_body(exc.code), fmt, str(exc))
        except Exception:  # a bug of ours: log it, answer in the provider's format
            log.exception("%s failed", path)
            response = render(error_body(INTERNAL), fmt,
                              "internal error of the emulator (see its log)")
            response.set_status(500)
            return response

    return endpoint


def schema_problem(ctx: Context, operation: str, params: dict[str, Any]
                   ) -> tuple[int, str] | None:
    """2000 for a required parameter not given (absent, null or empty), 1006 for a parameter
    of a type no client sends (``schemas/serwersms/<group>.<action>.request.json``)."""
    key = (PROVIDER, operation.replace("/", "."), "request")
    for name in ctx.schemas.schema(*key).get("required", ()):
        if not wire.given(params.get(name)):
            return REQUIRED, f"missing required parameter {name!r}"
    for error in ctx.schemas.errors(*key, params):
        return INVALID_DATA, describe(error)
    return None
