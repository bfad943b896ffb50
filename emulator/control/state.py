"""Steering the fake gateway: reset, accounts, clock, scenario rules, injected replies."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from aiohttp import web

from ..context import Context
from ..core import events as ev
from ..core.accounts import Account, parse_limit
from ..core.jsondata import Document, JsonObject
from ..providers import BY_NAME
from . import views
from .api import body as read_body
from .api import context, endpoint, fail, ok

PROVIDER_NAMES = tuple(BY_NAME)


@endpoint
async def reset(request: web.Request) -> web.Response:
    data = await read_body(request, "reset")
    provider, account = data.get("provider"), data.get("account")
    if account is not None and provider is None:
        fail(400, "resetting one account needs its provider too", "provider")
    return ok({"cleared": context(request).reset(provider, account)})


# -- accounts ----------------------------------------------------------------------------------


def _account_changes(data: JsonObject) -> Document:
    changes: JsonObject = {}
    for name in ("password", "dlr_url", "replies_url"):
        if name in data:
            changes[name] = data[name]
    if "credits" in data:
        changes["credits"] = Decimal(str(data["credits"]))
    if "limits" in data:
        changes["limits"] = {k: parse_limit(v) for k, v in data["limits"].items()}
    if "tokens" in data:
        changes["tokens"] = data["tokens"]
    options = {k: data[k] for k in ("originators", "senders") if k in data}
    if options:
        changes["options"] = options
    return changes


@endpoint
async def list_accounts(request: web.Request) -> web.Response:
    provider = request.query.get("provider")
    accounts = [a for a in context(request).accounts if not provider or a.provider == provider]
    return ok({"items": [views.account_view(a) for a in accounts], "count": len(accounts)})


@endpoint
async def create_account(request: web.Request) -> web.Response:
    data = await read_body(request, "account.create")
    ctx = context(request)
    existed = ctx.accounts.get(data["provider"], data["username"]) is not None
    account = _update(ctx, data["provider"], data["username"], data)
    return ok(views.account_view(account), status=200 if existed else 201)


def _update(ctx: Context, provider: str, username: str, data: JsonObject) -> Account:
    account = ctx.accounts.update(provider, username, _account_changes(data))
    ctx.gateway.reconsider(provider, username)  # a callback URL may have been set
    return account


def _account_key(request: web.Request) -> tuple[str, str]:
    provider = request.match_info["provider"]
    if provider not in PROVIDER_NAMES:
        fail(404, f"no provider {provider!r}; providers: {', '.join(PROVIDER_NAMES)}")
    return provider, request.match_info["username"]


@endpoint
async def get_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    account = context(request).accounts.get(provider, username)
    if account is None:
        fail(404, f"no {provider} account {username!r}")
    return ok(views.account_view(account))


@endpoint
async def update_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    data = await read_body(request, "account.update")
    account = _update(context(request), provider, username, data)
    return ok(views.account_view(account))


@endpoint
async def delete_account(request: web.Request) -> web.Response:
    provider, username = _account_key(request)
    ctx = context(request)
    if not ctx.accounts.remove(provider, username):
        fail(404, f"no {provider} account {username!r}")
    cleared = ctx.reset(provider, username)
    return ok({"deleted": True, "cleared": cleared})


# -- clock -------------------------------------------------------------------------------------


@endpoint
async def get_clock(request: web.Request) -> web.Response:
    return ok(views.clock_view(context(request).clock))


@endpoint
async def set_clock(request: web.Request) -> web.Response:
    data = await read_body(request, "clock.set")
    ctx = context(request)
    ctx.clock.set_mode(data["mode"])
    ctx.hub.publish(ev.CLOCK_CHANGED, ctx.now(), None, **views.clock_view(ctx.clock))
    return ok(views.clock_view(ctx.clock))


@endpoint
async def advance_clock(request: web.Request) -> web.Response:
    """Move time forward; everything due within the span happens before the answer: status
    changes, and every callback try (first tries and retries, on the emulator's clock)."""
    data = await read_body(request, "clock.advance")
    ctx = context(request)
    first_new_job = ctx.dispatcher.next_id
    changes = ctx.gateway.changes
    # Shielded: a client that goes away does not leave time half-moved.
    tries = await asyncio.shield(
        ctx.ticker.advance(float(data["seconds"]), ctx.settings.callback_timeout + 1)
    )
    applied = ctx.gateway.changes - changes
    ctx.hub.publish(ev.CLOCK_CHANGED, ctx.now(), None, **views.clock_view(ctx.clock))
    fired = [job for job_id, job in ctx.dispatcher.jobs.items() if job_id >= first_new_job]
    return ok(
        {
            **views.clock_view(ctx.clock),
            "applied": applied,
            "callbacks": len(fired),
            "callbacks_attempted": all(job.attempts for job in fired),
            "callback_attempts": tries,
        }
    )


# -- rules -------------------------------------------------------------------------------------


@endpoint
async def list_rules(request: web.Request) -> web.Response:
    rules = list(context(request).gateway.rules)
    return ok({"items": [views.rule_view(r) for r in rules], "count": len(rules)})


@endpoint
async def create_rule(request: web.Request) -> web.Response:
    data = await read_body(request, "rule.create")
    ctx = context(request)
    fields = {
        k: data[k]
        for k in (
            "provider",
            "account",
            "recipient",
            "match",
            "text",
            "reason",
            "delay",
            "reject",
            "times",
        )
        if data.get(k) is not None
    }
    if "outcome" in data:
        try:
            fields["outcome"] = ctx.gateway.outcomes.get(data["outcome"])
        except KeyError:
            fail(
                400,
                f"unknown outcome {data['outcome']!r}; outcomes: "
                f"{', '.join(ctx.gateway.outcomes.outcomes)}",
                "outcome",
            )
    if not any(k in fields for k in ("outcome", "delay", "reject")):
        fail(400, "a rule needs an action: outcome, delay or reject")
    try:
        rule = ctx.gateway.rules.add(**fields)
    except (ValueError, TypeError) as exc:  # a bad regex
        fail(400, str(exc), "recipient")
    return ok(views.rule_view(rule), status=201)


@endpoint
async def delete_rule(request: web.Request) -> web.Response:
    try:
        rule_id = int(request.match_info["id"])
    except ValueError:
        rule_id = -1
    if not context(request).gateway.rules.remove(rule_id):
        fail(404, f"no rule {request.match_info['id']!r}")
    return ok({"deleted": True})


@endpoint
async def delete_rules(request: web.Request) -> web.Response:
    return ok({"deleted": context(request).gateway.rules.clear()})


# -- inbound -----------------------------------------------------------------------------------


@endpoint
async def inject_reply(request: web.Request) -> web.Response:
    data = await read_body(request, "reply.create")
    provider = BY_NAME[data["provider"]]
    if provider.inject_reply is None:  # the schema names the providers that have them
        fail(400, f"{provider.name} has no incoming messages", "provider")
    ctx = context(request)
    reply = provider.inject_reply(ctx, data)
    return ok(views.reply_view(reply, ctx.dispatcher.for_reply(reply.id)), status=201)


@endpoint
async def outcomes(request: web.Request) -> web.Response:
    table = context(request).gateway.outcomes
    return ok(
        {
            "default": table.default.name,
            "outcomes": {
                o.name: {
                    "description": o.description,
                    "steps": [
                        {"status": s.status, "at": s.at, "reason": dict(s.reason)} for s in o.steps
                    ],
                }
                for o in table.outcomes.values()
            },
            "numbers": [{"suffix": s, "outcome": n} for s, n in table.numbers.items()],
        }
    )
