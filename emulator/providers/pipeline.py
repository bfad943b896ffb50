"""The request pipeline's pieces both gateways share: the refusal exception, the error detail
header, and "a bug of ours still answers in the gateway's format"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

from ..context import Context
from ..core.accounts import Account
from ..httpio import header_safe

ERROR_HEADER = "X-Emulator-Error"
BUG_DETAIL = "internal error of the emulator (see its log)"

Code = TypeVar("Code", str, int)
Answer = TypeVar("Answer")
P = ParamSpec("P")
Backend = TypeVar("Backend")
R = TypeVar("R", bound="Refusal[Any]")  # Any: either gateway's code type


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
