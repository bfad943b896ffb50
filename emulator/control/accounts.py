"""``/_emulator/accounts``: who may call the gateways, each with its gateway's own fields.

The identity (provider, user name, password) is the core's; every other field of the
``account.create`` schema belongs to one gateway, whose backend applies it and shows it
(``account_fields``, ``configure``, ``account_view``), so an account field of one gateway is
added in its backend, the schema and the docs.
"""

from __future__ import annotations

from aiohttp import web

from ..context import Context
from ..core.accounts import Account
from ..core.jsondata import Document, JsonObject
from ..providers import BY_NAME
from . import api
from .api import body as read_body
from .api import context, endpoint, fail, ok

PROVIDER_NAMES = tuple(BY_NAME)
IDENTITY = frozenset({"provider", "username", "password"})


def view(ctx: Context, account: Account) -> Document:
    return {
        "provider": account.provider,
        "username": account.username,
        "origin": account.origin,
        "password_enforced": account.enforced and account.password is not None,
        **ctx.backends[account.provider].account_view(account),
    }


def _refuse_foreign(ctx: Context, provider: object, data: JsonObject) -> None:
    """Refuse a field of the other gateway by name (before the schema, which refuses it too
    but cannot say so as plainly)."""
    backend = ctx.backends.get(provider) if isinstance(provider, str) else None
    if backend is None:
        return
    settings = data.keys() - IDENTITY
    foreign = sorted(settings - backend.account_fields)
    if foreign:
        fail(
            400,
            f"{provider} accounts have no {', '.join(foreign)} (they have "
            f"{', '.join(sorted(backend.account_fields))})",
            foreign[0],
        )


def _define(ctx: Context, provider: str, username: str, data: JsonObject) -> Account:
    """Apply a definition: the identity to the registry, the rest to the gateway's backend."""
    account = ctx.accounts.update(provider, username, data)
    ctx.backends[provider].configure(account, {k: v for k, v in data.items() if k not in IDENTITY})
    return account


@endpoint
async def list_accounts(request: web.Request) -> web.Response:
    ctx = context(request)
    provider = request.query.get("provider")
    accounts = [a for a in ctx.accounts if not provider or a.provider == provider]
    return ok({"items": [view(ctx, a) for a in accounts], "count": len(accounts)})


@endpoint
async def create_account(request: web.Request) -> web.Response:
    data = await read_body(request)
    ctx = context(request)
    _refuse_foreign(ctx, data.get("provider"), data)
    api.check(request, "account.create", data)
    existed = ctx.accounts.get(data["provider"], data["username"]) is not None
    account = _define(ctx, data["provider"], data["username"], data)
    return ok(view(ctx, account), status=200 if existed else 201)


def _account_key(request: web.Request) -> tuple[str, str]:
    provider = request.match_info["provider"]
    if provider not in PROVIDER_NAMES:
        fail(404, f"no provider {provider!r}; providers: {', '.join(PROVIDER_NAMES)}")
    return provider, request.match_info["username"]


@endpoint
async def get_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    ctx = context(request)
    account = ctx.accounts.get(provider, username)
    if account is None:
        fail(404, f"no {provider} account {username!r}")
    return ok(view(ctx, account))


@endpoint
async def update_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    data = await read_body(request)
    ctx = context(request)
    _refuse_foreign(ctx, provider, data)
    api.check(request, "account.update", data)
    return ok(view(ctx, _define(ctx, provider, username, data)))


@endpoint
async def delete_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    ctx = context(request)
    if not ctx.accounts.remove(provider, username):
        fail(404, f"no {provider} account {username!r}")
    cleared = ctx.reset(provider, username)
    return ok({"deleted": True, "cleared": cleared})
