"""The request pipeline's pieces both gateways share: the refusal exception, the error detail
header, and "a bug of ours still answers in the gateway's format"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from aiohttp import web

from ..context import Context
from ..core.accounts import Account
from ..httpio import header_safe

ERROR_HEADER = "X-Emulator-Error"
BUG_DETAIL = "internal error of the emulator (see its log)"

Code = TypeVar("Code", str, int)
Answer = TypeVar("Answer")
Backend = TypeVar("Backend")


class Refusal(Exception, Generic[Code]):
    """The gateway refuses: answer with its error ``code``; ``detail`` says why (in the log and
    the ``X-Emulator-Error`` header). Each gateway's ``errors.ApiError`` is one of these."""

    def __init__(self, code: Code, detail: str) -> None:
        super().__init__(detail)
        self.code: Code = code
        self.detail = detail


def error_headers(detail: str | None) -> dict[str, str]:
    """The header that tells a developer why an answer is an error (none when all is well)."""
    return {ERROR_HEADER: header_safe(detail)} if detail else {}


def perform(
    log: logging.Logger,
    label: str,
    act: Callable[[], Answer],
    answer: Callable[[Answer], web.StreamResponse],
    refused: Callable[[Code, str], web.StreamResponse],
    broken: Callable[[str], web.StreamResponse],
    refusal: type[Refusal[Code]],
) -> web.StreamResponse:
    """Run an operation: its result is answered, a refusal is the gateway's error answer, and
    any other exception (our bug) is logged with its traceback and answered by ``broken`` in
    the gateway's format with HTTP 500, never a bare traceback page."""
    try:
        result = act()
    except refusal as exc:
        log.info("%s refused with %s: %s", label, exc.code, exc.detail)
        return refused(exc.code, exc.detail)
    except Exception:
        log.exception("%s failed", label)
        return broken(BUG_DETAIL)
    return answer(result)


def logged_in(user: Account | None, operation: str) -> Account:
    """The account a call authenticated as; only operations that require a login read it, so
    None here is a bug of ours (answered as one)."""
    if user is None:
        raise RuntimeError(f"{operation} reads the account but requires no login")
    return user


def backend_of(ctx: Context, name: str, kind: type[Backend]) -> Backend:
    """The provider's backend, with its own type."""
    backend = ctx.backends[name]
    if not isinstance(backend, kind):
        raise TypeError(f"the {name} backend is a {type(backend).__name__}")
    return backend
