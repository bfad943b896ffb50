"""``/_emulator/rules`` and ``/_emulator/outcomes``: scenario rules, and the magic-number
table they override."""

from __future__ import annotations

from aiohttp import web

from ..context import Context
from ..core.jsondata import JsonObject
from ..core.rules import Rule
from . import views
from .api import body as read_body
from .api import context, delete_numbered, endpoint, fail, ok


@endpoint
async def list_rules(request: web.Request) -> web.Response:
    rules = list(context(request).gateway.rules)
    return ok({"items": [views.rule_view(r) for r in rules], "count": len(rules)})


@endpoint
async def create_rule(request: web.Request) -> web.Response:
    rule = add_rule(context(request), await read_body(request, "rule.create"))
    return ok(views.rule_view(rule), status=201)


def add_rule(ctx: Context, data: JsonObject) -> Rule:
    """A rule from a ``rule.create`` body (the control API's, or a scenario's)."""
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
        return ctx.gateway.rules.add(**fields)
    except (ValueError, TypeError) as exc:  # a bad regex
        fail(400, str(exc), "recipient")


@endpoint
async def delete_rule(request: web.Request) -> web.Response:
    return delete_numbered(request, context(request).gateway.rules.remove, "rule")


@endpoint
async def delete_rules(request: web.Request) -> web.Response:
    return ok({"deleted": context(request).gateway.rules.clear()})


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
