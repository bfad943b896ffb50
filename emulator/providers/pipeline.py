"""The request pipeline's pieces both gateways share: the call a handler works from, the
refusal exception, the error detail header, and "a bug of ours still answers in the gateway's
format"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from ..context import Context
from ..core.accounts import Account
from ..core.jsondata import JsonObject
from ..core.messages import RequestRecord
from ..httpio import header_safe

ERROR_HEADER = "X-Emulator-Error"
BUG_DETAIL = "internal error of the emulator (see its log)"

Code = TypeVar("Code", str, int)
Answer = TypeVar("Answer")
P = ParamSpec("P")
B = TypeVar("B")
R = TypeVar("R", bound="Refusal[Any]")  # Any: either gateway's code type


@dataclass(slots=True)
class Call(Generic[B]):
    """One request to an operation of a gateway, parsed: what a handler works from (the one
    call type of both gateways). ``params`` are the request's fields: server2sms's JSON body,
    SerwerSMS's query and body merged."""

    ctx: Context
    backend: B  # the gateway's own state and rules
    operation: str  # the canonical name: "SendTextSMS", "messages/send_sms"
    params: JsonObject
    user: Account | None  # None for the few operations that need no login
    request: RequestRecord

    @property
    def account(self) -> Account:
        """The account the call authenticated as; only operations that require a login read
        it, so None here is a bug of ours (answered as one)."""
        if self.user is None:
            raise RuntimeError(f"{self.operation} reads the account but requires no login")
        return self.user


Handler = Callable[[Call[B]], object]
"""What answers an operation: a JSON-like answer, or a ready response (a PDF)."""


@dataclass(frozen=True, slots=True)
class Operation(Generic[B]):
    """An operation of a gateway: its canonical name, its handler, whether it needs a login."""

    name: str
    handler: Handler[B]
    authenticated: bool = True


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


class Broken:
    """What ``attempt`` returns for a bug of ours (logged with its traceback)."""


BROKEN = Broken()


def attempt(
    log: logging.Logger,
    label: str,
    refusal: type[R],
    act: Callable[P, Answer],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Answer | R | Broken:
    """Run an operation; a refusal is returned to be answered in the gateway's format, and any
    other exception (our bug) is logged with its traceback and returned as ``BROKEN``, to be
    answered with HTTP 500 in the gateway's format (``BUG_DETAIL``), never a traceback page.
    (Plain arguments, not closures: this is on every request's path.)"""
    try:
        return act(*args, **kwargs)
    except refusal as exc:
        log.info("%s refused with %s: %s", label, exc.code, exc.detail)
        return exc
    except Exception:
        log.exception("%s failed", label)
        return BROKEN


def no_login(ctx: Context, provider: str, detail: str) -> str:
    """Why a login failed, with the reason a new user name was not welcome when that is it."""
    if ctx.accounts.full(provider) and not ctx.accounts.strict:
        return (
            f"{detail}; the emulator keeps at most {ctx.accounts.max_auto} accounts made "
            "on first use "
            "per gateway: define the account (config, control API) or reset"
        )
    return detail
