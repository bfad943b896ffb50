"""Helpers every control endpoint shares: reading a JSON body against its schema, answering
errors in one shape (``{"error": {"message": ..., "field": ...}}``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import NoReturn, TypeVar

from aiohttp import web

from ..access import refusal
from ..context import CONTEXT, Context
from ..core.jsondata import Document, JsonObject
from ..httpio import BodyError, json_object, read_body
from ..rendering import dump_json, json_response
from ..validation import describe

PROVIDER = "control"
T = TypeVar("T")
log = logging.getLogger("emulator.control")


class ControlError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def fail(status: int, message: str, field: str | None = None) -> NoReturn:
    raise ControlError(status, message, field)


def error_response(status: int, message: str, field: str | None = None) -> web.Response:
    error: Document = {"message": message}
    if field is not None:
        error["field"] = field
    return json_response({"error": error}, status=status)


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]


async def body(request: web.Request, operation: str | None = None) -> JsonObject:
    """The request's JSON object (``{}`` when empty), checked against
    ``schemas/control/<operation>.request.json`` when an operation is named."""
    try:
        data = json_object(await read_body(request))
    except BodyError as exc:
        fail(exc.status, exc.detail)
    if operation is not None:
        check(request, operation, data)
    return data


def check(request: web.Request, operation: str, data: JsonObject) -> None:
    """Refuse ``data`` unless ``schemas/control/<operation>.request.json`` accepts it."""
    validator = context(request).schemas.validator(PROVIDER, operation, "request")
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        fail(400, describe(error), ".".join(str(p) for p in error.path) or None)


def delete_numbered(request: web.Request, remove: Callable[[int], bool], what: str) -> web.Response:
    """``DELETE .../{id}`` of a numbered thing (a rule, a fault): 404 naming it if none."""
    try:
        number = int(request.match_info["id"])
    except ValueError:
        number = -1
    if not remove(number):
        fail(404, f"no {what} {request.match_info['id']!r}")
    return ok({"deleted": True})


def ok(data: object, status: int = 200) -> web.Response:
    return json_response(data, status=status)


def text_json(data: object) -> str:
    return dump_json(data).decode("utf-8")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


READS = frozenset({"GET", "HEAD", "OPTIONS"})


def endpoint(handler: Handler) -> Handler:
    """Wrap a control handler: ControlError → its JSON error, a bug of ours → a 500 that says
    so (never a traceback). Who may call it is checked before (:func:`guarded`)."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except ControlError as exc:
            return error_response(exc.status, exc.message, exc.field)
        except Exception:  # a bug of ours: say so in the log, never send a traceback
            log.exception("control endpoint %s %s failed", request.method, request.path)
            return error_response(500, "internal error of the emulator (see its log)")
        data = context(request).data
        if data is not None and request.method not in READS:  # on disk before it is answered
            failed = await data.written()
            if failed is not None:
                return error_response(503, failed)
        return response

    return wrapped


def guarded(handler: Handler, *, public: bool = False) -> Handler:
    """``handler`` for those who may reach it (emulator/access.py: Host, Origin, and the
    optional token, which ``public`` ones such as the health check that Docker and CI probe
    need not carry); every control route is registered through this."""

    async def checked(request: web.Request) -> web.StreamResponse:
        refused = refusal(request, context(request).access, public)
        if refused is not None:
            return error_response(*refused)
        return await handler(request)

    return checked


# -- query parameters ----------------------------------------------------------------------

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000_000


def number(query: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        fail(400, f"{name} must be a number, not {raw!r}", name)
    if not low <= value <= high:
        fail(400, f"{name} must be between {low:g} and {high:g}", name)
    return value


def time_of(query: Mapping[str, str], name: str) -> float | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.upper().replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):
        fail(400, f"{name} must be an ISO 8601 time or a Unix timestamp", name)


def page(items: Iterator[T], limit: int) -> list[T]:
    page: list[T] = []
    for item in items:
        page.append(item)
        if len(page) >= limit:
            break
    return page
